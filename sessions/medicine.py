"""The medicine-session record: start, vitals, doses, adverse events, discharge.

Every safety rule of DESIGN §4 for the day itself is enforced here, at the moment of
each act: who may act (asked of the policy, never taken from the caller), the readings
each dose and discharge need (`sessions.rules`), the screening and the plan as they
stand on the day of the dose, and the dose cap against the active prescription.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from intake import readiness as screening
from intake.models import Partner, ScreeningSettings
from integration import services as integration
from integration.models import Alert
from kapcouples import policy
from kapcouples.models import Clinic, Role, User
from kapcouples.services import DomainError
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
    TreatmentPlan,
    VitalSigns,
)
from sessions.protocol import blood_pressure_level, dose_cap_mg, protocol_for, setting_row
from sessions.readiness import START, Arrangement, readiness_check, screening_problems
from sessions.services import NotReadyError, _validated, _validated_fields
from stock import selectors as stock_reads
from stock import services as stock_writes

HOLD_ALERT_MINUTES = 30


class InvalidFields(DomainError):
    """Input a rule refuses, by form field, so the page shows each message next to it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def _locked(session: MedicineSession) -> MedicineSession:
    return (
        MedicineSession.objects.select_for_update(of=("self",))
        .select_related("appointment", "couple__clinic")
        .get(pk=session.pk)
    )


def _ensure_recorder(by: User, session: MedicineSession, to: str) -> None:
    policy.ensure(policy.can_record_session, by, session.couple, to=to)


def _require_in_progress(session: MedicineSession) -> None:
    if session.status != MedicineSession.Status.IN_PROGRESS:
        raise DomainError(
            f"The session is {session.get_status_display().lower()}: start it first "
            "(records are taken only while it is in progress)."
        )


def _require_partner(session: MedicineSession, partner: Partner) -> None:
    if partner.couple_id != session.couple_id:
        raise DomainError("That person is not a partner of this couple.")


def arrangement_of(session: MedicineSession) -> Arrangement:
    return Arrangement(session.approach, session.dosing_partner_id, session.route)


def partner_records(
    session: MedicineSession, *, readings=None, doses=None, discharges=None
) -> dict[int, rules.PartnerRecord]:
    """Every partner's readings, doses and discharge in this session, in three queries (or
    none, from the lists a caller has read already)."""
    readings = list(session.vitals.all()) if readings is None else readings
    doses = list(session.doses.all()) if doses is None else doses
    discharges = list(session.discharges.all()) if discharges is None else discharges
    left = {d.partner_id: d.discharged_at for d in discharges}
    return {
        partner.pk: rules.PartnerRecord(
            readings=[r for r in readings if r.partner_id == partner.pk],
            doses=[d for d in doses if d.partner_id == partner.pk],
            discharged_at=left.get(partner.pk),
        )
        for partner in session.couple.partners.all()
    }


def partner_record(session: MedicineSession, partner: Partner) -> rules.PartnerRecord:
    """The partner's readings, doses and discharge in this session, read now."""
    discharge = Discharge.objects.filter(medicine_session=session, partner=partner).first()
    return rules.PartnerRecord(
        readings=list(VitalSigns.objects.filter(medicine_session=session, partner=partner)),
        doses=list(DoseAdministration.objects.filter(medicine_session=session, partner=partner)),
        discharged_at=discharge.discharged_at if discharge else None,
    )


def current_plan(session: MedicineSession):
    """The plan the session is held under now: the treatment plan, or for a booster (the
    program is completed) the couple's maintenance plan."""
    if is_booster_couple(session.couple):
        return booster_rules().open_plan(session.couple)
    return TreatmentPlan.objects.filter(couple_id=session.couple_id).first()


