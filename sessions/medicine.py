"""The medicine-session record: start, vitals, doses, adverse events, discharge.

Every safety rule of DESIGN §4 for the day itself is here: pre-dose vitals before any
dose, the caution and hold thresholds, the dose cap per approach against the active
prescription, and the discharge criteria.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from intake import readiness as screening
from intake.models import Partner
from integration import services as integration
from kapcouples import policy
from kapcouples.models import Role, User
from kapcouples.services import DomainError
from sessions.models import (
    AdverseEvent,
    Appointment,
    Approach,
    Discharge,
    DoseAdministration,
    MedicineSession,
    VitalSigns,
)
from sessions.protocol import blood_pressure_level, dose_cap_mg, protocol_for
from sessions.readiness import START, Arrangement, readiness_check
from sessions.services import NotReadyError, _validated

POST_DOSE_READING_MINUTES = 40


def _locked(session: MedicineSession) -> MedicineSession:
    return (
        MedicineSession.objects.select_for_update(of=("self",))
        .select_related("appointment", "couple__clinic")
        .get(pk=session.pk)
    )


def _require_in_progress(session: MedicineSession) -> None:
    if session.status != MedicineSession.Status.IN_PROGRESS:
        raise DomainError(
            f"The session is {session.get_status_display().lower()}: start it first "
            "(records are taken only while it is in progress)."
        )


def _require_partner(session: MedicineSession, partner: Partner) -> None:
    if partner.couple_id != session.couple_id:
        raise DomainError("That person is not a partner of this couple.")


def _require_prescriber(user: User, what: str) -> None:
    if policy.role_of(user) != Role.PRESCRIBER:
        raise DomainError(f"Only a prescriber may {what}.")


def arrangement_of(session: MedicineSession) -> Arrangement:
    return Arrangement(session.approach, session.dosing_partner_id, session.route)


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
    """Change this session's approach and roles (a clinician, before the session starts)."""
    session = _locked(session)
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
    _validated(session)
    session.save()
    return session


