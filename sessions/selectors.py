"""Reads for calendars, the couple page and the session record, scoped to the viewer."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from intake.models import Couple, Partner, Prescription
from kapcouples import policy
from kapcouples.models import Clinic, Role, Room, User
from sessions import rules
from sessions.models import (
    Appointment,
    Discharge,
    MedicineSession,
    ProtocolSettings,
    TreatmentPlan,
    VitalSigns,
)
from sessions.protocol import protocol_for

if TYPE_CHECKING:
    from sessions.readiness import Readiness

OPENING_HOUR, CLOSING_HOUR = 8, 18  # clinic time; the next-free-slot search stays inside
SLOT_SEARCH_DAYS = 60


class Phase:
    ASSESSMENT = "Assessment"
    PREPARATION = "Preparation"
    MEDICINE = "Medicine session"
    INTEGRATION = "Integration"
    COMPLETED = "Completed"


def day_bounds(day: datetime.date, zone) -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight to midnight in the clinic's zone (23 or 25 hours on a clock-change day)."""
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def appointments_between(clinic_id: int, start, end) -> QuerySet[Appointment]:
    """A clinic's appointments touching [start, end), with what a calendar shows."""
    return (
        Appointment.objects.filter(clinic_id=clinic_id, start__lt=end, end__gt=start)
        .select_related("room", "medicine_record")
        .prefetch_related(
            Prefetch("couple", queryset=Couple.objects.prefetch_related("partners")),
            "clinician_slots__clinician",
        )
        .order_by("start")
    )


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


@dataclass
class CalendarRow:
    label: str
    cells: list[list[Appointment]]


def calendar_rows(
    appointments: list[Appointment], *, by: str, clinic_id: int, days: list[datetime.date], zone
) -> list[CalendarRow]:
    """One row per room (or clinician), one cell per day, appointments in start order."""
    resources = clinic_rooms(clinic_id) if by == "room" else clinic_clinicians(clinic_id)
    rows = []
    for resource in resources:
        cells = []
        for day in days:
            cells.append([a for a in appointments if _on(a, day, zone) and _uses(a, resource, by)])
        rows.append(CalendarRow(label=_label(resource, by), cells=cells))
    return rows


def _on(appointment: Appointment, day: datetime.date, zone) -> bool:
    return appointment.start.astimezone(zone).date() == day


def _uses(appointment: Appointment, resource, by: str) -> bool:
    if by == "room":
        return appointment.room_id == resource.pk
    return any(slot.clinician_id == resource.pk for slot in appointment.clinician_slots.all())


def _label(resource, by: str) -> str:
    return resource.name if by == "room" else resource.get_full_name()


def appointments_for_couple(couple: Couple) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(couple=couple)
        .select_related("room", "medicine_record")
        .prefetch_related("clinician_slots__clinician")
        .order_by("-start")
    )


def appointments_for_clinician(user: User, start, end) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(clinician_slots__clinician=user, start__lt=end, end__gt=start)
        .select_related("room", "medicine_record", "clinic")
        .prefetch_related(Prefetch("couple", queryset=Couple.objects.prefetch_related("partners")))
        .order_by("start")
    )


def couple_phase(couple: Couple) -> str:
    """The couple's phase, derived from its appointments (never typed in)."""
    plan = TreatmentPlan.objects.filter(couple=couple).first()
    if couple.status == Couple.Status.COMPLETED or (
        plan and plan.status == TreatmentPlan.Status.COMPLETED
    ):
        return Phase.COMPLETED
    appointments = Appointment.objects.filter(couple=couple)
    if appointments.filter(
        kind=Appointment.Kind.MEDICINE, medicine_record__status=MedicineSession.Status.IN_PROGRESS
    ).exists():
        return Phase.MEDICINE
    done = appointments.filter(status=Appointment.Status.COMPLETED)
    if not done.filter(kind=Appointment.Kind.ASSESSMENT).exists():
        return Phase.ASSESSMENT
    medicine = done.filter(kind=Appointment.Kind.MEDICINE)
    last = medicine.order_by("-start").first()
    if last is None:
        return Phase.PREPARATION
    if not done.filter(kind=Appointment.Kind.INTEGRATION, start__gt=last.start).exists():
        return Phase.INTEGRATION
    if plan and medicine.count() >= plan.planned_medicine_sessions:
        return Phase.COMPLETED
    return Phase.PREPARATION


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


def medicine_session_for_record(session_id: int) -> MedicineSession | None:
    return (
        MedicineSession.objects.select_related(
            "appointment__room", "couple__clinic", "dosing_partner"
        )
        .prefetch_related("couple__partners")
        .filter(pk=session_id)
        .first()
    )


# --- The medicine-session record page --------------------------------------------------------
@dataclass
class PartnerSheet:
    """One partner on the session record: role, cap, what is due, what may be done now."""

    partner: Partner
    role: str  # "dosing", "sitter" or "chaperone"
    prescription: Prescription | None = None
    prescription_status: str = ""
    cap_mg: Decimal | None = None
    share_percent: int = 0
    given_mg: Decimal = Decimal("0")
    dose_blockers: list[str] = field(default_factory=list)
    discharge_blockers: list[str] = field(default_factory=list)
    due: list[str] = field(default_factory=list)
    discharged: Discharge | None = None

    @property
    def doses(self) -> bool:
        return self.role == "dosing"

    @property
    def may_dose_now(self) -> bool:
        return self.doses and not self.dose_blockers and self.discharged is None

    @property
    def may_discharge_now(self) -> bool:
        return self.given_mg > 0 and not self.discharge_blockers and self.discharged is None


