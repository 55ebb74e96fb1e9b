"""The front desk's day and week calendars.

A week of a busy clinic holds hundreds of appointments, so the calendar reads plain
rows (`values()`), not model instances, in three queries bounded by the visible time
range, and builds each chip's text once in Python rather than in an included template.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

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
    times: str  # "09:00–09:50", clinic time
    kind: str
    names: str  # the partners' first names
    status: str
    badge: str
    is_active: bool


@dataclass
class CalendarRow:
    label: str
    cells: list[tuple[str, list[CalendarChip]]]  # (day label, chips) per visible day


def calendar_rows(*, clinic_id: int, by: str, days: list[datetime.date], zone) -> list[CalendarRow]:
    """One row per room (or clinician), one cell per day, chips in start order."""
    start, _ = day_bounds(days[0], zone)
    _, end = day_bounds(days[-1], zone)
    rows = list(appointments_between(clinic_id, start, end).values(*CHIP_FIELDS))
    chips = _chips(rows, zone)
    place = _placed_by_room if by == "room" else _placed_by_clinician
    placed = place(rows, chips, zone)
    labels = [f"{day:%a} {day.day} {day:%b}" for day in days]
    return [
        CalendarRow(
            label=label,
            cells=[(labels[n], placed.get((pk, day), [])) for n, day in enumerate(days)],
        )
        for pk, label in _resources(clinic_id, by)
    ]


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
    kinds, statuses = dict(Appointment.Kind.choices), dict(Appointment.Status.choices)
    chips = {}
    for row in rows:
        start, end = row["start"].astimezone(zone), row["end"].astimezone(zone)
        chips[row["id"]] = CalendarChip(
            id=row["id"],
            url=url.replace(str(_ID_MARK), str(row["id"])),
            times=f"{start:%H:%M}–{end:%H:%M}",
            kind=kinds[row["kind"]],
            names=names.get(row["couple_id"], ""),
            status=statuses[row["status"]],
            badge=STATUS_BADGE.get(row["status"], "secondary"),
            is_active=row["status"] in Appointment.ACTIVE_STATUSES,
        )
    return chips


def _partner_names(couple_ids: set[int]) -> dict[int, str]:
    found: dict[int, list[str]] = defaultdict(list)
    partners = Partner.objects.filter(couple_id__in=couple_ids).order_by("couple_id", "slot")
    for couple_id, first_name in partners.values_list("couple_id", "first_name"):
        found[couple_id].append(first_name)
    return {couple_id: " & ".join(names) for couple_id, names in found.items()}