@transaction.atomic
def medicine_session_update_roles(
    *,
    session: MedicineSession,
    approach: str,
    dosing_partner: Partner | None,
    support_role: str,
    route: str,
    by: User,
) -> MedicineSession:
    """Change this session's approach and roles before it starts, never above the plan."""
    session = _locked(session)
    policy.ensure(policy.can_edit_plan, by, session.couple, to="change a session's approach")
    if session.status != MedicineSession.Status.PLANNED:
        raise DomainError("Approach and roles can only change before the session starts.")
    if approach == Approach.SOLO:
        if dosing_partner is None or dosing_partner.couple_id != session.couple_id:
            raise DomainError("A solo session names which partner of this couple doses.")
        if not support_role:
            raise DomainError("A solo session names the other partner's role.")
    else:
        dosing_partner, support_role = None, ""
    session.approach, session.dosing_partner = approach, dosing_partner
    session.support_role, session.route = support_role, route
    _check_within_plan(session, current_plan(session))
    _validated(session)
    session.save()
    return session


def _check_within_plan(session: MedicineSession, plan: TreatmentPlan | None) -> None:
    for partner in session.dosing_partners():
        allowed = rules.plan_share_percent(plan, partner.pk)
        if session.share_percent > allowed:
            what = f"{allowed} %" if allowed else "no dose"
            raise DomainError(
                f"The approved plan allows {partner.first_name} {what} of their prescribed "
                f"dose; {session.get_approach_display()} would give {session.share_percent} %. "
                "A prescriber must re-approve the plan with that approach first."
            )


@transaction.atomic
def medicine_session_start(
    *, session: MedicineSession, by: User, at: datetime.datetime | None = None
) -> MedicineSession:
    """Start the session once the readiness gate (purpose: start) is met."""
    session = _locked(session)
    _ensure_recorder(by, session, "start a medicine session")
    return session_begin(session=session, by=by, at=at)


def session_begin(
    *, session: MedicineSession, by: User, at: datetime.datetime | None = None
) -> MedicineSession:
    """Start a locked session whose starter the caller has checked (the care team here, the
    dosing partner at home): the readiness gate, the plan and, at home, the setting."""
    if session.status != MedicineSession.Status.PLANNED:
        raise DomainError("This session has already started or ended.")
    appointment = session.appointment
    if appointment.status not in Appointment.UPCOMING_STATUSES:
        raise DomainError(f"The appointment is {appointment.get_status_display().lower()}.")
    at = at or timezone.now()
    readiness = readiness_check(
        couple=session.couple,
        start=appointment.start,
        purpose=START,
        appointment=appointment,
        arrangement=arrangement_of(session),
        at=at,
    )
    if not readiness.ready:
        raise NotReadyError(readiness)
    plan = current_plan(session)
    _check_within_plan(session, plan)
    problems = home_problems(session, plan)
    if problems:
        raise DomainError("Not at home: " + " ".join(problems))
    session.status, session.started_at, session.started_by = (
        MedicineSession.Status.IN_PROGRESS,
        at,
        by,
    )
    session.save()
    if appointment.status == Appointment.Status.BOOKED:
        appointment.status = Appointment.Status.CHECKED_IN
        appointment.save(update_fields=["status"])
    return session


@transaction.atomic
def vitals_record(
    *,
    session: MedicineSession,
    partner: Partner,
    moment: str,
    systolic: int,
    diastolic: int,
    heart_rate: int,
    spo2: int,
    sedation: bool = False,
    dissociation: bool = False,
    respiratory_depression: bool = False,
    by: User,
    at: datetime.datetime | None = None,
) -> VitalSigns:
    """Record a reading; its level (normal, caution, hold) follows the clinic's thresholds.

    A hold reading starts a watch: if it is still in force 30 minutes later, the care team
    gets an urgent alert.
    """
    session = _locked(session)
    _ensure_recorder(by, session, "record vitals")
    return vitals_write(
        session=session,
        partner=partner,
        moment=moment,
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=heart_rate,
        spo2=spo2,
        sedation=sedation,
        dissociation=dissociation,
        respiratory_depression=respiratory_depression,
        by=by,
        at=at,
    )


