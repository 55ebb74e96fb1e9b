import factory
from django.utils import timezone

from intake.models import Couple, Partner
from kapcouples.models import Clinic, Role, Room, StaffMembership, User

TEST_PASSWORD = "correct-horse-battery-42"


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    timezone = "America/New_York"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    date_joined = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    """A staff user with a membership: StaffFactory(clinic=..., role=Role.FRONT_DESK)."""

    class Params:
        clinic = factory.SubFactory(ClinicFactory)
        role = Role.CLINICIAN

    membership = factory.RelatedFactory(
        "tests.factories.MembershipFactory",
        factory_related_name="user",
        clinic=factory.SelfAttribute("..clinic"),
        role=factory.SelfAttribute("..role"),
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)
    role = Role.CLINICIAN


class CoupleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Couple

    clinic = factory.SubFactory(ClinicFactory)
    primary_clinician = factory.SubFactory(
        StaffFactory, clinic=factory.SelfAttribute("..clinic"), role=Role.CLINICIAN
    )
    status = Couple.Status.ASSESSMENT


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    couple = factory.SubFactory(CoupleFactory)
    slot = 1
    user = factory.SubFactory(UserFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.SelfAttribute("user.email")
    timezone = "America/New_York"
