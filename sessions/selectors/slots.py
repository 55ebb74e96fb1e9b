"""The next free slot for a room, a clinician and a couple."""

import datetime

from intake.models import Couple
from kapcouples.models import Clinic, Room, User
from sessions.models import Appointment
from sessions.selectors.calendar import day_bounds

OPENING_HOUR, CLOSING_HOUR = 8, 18  # clinic time; the next-free-slot search stays inside
SLOT_SEARCH_DAYS = 60


def next_free_slot(
    *,
    clinic: Clinic,
    duration: datetime.timedelta,
    after: datetime.datetime,
    room: Room | None = None,
    clinician: User | None = None,
    couple: Couple | None = None,
) -> datetime.datetime | None:
    """The earliest start at or after `after`, within opening hours, when the room, the
    clinician and the couple given are all free for `duration`."""
    zone = clinic.zone
    day = after.astimezone(zone).date()
    for _ in range(SLOT_SEARCH_DAYS):
        found = _free_start_on(
            day, zone, duration, after, _busy(room, clinician, couple, day, zone)
        )
        if found:
            return found
        day += datetime.timedelta(days=1)
    return None


def _busy(room, clinician, couple, day, zone) -> list[tuple[datetime.datetime, datetime.datetime]]:
    start, end = day_bounds(day, zone)
    active = Appointment.objects.active().overlapping(start, end)
    intervals = []
    for resource_filter in (
        {"room": room} if room else None,
        {"clinician_slots__clinician": clinician} if clinician else None,
        {"couple": couple} if couple else None,
    ):
        if resource_filter:
            intervals += list(active.filter(**resource_filter).values_list("start", "end"))
    return sorted(intervals)


def _free_start_on(day, zone, duration, after, busy):
    opens = datetime.datetime.combine(day, datetime.time(OPENING_HOUR), tzinfo=zone)
    closes = datetime.datetime.combine(day, datetime.time(CLOSING_HOUR), tzinfo=zone)
    candidate = max(opens, _round_up(after, zone))
    for busy_start, busy_end in busy:
        if candidate + duration <= busy_start:
            break
        candidate = max(candidate, busy_end)
    return candidate if candidate + duration <= closes else None


def _round_up(moment: datetime.datetime, zone) -> datetime.datetime:
    """To the next quarter hour, so suggested times are ones people book."""
    local = moment.astimezone(zone).replace(second=0, microsecond=0)
    extra = (-local.minute) % 15
    return local + datetime.timedelta(minutes=extra)