def vitals_write(
    *,
    session: MedicineSession,
    partner: Partner,
    moment: str,
    systolic: int,
    diastolic: int,
    heart_rate: int,
    spo2: int,
    sedation: bool = False,
    dissociation: bool = False,
    respiratory_depression: bool = False,
    by: User,
    at: datetime.datetime | None = None,
) -> VitalSigns:
    """Write a reading to a locked session whose recorder the caller has checked (the care
    team here, the partner measuring themselves at home); the same levels and hold watch."""
    _require_in_progress(session)
    _require_partner(session, partner)
    protocol = protocol_for(session.couple.clinic_id)
    vitals = VitalSigns(
        medicine_session=session,
        partner=partner,
        moment=moment,
        taken_at=at or timezone.now(),
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=heart_rate,
        spo2=spo2,
        sedation=sedation,
        dissociation=dissociation,
        respiratory_depression=respiratory_depression,
        level=blood_pressure_level(protocol, systolic=systolic, diastolic=diastolic),
        recorded_by=by,
    )
    _validated_fields(vitals)
    vitals.save()
    if vitals.level == VitalSigns.Level.HOLD:
        integration.hold_watch_schedule(
            couple=session.couple,
            partner=partner,
            vitals_id=vitals.pk,
            taken_at=vitals.taken_at,
            minutes=HOLD_ALERT_MINUTES,
        )
    return vitals


def hold_in_force(vitals_id: int) -> bool:
    """Is this hold reading still in force now (not overridden, not cleared by a repeat)?

    The integration app's hold watch asks this when its 30 minutes are up.
    """
    vitals = (
        VitalSigns.objects.select_related("medicine_session__couple", "partner")
        .filter(pk=vitals_id)
        .first()
    )
    if vitals is None or vitals.level != VitalSigns.Level.HOLD:
        return False
    session = vitals.medicine_session
    record = partner_record(session, vitals.partner)
    protocol = protocol_for(session.couple.clinic_id)
    still = rules.hold_in_force(record, protocol, timezone.now())
    return still is not None and still.taken_at <= vitals.taken_at


@transaction.atomic
def vitals_acknowledge(*, vitals: VitalSigns, reason: str, by: User) -> VitalSigns:
    """A prescriber acknowledges a caution reading or one under the clinical floor, or
    overrides a hold with a written reason."""
    vitals = (
        VitalSigns.objects.select_for_update(of=("self",))
        .select_related("medicine_session__couple")
        .get(pk=vitals.pk)
    )
    couple = vitals.medicine_session.couple
    policy.ensure(policy.can_sign_off_vitals, by, couple, to="acknowledge or override a reading")
    if not rules.needs_sign_off(vitals, protocol_for(couple.clinic_id)):
        raise DomainError("This reading is under every threshold; nothing to acknowledge.")
    if vitals.acknowledged_by_id:
        raise DomainError("This reading is already acknowledged.")
    if vitals.level == VitalSigns.Level.HOLD and not reason.strip():
        raise DomainError("Overriding a hold needs a written reason.")
    vitals.acknowledged_by, vitals.acknowledged_at = by, timezone.now()
    vitals.override_reason = reason.strip()[:500]
    _validated_fields(vitals)
    vitals.save()
    return vitals


def dose_blockers(
    session: MedicineSession,
    partner: Partner,
    at: datetime.datetime,
    *,
    plan: TreatmentPlan | None,
    record: rules.PartnerRecord,
    protocol: ProtocolSettings | None = None,
    screening_facts: screening.ScreeningFacts | None = None,
) -> list[str]:
    """Everything that forbids a dose to `partner` at `at`, as it stands at that moment.

    `screening_facts`: a page's facts of the couple's partners (a dose reads its own)."""
    if session.role_of(partner) != "dosing":
        return [f"{partner.first_name} is the {session.role_of(partner)} and does not dose."]
    zone = session.couple.clinic.zone
    protocol = protocol or protocol_for(session.couple.clinic_id)
    problems = rules.dose_reading_blockers(partner.first_name, record, protocol, at, zone)
    problems += _plan_problems(session, plan, partner)
    problems += home_problems(session, plan, protocol)
    problems += dose_screening_problems(session, partner, at, facts=screening_facts)
    if is_booster_couple(session.couple):
        problems += _booster_problems(session, plan, partner, at, facts=screening_facts)
    return problems


