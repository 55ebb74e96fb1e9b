"""The medicine-session record and the appointment page: what to show and what this user
may do now, computed by the same rules the services enforce."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import OuterRef, Prefetch, Subquery

from intake.models import Partner, Prescription
from intake.readiness import ScreeningFacts
from kapcouples import policy
from kapcouples.models import User
from sessions import rules
from sessions.boosters import booster_rules, is_booster_couple
from sessions.models import (
    AdverseEvent,
    Appointment,
    Approach,
    Discharge,
    DoseAdministration,
    MedicineSession,
    ProtocolSettings,
    RideHomeConfirmation,
    TreatmentPlan,
    VitalSigns,
)
from sessions.protocol import protocol_for
from stock import selectors as stock_reads

if TYPE_CHECKING:
    from sessions.readiness import Readiness


def medicine_session_for_record(session_id: int) -> MedicineSession | None:
    """The session with what its record reads once: the appointment and room, the clinic and
    its protocol settings, the couple's treatment plan, both partners, and whether the
    clinic keeps stock (the dose form then asks for the lot)."""
    found = (
        MedicineSession.objects.select_related(
            "appointment__room", "couple__clinic__protocol", "couple__treatment_plan"
        )
        .prefetch_related(Prefetch("couple__partners", _partners_with_ride_home(session_id)))
        .annotate(clinic_keeps_stock=stock_reads.keeps_stock_expression("couple__clinic_id"))
    )
    try:
        session = found.get(pk=session_id)  # no ORDER BY to compile, unlike first()
    except MedicineSession.DoesNotExist:
        return None
    for partner in session.couple.partners.all():
        if partner.pk == session.dosing_partner_id:
            session.dosing_partner = partner
    return session


# A partner's ride-home confirmation for this session, read with the partners (no query more).
RIDE_HOME_FIELDS = ("escort_name", "escort_phone", "escort_relationship", "confirmed_at")


def _partners_with_ride_home(session_id: int):
    confirmation = RideHomeConfirmation.objects.filter(
        medicine_session_id=session_id, partner=OuterRef("pk")
    )
    return Partner.objects.annotate(
        **{f"ride_{name}": Subquery(confirmation.values(name)[:1]) for name in RIDE_HOME_FIELDS}
    )


def _ride_home_of(partner: Partner) -> RideHomeConfirmation | None:
    """The confirmation the partners' query read, for display (None: not confirmed)."""
    if getattr(partner, "ride_confirmed_at", None) is None:
        return None
    return RideHomeConfirmation(
        partner=partner, **{name: getattr(partner, f"ride_{name}") for name in RIDE_HOME_FIELDS}
    )


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
    last_dose_at: datetime.datetime | None = None  # while dosed and not yet discharged
    minutes_since_last_dose: int | None = None
    # The partner's own "I will not drive, this person takes me home", given beforehand.
    ride_home: RideHomeConfirmation | None = None

    @property
    def doses(self) -> bool:
        return self.role == "dosing"

    @property
    def may_dose_now(self) -> bool:
        return self.doses and not self.dose_blockers and self.discharged is None


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
    doses: list[DoseAdministration]
    discharges: list[Discharge]
    events: list[AdverseEvent]
    reversed_suggestion: str
    start_readiness: "Readiness | None"
    may_record: bool
    may_sign_off: bool
    may_change_roles: bool
    # The plan's therapy content (intention, themes, agenda): the care team, not an outside
    # prescriber, who reads the record only to sign readings off.
    may_read_plan: bool

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

    plan = _plan_of(session)
    protocol = _protocol_of(session)
    couple_partners = list(session.couple.partners.all())
    may_sign_off = policy.can_sign_off_vitals(user, session.couple)
    all_readings = _with_partners(session.vitals.select_related("acknowledged_by"), couple_partners)
    doses = _with_partners(session.doses.select_related("given_by"), couple_partners)
    discharges = _with_partners(
        session.discharges.select_related("bp_signed_off_by"), couple_partners
    )
    records = medicine.partner_records(
        session, readings=all_readings, doses=doses, discharges=discharges
    )
    facts = ScreeningFacts(couple_partners)
    left = {d.partner_id: d for d in discharges}
    partners = [
        _partner_sheet(session, partner, plan, protocol, now, records[partner.pk], left, facts)
        for partner in couple_partners
    ]
    _add_ride_home_confirmations(session, partners)
    readings = [
        ReadingRow(
            reading=r,
            concerns=rules.floor_concerns(r, protocol),
            may_sign_off=may_sign_off
            and not r.acknowledged_by_id
            and rules.needs_sign_off(r, protocol),
        )
        for r in all_readings
    ]
    return SessionSheet(
        session=session,
        plan=plan,
        protocol=protocol,
        partners=partners,
        readings=readings,
        doses=doses,
        discharges=discharges,
        events=_with_partners(session.adverse_events.all(), couple_partners),
        reversed_suggestion=_reversed_suggestion(session, facts),
        start_readiness=_start_readiness(session, now, facts),
        may_record=policy.can_record_session(user, session.couple),
        may_sign_off=may_sign_off,
        may_change_roles=policy.can_edit_plan(user, session.couple)
        and session.status == MedicineSession.Status.PLANNED,
        may_read_plan=policy.can_view_clinical(user, session.couple),
    )


