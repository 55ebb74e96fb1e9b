import pytest
from django.core.management import CommandError, call_command

from intake.models import Couple, Partner
from kapcouples import policy
from kapcouples.models import Role, User

DEMO_ROLES = {
    "clinician@demo.kap": Role.CLINICIAN,
    "prescriber@demo.kap": Role.PRESCRIBER,
    "frontdesk@demo.kap": Role.FRONT_DESK,
    "admin@demo.kap": Role.CLINIC_ADMIN,
    "alex@demo.kap": Role.PARTNER,
    "sam@demo.kap": Role.PARTNER,
    "jordan@demo.kap": Role.PARTNER,
    "riley@demo.kap": Role.PARTNER,
}


def test_it_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_it_makes_every_published_login_with_its_role(db):
    call_command("seed_demo", "--force")
    for email, role in DEMO_ROLES.items():
        user = User.objects.get(email=email)
        assert user.check_password("demo-pass-2026")
        assert policy.role_of(user) == role


def test_the_two_published_couples_are_at_different_stages(db):
    call_command("seed_demo", "--force")
    published = Partner.objects.filter(email__in=["alex@demo.kap", "jordan@demo.kap"])
    couples = Couple.objects.filter(partners__in=published).distinct()
    assert couples.count() == 2
    assert len({c.status for c in couples}) == 2
    for couple in couples:
        assert couple.partners.count() == 2


def test_running_it_twice_does_not_duplicate_anything(db):
    call_command("seed_demo", "--force")
    counts = (User.objects.count(), Couple.objects.count(), Partner.objects.count())
    call_command("seed_demo", "--force")
    assert (User.objects.count(), Couple.objects.count(), Partner.objects.count()) == counts