def home_problems(
    session: MedicineSession,
    plan: TreatmentPlan | None,
    protocol: ProtocolSettings | None = None,
) -> list[str]:
    """Why an at-home session may not go on at home now (none for a session in the clinic)."""
    if not session.at_home:
        return []
    approver = plan.approved_by if plan is not None and plan.approved_by_id else None
    return rules.home_setting_problems(
        plan,
        protocol or protocol_for(session.couple.clinic_id),
        approved_by_prescriber=approver is not None and policy.role_of(approver) == Role.PRESCRIBER,
    )


def _plan_problems(session, plan, partner) -> list[str]:
    if plan is None or not plan.is_approved:
        what = "maintenance" if is_booster_couple(session.couple) else "treatment"
        return [f"The {what} plan is not approved and active now: a prescriber approves it."]
    if rules.plan_share_percent(plan, partner.pk) == 0:
        return [f"The approved plan does not have {partner.first_name} dosing."]
    return []


def _booster_problems(session, plan, partner, at, *, facts) -> list[str]:
    """A booster's own rules on the dose's day: the maintenance plan in force (not past its
    review) and the partner's re-screening within its window."""
    zone = session.couple.clinic.zone
    on = at.astimezone(zone).date()
    booster_gate = booster_rules()
    days = booster_gate.settings_for(session.couple.clinic_id).rescreen_within_days
    facts = facts or screening.ScreeningFacts([partner])
    problems = booster_gate.plan_problems(plan, on) if plan is not None else []
    window = booster_gate.rescreen_window(on, days)
    return problems + booster_gate.rescreen_problems(
        partner.first_name, facts.responses(partner), window, zone
    )


def dose_screening_problems(
    session: MedicineSession,
    partner: Partner,
    at: datetime.datetime,
    *,
    facts: screening.ScreeningFacts | None = None,
) -> list[str]:
    """Screening on the day of the dose (clinic zone): prescription, review, consent, C-SSRS."""
    on = at.astimezone(session.couple.clinic.zone).date()
    facts = facts or screening.ScreeningFacts([partner])
    status = facts.status(partner, on=on, route=session.route)
    return screening_problems(
        partner.first_name, status, session.get_route_display().lower(), on, purpose=START
    )


def dose_cap_with(
    session: MedicineSession, partner: Partner, plan, prescription
) -> tuple[Decimal, int, object] | None:
    """(cap in mg, share %, prescription) for `partner` under `prescription` (their active
    one on the dose's day), or None without a prescription."""
    if prescription is None:
        return None
    share = rules.effective_share_percent(session, plan, partner.pk)
    return dose_cap_mg(single_dose_mg=prescription.single_dose_mg, share=share), share, prescription


@transaction.atomic
def dose_record(
    *,
    session: MedicineSession,
    partner: Partner,
    mg: Decimal,
    by: User,
    at: datetime.datetime | None = None,
    lot=None,
    witness: User | None = None,
) -> DoseAdministration:
    """Record a dose after re-checking, at that moment, everything a dose needs: a fresh
    reading and no hold, caution or floor concern in force; the plan as approved now;
    screening and prescription valid on the dose's day; the cap for the lower of the
    session's and the plan's share, counting every dose of this session.

    Where the clinic keeps stock, the dose is drawn from `lot` with `witness`, in this
    transaction: a refused draw records no dose."""
    session = _locked(session)
    _ensure_recorder(by, session, "record a dose")
    if session.at_home:
        raise DomainError("At home the dosing partner records the dose they took themselves.")
    clinic_settings = dose_settings(session.couple.clinic_id)
    dose = dose_write(
        session=session, partner=partner, mg=mg, by=by, at=at, clinic_settings=clinic_settings
    )
    _draw_from_stock(session, dose, lot, witness, by, keeps_stock=clinic_settings.keeps_stock)
    return dose