def _add_ride_home_confirmations(session: MedicineSession, sheets: list[PartnerSheet]) -> None:
    for sheet in sheets:
        if sheet.doses:
            sheet.ride_home = _ride_home_of(sheet.partner)


def _plan_of(session: MedicineSession) -> TreatmentPlan | None:
    """The couple's plan (the row `medicine.current_plan` reads), loaded with the session."""
    if is_booster_couple(session.couple):
        return booster_rules().open_plan(session.couple)
    try:
        return session.couple.treatment_plan
    except TreatmentPlan.DoesNotExist:
        return None


def _protocol_of(session: MedicineSession) -> ProtocolSettings:
    clinic = session.couple.clinic
    try:
        return clinic.protocol
    except ProtocolSettings.DoesNotExist:
        return protocol_for(clinic.pk)  # creates the settings with their defaults


def _with_partners(rows, partners: list[Partner]) -> list:
    """The rows with their partner taken from the couple's loaded partners, not re-read."""
    by_id = {partner.pk: partner for partner in partners}
    rows = list(rows)
    for row in rows:
        if row.partner_id in by_id:
            row.partner = by_id[row.partner_id]
    return rows


def _reversed_suggestion(session: MedicineSession, facts: ScreeningFacts) -> str:
    """For a solo session where both partners hold prescriptions: roles reversed later."""
    if session.approach != Approach.SOLO:
        return ""
    day = session.appointment.start.astimezone(session.couple.clinic.zone).date()
    other = [p for p in session.couple.partners.all() if p.pk != session.dosing_partner_id]
    if other and facts.prescription(other[0], on=day, route=session.route):
        return (
            f"Both partners hold prescriptions: consider a later solo session with the roles "
            f"reversed ({other[0].first_name} doses, {session.dosing_partner.first_name} is the "
            f"{session.get_support_role_display().lower()})."
        )
    return ""


def _start_readiness(
    session: MedicineSession, now: datetime.datetime, facts: ScreeningFacts
) -> "Readiness | None":
    from sessions import medicine
    from sessions.readiness import START, readiness_check

    if session.status != MedicineSession.Status.PLANNED:
        return None
    return readiness_check(
        couple=session.couple,
        start=session.appointment.start,
        purpose=START,
        appointment=session.appointment,
        arrangement=medicine.arrangement_of(session),
        at=max(now, session.appointment.start),
        screening=facts,
    )


def _partner_sheet(
    session, partner, plan, protocol, now, record, discharges, facts
) -> PartnerSheet:
    from sessions import medicine

    sheet = PartnerSheet(partner=partner, role=session.role_of(partner))
    if not sheet.doses:
        return sheet
    sheet.discharged = discharges.get(partner.pk)
    sheet.given_mg = sum((d.mg for d in record.doses), Decimal("0"))
    day = now.astimezone(session.couple.clinic.zone).date()
    prescription = facts.prescription(partner, on=day, route=session.route)
    found = medicine.dose_cap_with(session, partner, plan, prescription)
    if found is not None:
        sheet.cap_mg, sheet.share_percent, sheet.prescription = found
        sheet.prescription_status = sheet.prescription.display_status(day)
    if session.status != MedicineSession.Status.IN_PROGRESS:
        return sheet
    sheet.dose_blockers = medicine.dose_blockers(
        session, partner, now, plan=plan, record=record, protocol=protocol, screening_facts=facts
    )
    zone = session.couple.clinic.zone
    if record.doses and sheet.discharged is None:
        sheet.last_dose_at = record.last_dose.given_at
        sheet.minutes_since_last_dose = int((now - sheet.last_dose_at).total_seconds() // 60)
        sheet.discharge_blockers = rules.discharge_reading_blockers(
            partner.first_name, record, protocol, now, zone, signed_off_hold=False
        )
        sheet.due = _due(partner, record, protocol, now, zone)
    return sheet


def _due(partner, record, protocol, now, zone) -> list[str]:
    """The readings due next for a dosed partner, with their times."""
    last = record.last_dose
    opens, closes = rules.post_dose_window(record, protocol)
    due = []
    if not rules.post_dose_reading_taken(record, protocol, now):
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
        complete=policy.can_complete_appointment(user, appointment.couple)
        and not is_medicine
        and held,
        session_record_id=record.pk if record is not None and clinical else None,
    )
