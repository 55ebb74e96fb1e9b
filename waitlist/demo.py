"""This app's part of `manage.py seed_demo` (safe to run twice): three couples waiting for
a preparation session and one for an assessment; the Brooks' preparation session next week
cancelled, and its time offered to the Riveras (Alex's portal shows the offer; the front
desk sees the Chens and Okafors also match it)."""

import datetime

from django.utils import timezone

from intake.models import Couple
from kapcouples.demo import DemoSeed
from kapcouples.models import Role, Room
from kapcouples.services import DomainError
from sessions import services as booking
from sessions.models import Appointment
from waitlist import services
from waitlist.models import TimeOfDay, WaitlistEntry

PREPARATION, ASSESSMENT = Appointment.Kind.PREPARATION, Appointment.Kind.ASSESSMENT
# (a partner's email, kind, weekdays, times of day, days waiting so far)
WAITING = [
    ("alex@demo.kap", PREPARATION, range(7), list(TimeOfDay), 24),
    ("morgan.chen@demo.kap", PREPARATION, range(5), list(TimeOfDay), 17),
    ("dana.okafor@demo.kap", PREPARATION, [1, 3], [TimeOfDay.AFTERNOON], 9),
    ("jordan@demo.kap", ASSESSMENT, range(5), [TimeOfDay.MORNING], 3),
]


def _couple(email: str) -> Couple | None:
    return Couple.objects.filter(partners__email=email).first()


def seed(demo: DemoSeed) -> None:
    desk = demo.staff.get(Role.FRONT_DESK)
    if desk is None or WaitlistEntry.objects.filter(clinic=demo.clinic).exists():
        return
    today = timezone.localdate(timezone=demo.clinic.zone)
    entries = {}
    for email, kind, days, times, waited in WAITING:
        couple = _couple(email)
        if couple is None:
            continue
        entry = services.entry_add(
            couple=couple,
            kind=kind,
            weekdays=list(days),
            times_of_day=[int(t) for t in times],
            earliest_date=today,
            by=desk,
        )
        since = timezone.now() - datetime.timedelta(days=waited)
        WaitlistEntry.objects.filter(pk=entry.pk).update(created_at=since)
        entries[email] = entry
    _offer_a_cancelled_time(demo, desk, entries.get("alex@demo.kap"))


def _offer_a_cancelled_time(demo: DemoSeed, desk, entry) -> None:
    brooks, clinician = _couple("jamie.brooks@demo.kap"), demo.staff.get(Role.CLINICIAN)
    room = Room.objects.filter(clinic=demo.clinic).order_by("name").first()
    if entry is None or brooks is None or clinician is None or room is None:
        return
    day = timezone.localdate(timezone=demo.clinic.zone) + datetime.timedelta(days=8)
    day += datetime.timedelta(days=(1 - day.weekday()) % 7)  # a Tuesday: the Okafors match too
    start = datetime.datetime.combine(day, datetime.time(14, 0), tzinfo=demo.clinic.zone)
    try:
        appointment = booking.appointment_book(
            couple=brooks,
            kind=PREPARATION,
            start=start,
            end=start + datetime.timedelta(minutes=60),
            room=room,
            clinicians=[clinician],
            by=desk,
        )
    except DomainError:
        return  # the demo calendar is full then; the waitlist shows without an offer
    booking.appointment_cancel(appointment=appointment, reason="Couple travelling", by=desk)
    services.offer_send(appointment=appointment, entries=[entry], by=desk)
