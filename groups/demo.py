"""This app's part of `manage.py seed_demo` (safe to run twice): an autumn retreat of three
couples in the Circle Room, facilitated by the demo clinician and prescriber, with two
group preparation sessions and a sharing session booked. Nobody is screened yet, so the
roster shows each couple's unmet readiness items; Robin Ito signs in to see the partner's
view (times and room, nobody else's name)."""

import datetime

from django.utils import timezone

from groups import services
from groups.models import GroupProgram, GroupSession
from intake.models import Couple, Partner
from kapcouples.demo import DemoSeed
from kapcouples.models import Role, Room
from kapcouples.services import DomainError

RETREAT = "Autumn couples retreat"
CIRCLE_ROOM = "Circle Room"
GROUP_COUPLES = [
    [
        ("robin.ito@demo.kap", "Robin", "Ito", "1985-02-17"),
        ("kai.ito@demo.kap", "Kai", "Ito", "1986-06-03"),
    ],
    [
        ("maria.garcia@demo.kap", "Maria", "Garcia", "1979-09-09"),
        ("luis.garcia@demo.kap", "Luis", "Garcia", "1978-01-30"),
    ],
    [
        ("nour.haddad@demo.kap", "Nour", "Haddad", "1990-11-21"),
        ("sami.haddad@demo.kap", "Sami", "Haddad", "1989-04-14"),
    ],
]
PARTNER_LOGIN = "robin.ito@demo.kap"
# (kind, days from today, start hour, hours)
SESSIONS = [
    (GroupSession.Kind.PREPARATION, 7, 10, 2),
    (GroupSession.Kind.PREPARATION, 8, 10, 2),
    (GroupSession.Kind.SHARING, 15, 14, 2),
]
WHY_THESE_HOURS = "Retreat days follow the retreat's own timetable"
FIRST_NOTE = "Opening circle planned: agreements, music, and what the group may expect."


def seed(demo: DemoSeed) -> None:
    clinic, staff = demo.clinic, demo.staff
    clinician, prescriber = staff.get(Role.CLINICIAN), staff.get(Role.PRESCRIBER)
    if clinician is None or prescriber is None:
        return
    if GroupProgram.objects.filter(clinic=clinic, name=RETREAT).exists():
        return
    room, _new = Room.objects.get_or_create(
        clinic=clinic, name=CIRCLE_ROOM, defaults={"capacity": 6}
    )
    couples = [_couple(demo, people, clinician, prescriber) for people in GROUP_COUPLES]
    program = _program(clinician, prescriber, room, timezone.localdate(timezone=clinic.zone))
    for couple in couples:
        services.enrolment_add(program=program, couple=couple, by=clinician)
    booked = [_book(program, s, staff[Role.FRONT_DESK]) for s in SESSIONS]
    if booked[0] is not None:
        services.group_note_add(group_session=booked[0], text=FIRST_NOTE, by=clinician)
    demo.logins.append(PARTNER_LOGIN)


def _couple(demo: DemoSeed, people, clinician, prescriber) -> Couple:
    existing = Partner.objects.filter(email=people[0][0]).select_related("couple").first()
    if existing:
        return existing.couple
    couple = Couple.objects.create(
        clinic=demo.clinic, status=Couple.Status.ASSESSMENT, primary_clinician=clinician
    )
    couple.care_team.add(prescriber)
    for slot, (email, first, last, born) in enumerate(people, start=1):
        login = demo.make_user(email, f"{first} {last}") if email == PARTNER_LOGIN else None
        Partner.objects.create(
            couple=couple,
            slot=slot,
            user=login,
            first_name=first,
            last_name=last,
            date_of_birth=born,
            email=email,
            timezone=demo.clinic.timezone,
        )
    return couple


def _program(clinician, prescriber, room, today) -> GroupProgram:
    values = {
        "name": RETREAT,
        "kind": GroupProgram.Kind.RETREAT,
        "starts_on": today + datetime.timedelta(days=7),
        "ends_on": today + datetime.timedelta(days=21),
        "room": room,
        "capacity": 6,
    }
    return services.program_create(by=clinician, values=values, facilitators=[prescriber])


def _book(program, planned, front_desk) -> GroupSession | None:
    """Book it on the planned day, or the next free one within a week (the demo clinician's
    other appointments come first)."""
    kind, days, hour, hours = planned
    zone = program.clinic.zone
    for extra in range(7):
        day = timezone.localdate(timezone=zone) + datetime.timedelta(days=days + extra)
        start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
        try:
            return services.group_session_book(
                program=program,
                kind=kind,
                start=start,
                end=start + datetime.timedelta(hours=hours),
                room=program.room,
                by=front_desk,
                outside_hours_reason=WHY_THESE_HOURS,
            )
        except DomainError:
            continue
    return None
