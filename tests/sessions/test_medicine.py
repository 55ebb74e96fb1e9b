"""The medicine-session record: dose caps, vitals thresholds, discharge, early end."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from intake.models import Prescription
from kapcouples.services import DomainError
from sessions import medicine
from sessions.models import (
    Appointment,
    Approach,
    Discharge,
    DoseAdministration,
    MedicineSession,
    VitalSigns,
)
from sessions.protocol import protocol_for
from tests.sessions.factories import started_session

PRE = VitalSigns.Moment.PRE_DOSE


def _vitals(cast, session, partner, systolic=120, diastolic=80, *, moment=PRE, at=None):
    return medicine.vitals_record(
        session=session,
        partner=partner,
        moment=moment,
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=70,
        spo2=98,
        by=cast.clinician,
        at=at,
    )


def _dose(cast, session, partner, mg, at=None):
    return medicine.dose_record(
        session=session, partner=partner, mg=Decimal(mg), by=cast.clinician, at=at
    )


@pytest.mark.parametrize(
    "approach,cap",
    [
        (Approach.SOLO, "100"),
        (Approach.DUAL_FULL, "100"),
        (Approach.DUAL_HALF, "50"),
        (Approach.EXTENDED, "25"),
    ],
)
def test_each_approach_caps_the_dose_at_its_share_of_the_prescription(cast, approach, cap):
    session = started_session(cast, approach, dose=Decimal("100"))
    _vitals(cast, session, cast.partner_a)
    with pytest.raises(DomainError, match=f"limit of {cap}.00 mg"):
        _dose(cast, session, cast.partner_a, Decimal(cap) + Decimal("0.5"))
    dose = _dose(cast, session, cast.partner_a, cap)
    assert dose.prescribed_single_dose_mg == Decimal("100")
    assert dose.prescription_id_snapshot == Prescription.objects.get(partner=cast.partner_a).pk
    assert dose.share_percent == int(cap)


def test_the_cap_counts_every_dose_of_the_session(cast):
    session = started_session(cast, Approach.DUAL_HALF, dose=Decimal("80"))
    _vitals(cast, session, cast.partner_b)
    _dose(cast, session, cast.partner_b, "30")
    with pytest.raises(DomainError, match=r"limit of 40.00 mg for this session \(30.00 mg already"):
        _dose(cast, session, cast.partner_b, "15")
    assert DoseAdministration.objects.count() == 1


def test_the_solo_support_partner_cannot_be_dosed(cast):
    session = started_session(cast, Approach.SOLO)
    _vitals(cast, session, cast.partner_b)
    with pytest.raises(DomainError, match="is the sitter in this session and does not dose"):
        _dose(cast, session, cast.partner_b, "10")


def test_no_dose_without_an_active_prescription(cast):
    session = started_session(cast)
    _vitals(cast, session, cast.partner_a)
    Prescription.objects.filter(partner=cast.partner_a).update(status="cancelled")
    with pytest.raises(DomainError, match="no active sublingual"):
        _dose(cast, session, cast.partner_a, "10")
    assert not DoseAdministration.objects.exists()


def test_no_dose_without_pre_dose_vitals(cast):
    session = started_session(cast)
    with pytest.raises(DomainError, match="pre-dose vitals before giving a dose"):
        _dose(cast, session, cast.partner_a, "10")


@pytest.mark.parametrize(
    "systolic,diastolic,level",
    [
        (139, 89, "normal"),
        (140, 80, "caution"),
        (120, 90, "caution"),
        (159, 99, "caution"),
        (160, 80, "hold"),
        (120, 100, "hold"),
    ],
)
def test_blood_pressure_thresholds(cast, systolic, diastolic, level):
    session = started_session(cast)
    assert _vitals(cast, session, cast.partner_a, systolic, diastolic).level == level


def test_the_thresholds_are_the_clinics_own(cast):
    protocol = protocol_for(cast.clinic)
    protocol.hold_systolic = 150
    protocol.save()
    session = started_session(cast)
    assert _vitals(cast, session, cast.partner_a, 150, 80).level == "hold"


def test_a_caution_reading_needs_a_prescriber_acknowledgement_before_the_dose(cast):
    session = started_session(cast)
    reading = _vitals(cast, session, cast.partner_a, 145, 85)
    with pytest.raises(DomainError, match="caution threshold: a prescriber must acknowledge"):
        _dose(cast, session, cast.partner_a, "50")
    with pytest.raises(DomainError, match="Only a prescriber"):
        medicine.vitals_acknowledge(vitals=reading, reason="", by=cast.clinician)
    medicine.vitals_acknowledge(vitals=reading, reason="", by=cast.prescriber)
    assert _dose(cast, session, cast.partner_a, "50").mg == Decimal("50")


def test_a_hold_reading_blocks_the_dose_until_a_prescriber_overrides_with_a_reason(cast):
    session = started_session(cast)
    reading = _vitals(cast, session, cast.partner_a, 165, 95)
    with pytest.raises(DomainError, match="hold threshold: no dose until a prescriber overrides"):
        _dose(cast, session, cast.partner_a, "50")
    with pytest.raises(DomainError, match="needs a written reason"):
        medicine.vitals_acknowledge(vitals=reading, reason=" ", by=cast.prescriber)
    medicine.vitals_acknowledge(
        vitals=reading, reason="White-coat reading; repeat was lower.", by=cast.prescriber
    )
    assert _dose(cast, session, cast.partner_a, "50")
    assert reading.history.count() == 2


def test_a_new_normal_reading_lifts_a_hold(cast):
    session = started_session(cast)
    _vitals(cast, session, cast.partner_a, 165, 95)
    _vitals(cast, session, cast.partner_a, 130, 85, moment=VitalSigns.Moment.OTHER)
    assert _dose(cast, session, cast.partner_a, "50")


def _dosed_session(cast, approach=Approach.SOLO):
    session = started_session(cast, approach)
    given = timezone.now()
    _vitals(cast, session, cast.partner_a, at=given - datetime.timedelta(minutes=1))
    _dose(cast, session, cast.partner_a, "80", at=given)
    return session, given


def _discharge(cast, session, at, *, escort="Jamie Friend", by=None, reason="", systolic=125):
    _vitals(
        cast, session, cast.partner_a, systolic, 80, moment=VitalSigns.Moment.PRE_DISCHARGE, at=at
    )
    return medicine.discharge_record(
        session=session,
        partner=cast.partner_a,
        escort_name=escort,
        by=by or cast.clinician,
        bp_sign_off_reason=reason,
        at=at,
    )


def test_discharge_waits_for_the_minimum_monitoring_time(cast):
    session, given = _dosed_session(cast)
    with pytest.raises(DomainError, match="monitored 119 minutes since the last dose"):
        _discharge(cast, session, given + datetime.timedelta(minutes=119))
    discharge = _discharge(cast, session, given + datetime.timedelta(minutes=120))
    assert discharge.monitored_minutes == 120


def test_discharge_needs_pressure_under_the_hold_threshold_or_a_prescriber_sign_off(cast):
    session, given = _dosed_session(cast)
    later = given + datetime.timedelta(minutes=130)
    with pytest.raises(DomainError, match="at or above the hold threshold"):
        _discharge(cast, session, later, systolic=162)
    with pytest.raises(DomainError, match="prescriber signs off"):
        medicine.discharge_record(
            session=session,
            partner=cast.partner_a,
            escort_name="Jamie Friend",
            by=cast.clinician,
            bp_sign_off_reason="fine",
            at=later,
        )
    discharge = medicine.discharge_record(
        session=session,
        partner=cast.partner_a,
        escort_name="Jamie Friend",
        by=cast.prescriber,
        bp_sign_off_reason="Known hypertensive, at baseline, asymptomatic.",
        at=later,
    )
    assert discharge.bp_signed_off_by == cast.prescriber


def test_a_caution_level_pressure_does_not_stop_discharge(cast):
    session, given = _dosed_session(cast)
    discharge = _discharge(cast, session, given + datetime.timedelta(minutes=125), systolic=150)
    assert discharge.bp_signed_off_by is None


def test_discharge_needs_a_reading_after_the_last_dose(cast):
    session, given = _dosed_session(cast)
    with pytest.raises(DomainError, match="pre-discharge vitals first"):
        medicine.discharge_record(
            session=session,
            partner=cast.partner_a,
            escort_name="Jamie Friend",
            by=cast.clinician,
            at=given + datetime.timedelta(minutes=130),
        )


@pytest.mark.parametrize("escort", ["", "   ", "Alexa", "{partner_a}"])
def test_discharge_needs_a_named_person_other_than_the_patient(cast, escort):
    session, given = _dosed_session(cast)
    escort = escort.format(partner_a=cast.partner_a.full_name)
    with pytest.raises(DomainError, match="home"):
        _discharge(cast, session, given + datetime.timedelta(minutes=130), escort=escort)
    assert not Discharge.objects.exists()


def test_a_partner_who_also_dosed_cannot_take_the_other_home(cast):
    session = started_session(cast, Approach.DUAL_HALF)
    given = timezone.now()
    for partner in (cast.partner_a, cast.partner_b):
        _vitals(cast, session, partner, at=given - datetime.timedelta(minutes=1))
        _dose(cast, session, partner, "50", at=given)
    with pytest.raises(DomainError, match="cannot take Alexa home"):
        _discharge(
            cast, session, given + datetime.timedelta(minutes=130), escort=cast.partner_b.full_name
        )


def test_the_session_completes_once_every_dosed_partner_is_discharged(cast):
    session, given = _dosed_session(cast)
    with pytest.raises(DomainError, match="must be discharged first"):
        medicine.medicine_session_complete(session=session, by=cast.clinician)
    _discharge(cast, session, given + datetime.timedelta(minutes=121))
    session = medicine.medicine_session_complete(session=session, by=cast.clinician)
    assert session.status == MedicineSession.Status.COMPLETED
    assert session.completed_at is not None
    assert session.appointment.status == Appointment.Status.COMPLETED


def test_a_session_ending_early_records_why(cast):
    session, _ = _dosed_session(cast)
    medicine.adverse_event_record(
        session=session,
        partner=cast.partner_a,
        kind="nausea",
        severity="severe",
        action="Ondansetron given; session stopped.",
        by=cast.clinician,
    )
    with pytest.raises(DomainError, match="why"):
        medicine.medicine_session_end_early(session=session, reason="", by=cast.clinician)
    session = medicine.medicine_session_end_early(
        session=session, reason="Severe vomiting after the dose.", by=cast.clinician
    )
    assert session.status == MedicineSession.Status.ENDED_EARLY
    assert session.ended_early_reason == "Severe vomiting after the dose."


def test_starting_needs_the_preparation_sessions_completed(cast):
    from sessions.services import NotReadyError
    from tests.sessions.factories import book, make_ready

    start = timezone.now() + datetime.timedelta(minutes=5)
    make_ready(cast, start)
    Appointment.objects.filter(kind=Appointment.Kind.PREPARATION).update(status="booked")
    appointment = book(cast, Appointment.Kind.MEDICINE, start, minutes=240)
    with pytest.raises(NotReadyError) as error:
        medicine.medicine_session_start(session=appointment.medicine_record, by=cast.clinician)
    assert [item.number for item in error.value.readiness.unmet] == [4]
    assert appointment.medicine_record.status == MedicineSession.Status.PLANNED


def test_records_are_refused_before_the_session_starts(cast):
    from tests.sessions.factories import book, make_ready

    start = timezone.now() + datetime.timedelta(hours=1)
    make_ready(cast, start)
    session = book(cast, Appointment.Kind.MEDICINE, start, minutes=240).medicine_record
    with pytest.raises(DomainError, match="start it first"):
        _vitals(cast, session, cast.partner_a)
