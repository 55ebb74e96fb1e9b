"""The front desk's day and week calendars.

A week of a busy clinic holds hundreds of appointments, so the calendar reads plain
rows (`values()`), not model instances, in three queries bounded by the visible time
range, and builds each chip's text once in Python rather than in an included template.
"""

import contextlib
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse

from intake.models import Partner
from kapcouples.models import Role, Room, User
from sessions.models import MAX_APPOINTMENT_LENGTH, Appointment, AppointmentClinician

CHIP_FIELDS = ("id", "start", "end", "kind", "status", "room_id", "couple_id")
STATUS_BADGE = {
    Appointment.Status.BOOKED: "primary",
    Appointment.Status.CHECKED_IN: "warning",
    Appointment.Status.COMPLETED: "success",
}
_ID_MARK = 2_147_483_000  # a placeholder id, swapped for each chip's own
# The time grid's visible hours, clinic time. Fixed rather than the clinic's opening hours:
# the desk also sees (and can book) early and late sessions.
GRID_FIRST_HOUR, GRID_LAST_HOUR = 7, 21
GRID_SLOT_MINUTES = 30
GRID_ROWS = (GRID_LAST_HOUR - GRID_FIRST_HOUR) * 60 // GRID_SLOT_MINUTES


def day_bounds(day: datetime.date, zone) -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight to midnight in the clinic's zone (23 or 25 hours on a clock-change day)."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def appointments_between(clinic_id: int, start, end) -> QuerySet[Appointment]:
    """A clinic's appointments touching [start, end).

    The lower bound on `start` lets the (clinic, start) index stop at the visible range
    instead of walking the clinic's whole history: no appointment is longer than
    MAX_APPOINTMENT_LENGTH (a database constraint).
    """
    return Appointment.objects.filter(
        clinic_id=clinic_id,
        start__gte=start - MAX_APPOINTMENT_LENGTH,
        start__lt=end,
        end__gt=start,
    ).order_by("start", "pk")


def clinic_rooms(clinic_id: int) -> QuerySet[Room]:
    return Room.objects.filter(clinic_id=clinic_id, is_active=True).order_by("name")


def clinic_clinicians(clinic_id: int) -> QuerySet[User]:
    """Active clinicians and prescribers of the clinic (who can be booked)."""
    return User.objects.filter(
        membership__clinic_id=clinic_id,
        membership__is_active=True,
        membership__role__in=[Role.CLINICIAN, Role.PRESCRIBER],
        is_active=True,
    ).order_by("full_name")


@dataclass(frozen=True)
class CalendarChip:
    id: int
    url: str
    move_url: str
    times: str  # "09:00–09:50", clinic time
    kind: str
    names: str  # the partners' first names
    status: str
    badge: str
    is_active: bool
    row: int  # first grid row (1-based); 0 when wholly outside the visible hours
    span: int  # grid rows covered, at least 1


@dataclass
class CalendarColumn:
    """One room (or clinician) on one day."""

    day: datetime.date
    resource_id: int
    resource: str
    chips: list[CalendarChip] = field(default_factory=list)

    @property
    def placed(self) -> list[CalendarChip]:
        return [chip for chip in self.chips if chip.row]

    @property
    def outside(self) -> list[CalendarChip]:
        """Appointments wholly before or after the visible hours, listed under the column."""
        return [chip for chip in self.chips if not chip.row]


@dataclass
class CalendarGrid:
    by: str  # "room" or "clinician"
    days: list[datetime.date]
    resources: list[tuple[int, str]]
    columns: list[CalendarColumn]
    times: list[datetime.time] = field(default_factory=list)  # the start of each grid row

    @property
    def ends(self) -> str:
        return f"{GRID_LAST_HOUR:02d}:00"


def grid_times() -> list[datetime.time]:
    """The start of each visible grid row, clinic time."""
    first = datetime.datetime.combine(datetime.date.min, datetime.time(GRID_FIRST_HOUR))
    step = datetime.timedelta(minutes=GRID_SLOT_MINUTES)
    return [(first + n * step).time() for n in range(GRID_ROWS)]