@dataclass(frozen=True)
class DoseSettings:
    protocol: ProtocolSettings
    screening: ScreeningSettings
    keeps_stock: bool  # the clinic has received a lot: a dose is drawn from stock


def dose_settings(clinic_id: int) -> DoseSettings:
    """What a dose reads of its clinic, in one query inside the session's lock (so as it
    stands at the dose): the protocol and screening settings, and whether it keeps stock."""
    clinic = (
        Clinic.objects.select_related("protocol", "screening_settings")
        .annotate(keeps_stock=stock_reads.keeps_stock_expression("pk"))
        .get(pk=clinic_id)
    )
    return DoseSettings(
        protocol=setting_row(clinic, "protocol", protocol_for),
        screening=setting_row(clinic, "screening_settings", ScreeningSettings.for_clinic),
        keeps_stock=clinic.keeps_stock,
    )


def dose_write(
    *,
    session: MedicineSession,
    partner: Partner,
    mg: Decimal,
    by: User,
    at: datetime.datetime | None = None,
    clinic_settings: DoseSettings | None = None,
) -> DoseAdministration:
    """Every check of `dose_record` but who acts, then the dose row, in a locked session
    (the caller has checked the actor: the care team, or the dosing partner at home).
    `clinic_settings`: `dose_settings` when the caller has read them in the lock."""
    at = at or timezone.now()
    _require_in_progress(session)
    _require_partner(session, partner)
    if mg is None or mg <= 0:
        raise DomainError("Enter the dose in mg (more than 0).")
    plan = current_plan(session)
    record = partner_record(session, partner)
    clinic_settings = clinic_settings or dose_settings(session.couple.clinic_id)
    # read now, inside the lock
    facts = screening.ScreeningFacts.with_settings([partner], clinic_settings.screening)
    problems = dose_blockers(
        session,
        partner,
        at,
        plan=plan,
        record=record,
        protocol=clinic_settings.protocol,
        screening_facts=facts,
    )
    if problems:
        raise DomainError("No dose: " + " ".join(problems))
    day = at.astimezone(session.couple.clinic.zone).date()
    prescription = facts.prescription(partner, on=day, route=session.route)
    cap, share, prescription = dose_cap_with(session, partner, plan, prescription)
    _check_cap(session, partner, mg, record, cap, share, prescription.single_dose_mg)
    dose = DoseAdministration(
        medicine_session=session,
        partner=partner,
        route=session.route,
        mg=mg,
        given_at=at,
        given_by=by,
        prescription_id_snapshot=prescription.pk,
        prescribed_single_dose_mg=prescription.single_dose_mg,
        share_percent=share,
    )
    _validated_fields(dose)
    dose.save()
    return dose


def _draw_from_stock(session, dose, lot, witness, by, *, keeps_stock: bool) -> None:
    clinic = session.couple.clinic
    if lot is None and witness is None and not keeps_stock:
        return
    try:
        stock_writes.dose_draw(dose=dose, lot=lot, witness=witness, clinic=clinic, by=by)
    except stock_writes.StockRefused as error:
        raise InvalidFields(error.errors) from error


def _check_cap(session, partner, mg, record, cap, share, single_dose_mg) -> None:
    given = sum((d.mg for d in record.doses), Decimal("0"))
    if given + mg > cap:
        already = f" ({given} mg already given)" if given else ""
        raise DomainError(
            f"{mg} mg is above {partner.first_name}'s limit of {cap} mg for this session{already}: "
            f"{share} % of the prescribed single dose of {single_dose_mg} mg."
        )