@dataclass
class ReadingRow:
    reading: VitalSigns
    concerns: list[str]
    may_sign_off: bool  # this user may acknowledge / override it now

    @property
    def is_hold(self) -> bool:
        return self.reading.level == VitalSigns.Level.HOLD

    @property
    def badge(self) -> str:
        """The Bootstrap colour of the reading's level."""
        if self.is_hold:
            return "danger"
        if self.reading.level == VitalSigns.Level.CAUTION or self.concerns:
            return "warning"
        return "success"


@dataclass
class SessionSheet:
    """Everything the session record shows, computed by the rules the services enforce."""

    session: MedicineSession
    plan: TreatmentPlan | None
    protocol: ProtocolSettings
    partners: list[PartnerSheet]
    readings: list[ReadingRow]
    start_readiness: "Readiness | None"
    may_record: bool
    may_sign_off: bool
    may_change_roles: bool

    @property
    def in_progress(self) -> bool:
        return self.session.status == MedicineSession.Status.IN_PROGRESS

    @property
    def planned(self) -> bool:
        return self.session.status == MedicineSession.Status.PLANNED

    @property
    def due(self) -> list[str]:
        return [line for sheet in self.partners for line in sheet.due]


def session_sheet(session: MedicineSession, user: User, now: datetime.datetime) -> SessionSheet:
    from sessions import medicine  # medicine imports this module's neighbours
    from sessions.readiness import START, readiness_check

    plan = medicine.current_plan(session)
    protocol = protocol_for(session.couple.clinic_id)
    may_sign_off = policy.can_sign_off_vitals(user, session.couple)
    partners = [
        _partner_sheet(session, partner, plan, protocol, now)
        for partner in session.couple.partners.all()
    ]
    readings = [
        ReadingRow(
            reading=r,
            concerns=rules.floor_concerns(r, protocol),
            may_sign_off=may_sign_off
            and not r.acknowledged_by_id
            and rules.needs_sign_off(r, protocol),
        )
        for r in session.vitals.select_related("partner", "acknowledged_by")
    ]
    start_readiness = None
    if session.status == MedicineSession.Status.PLANNED:
        start_readiness = readiness_check(
            couple=session.couple,
            start=session.appointment.start,
            purpose=START,
            appointment=session.appointment,
            arrangement=medicine.arrangement_of(session),
            at=max(now, session.appointment.start),
        )
    return SessionSheet(
        session=session,
        plan=plan,
        protocol=protocol,
        partners=partners,
        readings=readings,
        start_readiness=start_readiness,
        may_record=policy.can_record_session(user, session.couple),
        may_sign_off=may_sign_off,
        may_change_roles=policy.can_edit_plan(user, session.couple)
        and session.status == MedicineSession.Status.PLANNED,
    )


def _partner_sheet(session, partner, plan, protocol, now) -> PartnerSheet:
    from sessions import medicine

    sheet = PartnerSheet(partner=partner, role=session.role_of(partner))
    if not sheet.doses:
        return sheet
    record = medicine.partner_record(session, partner)
    sheet.discharged = session.discharges.filter(partner=partner).first()
    sheet.given_mg = sum((d.mg for d in record.doses), Decimal("0"))
    found = medicine.dose_cap_for(session, partner, now, plan)
    if found is not None:
        sheet.cap_mg, sheet.share_percent, sheet.prescription = found
        day = now.astimezone(session.couple.clinic.zone).date()
        sheet.prescription_status = sheet.prescription.display_status(day)
    if session.status != MedicineSession.Status.IN_PROGRESS:
        return sheet
    sheet.dose_blockers = medicine.dose_blockers(session, partner, now, plan=plan, record=record)
    zone = session.couple.clinic.zone
    if record.doses and sheet.discharged is None:
        sheet.discharge_blockers = rules.discharge_reading_blockers(
            partner.first_name, record, protocol, now, zone, signed_off_hold=False
        )
        sheet.due = _due(partner, record, protocol, now, zone)
    return sheet


def _due(partner, record, protocol, now, zone) -> list[str]:
    """The readings due next for a dosed partner, with their times."""
    last = record.last_dose
    opens = last.given_at + datetime.timedelta(minutes=protocol.post_dose_reading_from_minutes)
    closes = last.given_at + datetime.timedelta(minutes=protocol.post_dose_reading_until_minutes)
    done = any(opens <= r.taken_at <= closes for r in record.readings)
    due = []
    if not done:
        due.append(
            f"{partner.first_name}: the post-dose reading is due between "
            f"{opens.astimezone(zone):%H:%M} and {closes.astimezone(zone):%H:%M}."
        )
    leave = last.given_at + datetime.timedelta(minutes=protocol.min_monitoring_minutes)
    due.append(
        f"{partner.first_name}: discharge from {leave.astimezone(zone):%H:%M}, after a "
        "pre-discharge reading."
    )
    return due


@dataclass(frozen=True)
class AppointmentActions:
    """What the appointment page offers this user now, by the services' own conditions."""

    check_in: bool
    move: bool
    cancel: bool
    no_show: bool
    complete: bool
    session_record_id: int | None


def appointment_actions(
    appointment: Appointment, user: User, now: datetime.datetime
) -> AppointmentActions:
    may_book = policy.can_book(user, appointment.couple)
    booked = appointment.status == Appointment.Status.BOOKED
    started = appointment.start <= now
    is_medicine = appointment.kind == Appointment.Kind.MEDICINE
    held = appointment.status == Appointment.Status.CHECKED_IN or (booked and started)
    clinical = policy.can_view_clinical(user, appointment.couple)
    record = getattr(appointment, "medicine_record", None) if is_medicine else None
    return AppointmentActions(
        check_in=may_book and booked,
        move=may_book and booked,
        cancel=may_book and booked,
        no_show=may_book and booked and started,
        complete=clinical and not is_medicine and held,
        session_record_id=record.pk if record is not None and clinical else None,
    )
