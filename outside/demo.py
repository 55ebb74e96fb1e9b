"""This app's part of `manage.py seed_demo` (safe to run twice): an outside prescriber from
another practice, granted the first demo couple only."""

from kapcouples.demo import DemoSeed
from kapcouples.models import Role, StaffMembership
from outside import services
from outside.models import OutsidePrescriberGrant

EMAIL, NAME = "outside@demo.kap", "Dr. Omar Reyes"


def seed(demo: DemoSeed) -> None:
    admin = demo.staff.get(Role.CLINIC_ADMIN)
    if admin is None or not demo.couples:
        return
    user = demo.make_user(EMAIL, NAME)
    StaffMembership.objects.get_or_create(
        user=user, defaults={"clinic": demo.clinic, "role": Role.OUTSIDE_PRESCRIBER}
    )
    demo.logins.append(EMAIL)
    couple = demo.couples[0]
    if not OutsidePrescriberGrant.objects.filter(prescriber=user, couple=couple).exists():
        services.outside_grant_add(
            by=admin, prescriber=user, couple=couple, reason="Referring psychiatrist (demo)"
        )
