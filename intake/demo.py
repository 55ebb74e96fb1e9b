"""Demo couples for `manage.py seed_demo`: couple 1 active, couple 2 in assessment."""

from intake.models import Couple, Partner
from kapcouples.models import Clinic, Role, User

COUPLES = [
    # (status, [(email, first, last, date of birth)])
    (
        Couple.Status.ACTIVE,
        [
            ("alex@demo.kap", "Alex", "Rivera", "1986-04-12"),
            ("sam@demo.kap", "Sam", "Rivera", "1988-09-30"),
        ],
    ),
    (
        Couple.Status.ASSESSMENT,
        [
            ("jordan@demo.kap", "Jordan", "Ellis", "1979-01-22"),
            ("riley@demo.kap", "Riley", "Park", "1982-06-05"),
        ],
    ),
]
PARTNER_LOGINS = [person[0] for _, people in COUPLES for person in people]


def seed(*, clinic: Clinic, staff: dict[str, User], make_user) -> list[Couple]:
    """The demo couples, made once; `make_user(email, full_name)` finds or makes a login."""
    return [_couple(clinic, status, people, staff, make_user) for status, people in COUPLES]


def _couple(clinic, status, people, staff, make_user) -> Couple:
    existing = Partner.objects.filter(email=people[0][0]).select_related("couple").first()
    if existing:
        return existing.couple
    couple = Couple.objects.create(
        clinic=clinic, status=status, primary_clinician=staff[Role.CLINICIAN]
    )
    couple.care_team.add(staff[Role.PRESCRIBER])
    for slot, (email, first, last, born) in enumerate(people, start=1):
        Partner.objects.create(
            couple=couple,
            slot=slot,
            user=make_user(email, f"{first} {last}"),
            first_name=first,
            last_name=last,
            date_of_birth=born,
            email=email,
            timezone=clinic.timezone,
        )
    return couple