@transaction.atomic
def medicine_session_start(
    *, session: MedicineSession, by: User, at: datetime.datetime | None = None
) -> MedicineSession:
    """Start the session once the readiness gate (purpose: start) is met."""
    session = _locked(session)
    if session.status != MedicineSession.Status.PLANNED:
        raise DomainError("This session has already started or ended.")
    appointment = session.appointment
    if appointment.status not in (Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN):
        raise DomainError(f"The appointment is {appointment.get_status_display().lower()}.")
    readiness = readiness_check(
        couple=session.couple,
        start=appointment.start,
        purpose=START,
        appointment=appointment,
        arrangement=arrangement_of(session),
    )
    if not readiness.ready:
        raise NotReadyError(readiness)
    session.status, session.started_at, session.started_by = (
        MedicineSession.Status.IN_PROGRESS,
        at or timezone.now(),
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
    """Record a reading; its level (normal, caution, hold) follows the clinic's thresholds."""
    session = _locked(session)
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
    _validated(vitals)
    vitals.save()
    return vitals


@transaction.atomic
def vitals_acknowledge(*, vitals: VitalSigns, reason: str, by: User) -> VitalSigns:
    """A prescriber acknowledges a caution reading, or overrides a hold with a written reason."""
    vitals = VitalSigns.objects.select_for_update().get(pk=vitals.pk)
    _require_prescriber(by, "acknowledge or override a blood-pressure threshold")
    if vitals.level == VitalSigns.Level.NORMAL:
        raise DomainError("This reading is under the caution threshold; nothing to acknowledge.")
    if vitals.acknowledged_by_id:
        raise DomainError("This reading is already acknowledged.")
    if vitals.level == VitalSigns.Level.HOLD and not reason.strip():
        raise DomainError("Overriding a hold needs a written reason.")
    vitals.acknowledged_by, vitals.acknowledged_at = by, timezone.now()
    vitals.override_reason = reason.strip()[:500]
    _validated(vitals)
    vitals.save()
    return vitals


def _latest_vitals(session, partner, *, before=None) -> VitalSigns | None:
    readings = VitalSigns.objects.filter(medicine_session=session, partner=partner)
    if before is not None:
        readings = readings.filter(taken_at__lte=before)
    return readings.order_by("-taken_at", "-pk").first()


def _check_vitals_allow_dose(session, partner, at) -> None:
    name = partner.first_name
    has_pre_dose = VitalSigns.objects.filter(
        medicine_session=session,
        partner=partner,
        moment=VitalSigns.Moment.PRE_DOSE,
        taken_at__lte=at,
    ).exists()
    if not has_pre_dose:
        raise DomainError(f"Record {name}'s pre-dose vitals before giving a dose.")
    latest = _latest_vitals(session, partner, before=at)
    if latest.level == VitalSigns.Level.HOLD and not latest.acknowledged_by_id:
        raise DomainError(
            f"{name}'s latest blood pressure {latest.systolic}/{latest.diastolic} is at or above "
            "the hold threshold: no dose until a prescriber overrides with a reason "
            "(or a new reading is under it)."
        )
    if latest.level == VitalSigns.Level.CAUTION and not latest.acknowledged_by_id:
        raise DomainError(
            f"{name}'s latest blood pressure {latest.systolic}/{latest.diastolic} is at or above "
            "the caution threshold: a prescriber must acknowledge it before the dose."
        )


@transaction.atomic
def dose_record(
    *,
    session: MedicineSession,
    partner: Partner,
    mg: Decimal,
    by: User,
    at: datetime.datetime | None = None,
) -> DoseAdministration:
    """Record a dose, refused above the partner's cap for the approach (cumulative in this
    session), without an active prescription for the session's route, without pre-dose
    vitals, or while a blood-pressure threshold is unacknowledged."""
    session = _locked(session)
    at = at or timezone.now()
    _require_in_progress(session)
    _require_partner(session, partner)
    if session.role_of(partner) != "dosing":
        raise DomainError(
            f"{partner.first_name} is the {session.role_of(partner)} in this session and does "
            "not dose."
        )
    if mg is None or mg <= 0:
        raise DomainError("Enter the dose in mg (more than 0).")
    _check_vitals_allow_dose(session, partner, at)
    on = session.appointment.start.astimezone(session.couple.clinic.zone).date()
    prescription = screening.active_prescription(partner, on=on, route=session.route)
    if prescription is None:
        raise DomainError(
            f"{partner.first_name} has no active {session.get_route_display().lower()} "
            f"prescription on {on:%d %b %Y}: no dose can be recorded."
        )
    _check_cap(session, partner, mg, prescription.single_dose_mg)
    dose = DoseAdministration(
        medicine_session=session,
        partner=partner,
        route=session.route,
        mg=mg,
        given_at=at,
        given_by=by,
        prescription_id_snapshot=prescription.pk,
        prescribed_single_dose_mg=prescription.single_dose_mg,
        share_percent=session.share_percent,
    )
    _validated(dose)
    dose.save()
    return dose


def _check_cap(session, partner, mg: Decimal, single_dose_mg: Decimal) -> None:
    cap = dose_cap_mg(single_dose_mg=single_dose_mg, approach=session.approach)
    given = DoseAdministration.objects.filter(medicine_session=session, partner=partner).aggregate(
        total=Sum("mg")
    )["total"] or Decimal("0")
    if given + mg > cap:
        already = f" ({given} mg already given)" if given else ""
        raise DomainError(
            f"{mg} mg is above {partner.first_name}'s limit of {cap} mg for this session{already}: "
            f"{session.share_percent} % of the prescribed single dose of {single_dose_mg} mg "
            f"({session.get_approach_display()})."
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
    """Record an adverse event and the action taken."""
    session = _locked(session)
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
    _validated(event)
    event.save()
    return event


@transaction.atomic
def discharge_record(
    *,
    session: MedicineSession,
    partner: Partner,
    escort_name: str,
    by: User,
    bp_sign_off_reason: str = "",
    at: datetime.datetime | None = None,
) -> Discharge:
    """Discharge a partner who was dosed: after the minimum monitoring time since their last
    dose, with a blood pressure under the hold threshold (or a prescriber's sign-off), and
    a named person taking them home. Nobody drives themselves."""
    session = _locked(session)
    at = at or timezone.now()
    _require_partner(session, partner)
    if session.status not in (
        MedicineSession.Status.IN_PROGRESS,
        MedicineSession.Status.ENDED_EARLY,
    ):
        raise DomainError("Discharge is recorded while the session is in progress.")
    last_dose = (
        DoseAdministration.objects.filter(medicine_session=session, partner=partner)
        .order_by("-given_at")
        .first()
    )
    if last_dose is None:
        raise DomainError(f"{partner.first_name} was not dosed in this session.")
    if Discharge.objects.filter(medicine_session=session, partner=partner).exists():
        raise DomainError(f"{partner.first_name} is already discharged.")
    minutes = _check_monitoring_time(session, partner, last_dose, at)
    reading = _check_discharge_pressure(session, partner, last_dose, at, by, bp_sign_off_reason)
    escort = _check_escort(session, partner, escort_name)
    discharge = Discharge(
        medicine_session=session,
        partner=partner,
        discharged_at=at,
        escort_name=escort,
        monitored_minutes=minutes,
        last_systolic=reading.systolic,
        last_diastolic=reading.diastolic,
        bp_signed_off_by=by if _over_hold(session, reading) else None,
        bp_sign_off_reason=bp_sign_off_reason.strip()[:500] if _over_hold(session, reading) else "",
        recorded_by=by,
    )
    _validated(discharge)
    discharge.save()
    return discharge


def _check_monitoring_time(session, partner, last_dose, at) -> int:
    needed = protocol_for(session.couple.clinic_id).min_monitoring_minutes
    minutes = int((at - last_dose.given_at).total_seconds() // 60)
    if minutes < needed:
        ready_at = (last_dose.given_at + datetime.timedelta(minutes=needed)).astimezone(
            session.couple.clinic.zone
        )
        raise DomainError(
            f"{partner.first_name} has been monitored {minutes} minutes since the last dose; "
            f"the minimum is {needed} (discharge possible from {ready_at:%H:%M})."
        )
    return minutes


def _over_hold(session, reading) -> bool:
    protocol = protocol_for(session.couple.clinic_id)
    level = blood_pressure_level(protocol, systolic=reading.systolic, diastolic=reading.diastolic)
    return level == VitalSigns.Level.HOLD


def _check_discharge_pressure(session, partner, last_dose, at, by, reason) -> VitalSigns:
    reading = _latest_vitals(session, partner, before=at)
    if reading is None or reading.taken_at < last_dose.given_at:
        raise DomainError(f"Take {partner.first_name}'s pre-discharge vitals first.")
    signed_off = policy.role_of(by) == Role.PRESCRIBER and reason.strip()
    if _over_hold(session, reading) and not signed_off:
        raise DomainError(
            f"{partner.first_name}'s last blood pressure {reading.systolic}/"
            f"{reading.diastolic} is at or above the hold threshold: take a new reading, "
            "or a prescriber signs off the discharge with a reason."
        )
    return reading


def _check_escort(session, partner, escort_name: str) -> str:
    escort = " ".join(escort_name.split())
    if not escort:
        raise DomainError(
            f"Name the person taking {partner.first_name} home: nobody drives themselves."
        )
    dosed = {
        " ".join(p.full_name.lower().split())
        for p in session.couple.partners.all()
        if DoseAdministration.objects.filter(medicine_session=session, partner=p).exists()
    }
    if escort.lower() in dosed or escort.lower() == partner.first_name.lower():
        raise DomainError(
            f"{escort} received ketamine today (or is the partner) and cannot take "
            f"{partner.first_name} home: name someone who did not dose."
        )
    return escort


@transaction.atomic
def medicine_session_complete(*, session: MedicineSession, by: User) -> MedicineSession:
    """Close the session once every partner who was dosed is discharged."""
    session = _locked(session)
    _require_in_progress(session)
    dosed = set(
        DoseAdministration.objects.filter(medicine_session=session).values_list(
            "partner_id", flat=True
        )
    )
    if not dosed:
        raise DomainError(
            "No dose was recorded. If the session stopped before dosing, end it early with "
            "the reason."
        )
    discharged = set(session.discharges.values_list("partner_id", flat=True))
    if dosed - discharged:
        raise DomainError("Every partner who was dosed must be discharged first.")
    return _finish(session, MedicineSession.Status.COMPLETED)


@transaction.atomic
def medicine_session_end_early(
    *, session: MedicineSession, reason: str, by: User
) -> MedicineSession:
    """End the session early (for example after an adverse event), recording why."""
    session = _locked(session)
    _require_in_progress(session)
    if not reason.strip():
        raise DomainError("Record why the session ended early.")
    session.ended_early_reason = reason.strip()[:2000]
    return _finish(session, MedicineSession.Status.ENDED_EARLY)


def _finish(session: MedicineSession, status: str) -> MedicineSession:
    session.status, session.completed_at = status, timezone.now()
    _validated(session)
    session.save()
    appointment = session.appointment
    appointment.status = Appointment.Status.COMPLETED
    appointment.save(update_fields=["status"])
    integration.followups_on_medicine_session_completed(medicine_session=session)
    return session