@transaction.atomic
def adverse_event_record(
    *,
    session: MedicineSession,
    partner: Partner,
    kind: str,
    severity: str,
    action: str,
    by: User,
    at: datetime.datetime | None = None,
) -> AdverseEvent:
    """Record an adverse event and the action taken; a severe one alerts the care team."""
    session = _locked(session)
    _ensure_recorder(by, session, "record an adverse event")
    if session.status not in (
        MedicineSession.Status.IN_PROGRESS,
        MedicineSession.Status.ENDED_EARLY,
    ):
        raise DomainError("Adverse events are recorded while the session is in progress.")
    _require_partner(session, partner)
    if not action.strip():
        raise DomainError("Say what action was taken.")
    event = AdverseEvent(
        medicine_session=session,
        partner=partner,
        kind=kind,
        severity=severity,
        action=action.strip(),
        occurred_at=at or timezone.now(),
        recorded_by=by,
    )
    _validated_fields(event)
    event.save()
    if event.severity == AdverseEvent.Severity.SEVERE:
        integration.alert_raise(
            couple=session.couple,
            partner=partner,
            kind=Alert.Kind.ADVERSE_EVENT,
            message=f"Severe adverse event ({event.get_kind_display().lower()}) during the "
            f"medicine session #{session.pk}. Open the session record.",
            dedupe_key=f"adverse-event:{event.pk}",
            urgent=True,
        )
    return event


