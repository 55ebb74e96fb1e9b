"""Opening hours, and what a booking's time asks of the person making it.

An appointment that starts in the past, falls outside the clinic's opening hours (in the
clinic's zone) or ends on another local day than it starts is not refused outright (a
session that ran late, a record entered afterwards), but it needs a written reason.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from kapcouples.models import Clinic
from sessions.models import OpeningHours, Weekday

# A couple who walk in are booked as they arrive: a start this recent is not "backdated".
WALK_IN_GRACE = datetime.timedelta(minutes=15)


def opening_hours_create(clinic_id: int) -> None:
    """The default hours of each weekday the clinic has none for (with their history, so
    the first change still shows what it replaced)."""
    have = set(OpeningHours.objects.filter(clinic_id=clinic_id).values_list("weekday", flat=True))
    missing = [
        OpeningHours(clinic_id=clinic_id, weekday=d) for d in Weekday.values if d not in have
    ]
    try:
        with transaction.atomic():
            bulk_create_with_history(missing, OpeningHours)
    except IntegrityError:
        pass  # made meanwhile by a concurrent first read: theirs are the same defaults


def opening_hours_for(clinic_id: int) -> dict[int, OpeningHours]:
    """The clinic's hours by weekday (0 = Monday), made with the defaults on first use."""
    rows = {row.weekday: row for row in OpeningHours.objects.filter(clinic_id=clinic_id)}
    if len(rows) < len(Weekday.values):
        opening_hours_create(clinic_id)
        rows = {row.weekday: row for row in OpeningHours.objects.filter(clinic_id=clinic_id)}
    return rows


DAY_FIELDS = ("is_closed", "opens", "closes")


def day_hours_annotations(weekday: int) -> dict:
    """Columns for a query on a row with a `clinic_id` (the room a booking locks): that
    clinic's hours of `weekday`, so the booking reads them without a statement of its own."""
    hours = OpeningHours.objects.filter(clinic_id=OuterRef("clinic_id"), weekday=weekday)
    return {f"day_{name}": Subquery(hours.values(name)[:1]) for name in DAY_FIELDS}


def day_hours_from(clinic_id: int, weekday: int, row: tuple) -> dict[int, OpeningHours]:
    """The weekday's hours from those columns (a clinic without rows gets its defaults)."""
    values = dict(zip(DAY_FIELDS, row, strict=True))
    if values["opens"] is None:
        return opening_hours_for(clinic_id)
    return {weekday: OpeningHours(clinic_id=clinic_id, weekday=weekday, **values)}


def on_clinic_created(sender, instance: Clinic, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        opening_hours_create(instance.pk)


@dataclass(frozen=True)
class TimeConcerns:
    """What a booking's time needs confirmed; each a sentence for the person booking."""

    outside_hours: str = ""
    backdated: str = ""

    def __bool__(self) -> bool:
        return bool(self.outside_hours or self.backdated)


def time_concerns(
    *,
    clinic: Clinic,
    start: datetime.datetime,
    end: datetime.datetime,
    hours: dict[int, OpeningHours],
    now: datetime.datetime | None = None,
) -> TimeConcerns:
    """Judge [start, end) against the clinic's hours and the clock (no queries)."""
    now = now or timezone.now()
    zone = clinic.zone
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    backdated = ""
    if start < now - WALK_IN_GRACE:
        backdated = (
            f"This starts in the past ({local_start:%a %d %b %Y %H:%M}). Confirm it is a "
            "record of an appointment that happened (no messages are sent)."
        )
    return TimeConcerns(
        outside_hours=_outside_hours(local_start, local_end, hours), backdated=backdated
    )


def _outside_hours(local_start, local_end, hours: dict[int, OpeningHours]) -> str:
    # An end at exactly midnight is still the same clinic day.
    last_moment = local_end - datetime.timedelta(microseconds=1)
    if last_moment.date() != local_start.date():
        return (
            f"This ends on another day ({local_end:%a %d %b %H:%M}) than it starts "
            f"({local_start:%a %d %b %H:%M})."
        )
    day = hours.get(local_start.weekday())
    if day is None or day.is_closed:
        return f"The clinic is closed on {local_start:%A}s."
    end_time = datetime.time.max if local_end.date() != local_start.date() else local_end.time()
    if not day.covers(local_start.time(), end_time):
        return (
            f"This is outside opening hours: on {local_start:%A}s the clinic is open "
            f"{day.opens:%H:%M}–{day.closes:%H:%M}."
        )
    return ""