def grid_place(start: datetime.datetime, end: datetime.datetime) -> tuple[int, int]:
    """(first row, rows spanned) of a local [start, end) on the grid of its start's day;
    (0, 1) when it lies wholly outside the visible hours. Clipped at both edges."""
    first = _grid_minutes(start)
    last = _grid_minutes(start) + int((end - start).total_seconds() // 60)
    visible = (GRID_LAST_HOUR - GRID_FIRST_HOUR) * 60
    if last <= 0 or first >= visible:
        return 0, 1
    first, last = max(first, 0), min(last, visible)
    row = first // GRID_SLOT_MINUTES + 1
    end_row = -(-last // GRID_SLOT_MINUTES) + 1  # the row after the last one touched
    return row, max(end_row - row, 1)


def _grid_minutes(moment: datetime.datetime) -> int:
    """Minutes from the grid's first hour to `moment`'s wall-clock time."""
    return (moment.hour - GRID_FIRST_HOUR) * 60 + moment.minute


def calendar_grid(*, clinic_id: int, by: str, days: list[datetime.date], zone) -> CalendarGrid:
    """One column per room (or clinician) per visible day, chips placed on the time grid."""
    start, _ = day_bounds(days[0], zone)
    _, end = day_bounds(days[-1], zone)
    rows = list(appointments_between(clinic_id, start, end).values(*CHIP_FIELDS))
    chips = _chips(rows, zone)
    place = _placed_by_room if by == "room" else _placed_by_clinician
    placed = place(rows, chips, zone)
    resources = _resources(clinic_id, by)
    columns = [
        CalendarColumn(day=day, resource_id=pk, resource=name, chips=placed.get((pk, day), []))
        for day in days
        for pk, name in resources
    ]
    return CalendarGrid(by=by, days=days, resources=resources, columns=columns, times=grid_times())


Placed = dict[tuple[int, datetime.date], list[CalendarChip]]


def _placed_by_room(rows, chips, zone) -> Placed:
    placed: Placed = defaultdict(list)
    for row in rows:  # already in start order
        placed[row["room_id"], row["start"].astimezone(zone).date()].append(chips[row["id"]])
    return placed


def _placed_by_clinician(rows, chips, zone) -> Placed:
    placed: Placed = defaultdict(list)
    by_appointment = {row["id"]: row for row in rows}
    slots = AppointmentClinician.objects.filter(appointment_id__in=by_appointment).values_list(
        "appointment_id", "clinician_id"
    )
    for appointment_id, clinician_id in sorted(slots):
        row = by_appointment[appointment_id]
        placed[clinician_id, row["start"].astimezone(zone).date()].append(chips[appointment_id])
    for cell in placed.values():
        cell.sort(key=lambda chip: (by_appointment[chip.id]["start"], chip.id))
    return placed


def _resources(clinic_id: int, by: str) -> list[tuple[int, str]]:
    if by == "room":
        return list(clinic_rooms(clinic_id).values_list("pk", "name"))
    return list(clinic_clinicians(clinic_id).values_list("pk", "full_name"))


def _chips(rows: list[dict], zone) -> dict[int, CalendarChip]:
    names = _partner_names({row["couple_id"] for row in rows})
    url = reverse("clinic_sessions:appointment_detail", args=[_ID_MARK])
    move_url = reverse("clinic_sessions:appointment_reschedule", args=[_ID_MARK])
    kinds, statuses = dict(Appointment.Kind.choices), dict(Appointment.Status.choices)
    chips = {}
    for row in rows:
        start, end = row["start"].astimezone(zone), row["end"].astimezone(zone)
        grid_row, span = grid_place(start, end)
        chips[row["id"]] = CalendarChip(
            id=row["id"],
            url=url.replace(str(_ID_MARK), str(row["id"])),
            move_url=move_url.replace(str(_ID_MARK), str(row["id"])),
            times=f"{start:%H:%M}–{end:%H:%M}",
            kind=kinds[row["kind"]],
            names=names.get(row["couple_id"], ""),
            status=statuses[row["status"]],
            badge=STATUS_BADGE.get(row["status"], "secondary"),
            is_active=row["status"] in Appointment.ACTIVE_STATUSES,
            row=grid_row,
            span=span,
        )
    return chips


def _partner_names(couple_ids: set[int]) -> dict[int, str]:
    found: dict[int, list[str]] = defaultdict(list)
    partners = Partner.objects.filter(couple_id__in=couple_ids).order_by("couple_id", "slot")
    for couple_id, first_name in partners.values_list("couple_id", "first_name"):
        found[couple_id].append(first_name)
    return {couple_id: " & ".join(names) for couple_id, names in found.items()}


def slot_summary(*, clinic_id: int, prefill: dict[str, str]) -> str:
    """A chosen calendar slot in words ("Wed 2 Dec 2026, 09:30 · Cedar · Casey Morgan"),
    naming only the clinic's own room and clinician; what does not parse is left out."""
    parts = []
    with contextlib.suppress(ValueError):
        parts.append(f"{datetime.date.fromisoformat(prefill.get('date', '')):%a %-d %b %Y}")
    with contextlib.suppress(ValueError):
        parts.append(f"{datetime.time.fromisoformat(prefill.get('start_time', '')):%H:%M}")
    names = [
        _name_of(clinic_rooms(clinic_id), prefill.get("room"), "name"),
        _name_of(clinic_clinicians(clinic_id), prefill.get("clinician"), "full_name"),
    ]
    return " · ".join([", ".join(parts), *filter(None, names)])


def _name_of(queryset: QuerySet, pk: str | None, field_name: str) -> str:
    if not (pk or "").isdigit():
        return ""
    return queryset.filter(pk=int(pk)).values_list(field_name, flat=True).first() or ""