@transaction.atomic
def discharge_record(
    *,
    session: MedicineSession,
    partner: Partner,
    by: User,
    escort_partner: Partner | None = None,
    escort_name: str = "",
    escort_phone: str = "",
    escort_relationship: str = "",
    bp_sign_off_reason: str = "",
    at: datetime.datetime | None = None,
) -> Discharge:
    """Discharge a dosed partner: after the minimum monitoring time since their last dose,
    with the post-dose and pre-discharge readings taken, no hold or floor concern in force
    (or a prescriber's sign-off of a hold), and a person taking them home who did not dose:
    the other partner, chosen, or another adult with full name, phone and relationship."""
    session = _locked(session)
    at = at or timezone.now()
    _ensure_recorder(by, session, "discharge a partner")
    if session.at_home:
        raise DomainError("At home the chaperone's end check replaces discharge.")
    _require_partner(session, partner)
    if session.status != MedicineSession.Status.IN_PROGRESS:
        raise DomainError("Discharge is recorded while the session is in progress.")
    record = partner_record(session, partner)
    if record.discharged_at is not None:
        raise DomainError(f"{partner.first_name} is already discharged.")
    signed_off = bool(bp_sign_off_reason.strip()) and policy.can_sign_off_vitals(by, session.couple)
    if bp_sign_off_reason.strip() and not signed_off:
        policy.ensure(policy.can_sign_off_vitals, by, session.couple, to="sign off a discharge")
    protocol = protocol_for(session.couple.clinic_id)
    zone = session.couple.clinic.zone
    problems = rules.discharge_reading_blockers(
        partner.first_name, record, protocol, at, zone, signed_off_hold=signed_off
    )
    if problems:
        raise DomainError("Not yet: " + " ".join(problems))
    escort = _escort(
        session, partner, escort_partner, escort_name, escort_phone, escort_relationship
    )
    last = record.latest_reading(at)
    # The sign-off is kept when it stood in for a hold or a missed post-dose reading.
    sign_off_used = rules.hold_in_force(record, protocol, at) is not None or (
        not rules.post_dose_reading_taken(record, protocol, at)
    )
    discharge = Discharge(
        medicine_session=session,
        partner=partner,
        discharged_at=at,
        monitored_minutes=int((at - record.last_dose.given_at).total_seconds() // 60),
        min_monitoring_minutes=protocol.min_monitoring_minutes,
        last_systolic=last.systolic,
        last_diastolic=last.diastolic,
        bp_signed_off_by=by if sign_off_used else None,
        bp_sign_off_reason=bp_sign_off_reason.strip()[:500] if sign_off_used else "",
        recorded_by=by,
        **escort,
    )
    _validated_fields(discharge)
    discharge.save()
    return discharge


def _dosed_partners(session: MedicineSession) -> list[Partner]:
    dosed = set(session.doses.values_list("partner_id", flat=True))
    return [p for p in session.couple.partners.all() if p.pk in dosed]


def _escort(session, partner, escort_partner, name, phone, relationship) -> dict:
    dosed = _dosed_partners(session)
    if escort_partner is not None:
        if escort_partner.couple_id != session.couple_id or escort_partner.pk == partner.pk:
            raise InvalidFields({"escort_partner": "Choose the other partner of this couple."})
        if escort_partner in dosed:
            raise InvalidFields(
                {
                    "escort_partner": f"{escort_partner.first_name} received the medicine "
                    "today and cannot take anyone home: name someone who did not dose."
                }
            )
        return {"escort_partner": escort_partner, "escort_name": escort_partner.full_name}
    errors = rules.escort_problems(
        name=name,
        phone=phone,
        relationship=relationship,
        dosed_names=[(p.first_name, p.last_name) for p in {*dosed, partner}],
    )
    if errors:
        raise InvalidFields(errors)
    return {
        "escort_name": rules.clean_text(name),
        "escort_phone": rules.clean_text(phone),
        "escort_relationship": rules.clean_text(relationship),
    }


def _check_everyone_discharged(session: MedicineSession) -> None:
    """Every dosed partner discharged, and no dose recorded after their discharge."""
    discharges = {d.partner_id: d for d in session.discharges.all()}
    for partner in _dosed_partners(session):
        discharge = discharges.get(partner.pk)
        if discharge is None:
            raise DomainError(
                f"{partner.first_name} was dosed and is not discharged: discharge them first "
                "(monitoring time, readings and the person taking them home)."
            )
        if session.doses.filter(partner=partner, given_at__gt=discharge.discharged_at).exists():
            raise DomainError(
                f"A dose of {partner.first_name} is recorded after their discharge: the "
                "record cannot be closed until a clinician reviews it."
            )


@transaction.atomic
def medicine_session_complete(*, session: MedicineSession, by: User) -> MedicineSession:
    """Close the session once every partner who was dosed is discharged."""
    session = _locked(session)
    _ensure_recorder(by, session, "complete a medicine session")
    _require_in_progress(session)
    if not session.doses.exists():
        raise DomainError(
            "No dose was recorded. If the session stopped before dosing, end it early with "
            "the reason."
        )
    _check_everyone_discharged(session)
    return _finish(session, MedicineSession.Status.COMPLETED)


@transaction.atomic
def medicine_session_end_early(
    *, session: MedicineSession, reason: str, by: User
) -> MedicineSession:
    """End the session early (for example after an adverse event), recording why. Anyone
    dosed must still be discharged by the same criteria first."""
    session = _locked(session)
    _ensure_recorder(by, session, "end a medicine session")
    _require_in_progress(session)
    if not reason.strip():
        raise DomainError("Record why the session ended early.")
    _check_everyone_discharged(session)
    session.ended_early_reason = reason.strip()[:2000]
    return _finish(session, MedicineSession.Status.ENDED_EARLY)


def session_finish(session: MedicineSession) -> MedicineSession:
    """Complete a locked session whose end the caller has judged (at home: the chaperone's
    end check), with the same follow-ups as any completed session."""
    return _finish(session, MedicineSession.Status.COMPLETED)


def _finish(session: MedicineSession, status: str) -> MedicineSession:
    session.status, session.completed_at = status, timezone.now()
    _validated(session)
    session.save()
    appointment = session.appointment
    appointment.status = Appointment.Status.COMPLETED
    appointment.save(update_fields=["status"])
    protocol = protocol_for(session.couple.clinic_id)
    integration.followups_on_medicine_session_completed(
        medicine_session=session, integration_within_hours=protocol.integration_within_hours
    )
    return session
