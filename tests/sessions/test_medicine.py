"""The medicine-session record: dose caps, readings before each dose, holds, the clinical
floor, discharge and the person taking a partner home, ending a session."""

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
from tests.sessions.record_helpers import (
    LEAVING,
    POST,
    discharge,
    dose,
    dosed_session,
    minutes,
    readings_for_discharge,
    vitals,
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
    vitals(cast, session, cast.partner_a)
    with pytest.raises(DomainError, match=f"limit of {cap}.00 mg"):
        dose(cast, session, cast.partner_a, Decimal(cap) + Decimal("0.5"))
    given = dose(cast, session, cast.partner_a, cap)
    assert given.prescribed_single_dose_mg == Decimal("100")
    assert given.prescription_id_snapshot == Prescription.objects.get(partner=cast.partner_a).pk
    assert given.share_percent == int(cap)


def test_the_cap_counts_every_dose_of_the_session(cast):
    session = started_session(cast, Approach.DUAL_HALF, dose=Decimal("80"))
    vitals(cast, session, cast.partner_b)
    dose(cast, session, cast.partner_b, "30")
    with pytest.raises(DomainError, match=r"limit of 40.00 mg for this session \(30.00 mg already"):
        dose(cast, session, cast.partner_b, "15")
    assert DoseAdministration.objects.count() == 1


def test_the_solo_support_partner_cannot_be_dosed(cast):
    session = started_session(cast, Approach.SOLO)
    vitals(cast, session, cast.partner_b)
    with pytest.raises(DomainError, match="Bobbie is the sitter and does not dose"):
        dose(cast, session, cast.partner_b, "10")
    assert not DoseAdministration.objects.exists()


def test_no_dose_without_an_active_prescription(cast):
    session = started_session(cast)
    vitals(cast, session, cast.partner_a)
    Prescription.objects.filter(partner=cast.partner_a).update(status="cancelled")
    with pytest.raises(DomainError, match="no active sublingual"):
        dose(cast, session, cast.partner_a, "10")
    assert not DoseAdministration.objects.exists()


def test_no_dose_without_a_reading(cast):
    session = started_session(cast)
    with pytest.raises(DomainError, match="each dose needs a reading from the last 15 minutes"):
        dose(cast, session, cast.partner_a, "10")
    assert not DoseAdministration.objects.exists()


def test_a_top_up_hours_later_needs_a_new_reading(cast):
    session = started_session(cast, Approach.DUAL_FULL)
    first = timezone.now()
    vitals(cast, session, cast.partner_a, at=first - minutes(2))
    dose(cast, session, cast.partner_a, "40", at=first)
    later = first + minutes(180)
    with pytest.raises(DomainError, match="reading from the last 15 minutes"):
        dose(cast, session, cast.partner_a, "20", at=later)
    vitals(cast, session, cast.partner_a, moment=VitalSigns.Moment.OTHER, at=later - minutes(3))
    assert dose(cast, session, cast.partner_a, "20", at=later).mg == Decimal("20")


def test_a_reading_older_than_the_clinics_validity_does_not_count(cast):
    protocol = protocol_for(cast.clinic)
    protocol.reading_valid_minutes = 10
    protocol.save()
    session = started_session(cast)
    now = timezone.now()
    vitals(cast, session, cast.partner_a, at=now - minutes(11))
    with pytest.raises(DomainError, match="last 10 minutes"):
        dose(cast, session, cast.partner_a, "10", at=now)


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
    assert vitals(cast, session, cast.partner_a, systolic, diastolic).level == level


def test_the_thresholds_are_the_clinics_own(cast):
    protocol = protocol_for(cast.clinic)
    protocol.hold_systolic = 150
    protocol.save()
    session = started_session(cast)
    assert vitals(cast, session, cast.partner_a, 150, 80).level == "hold"


def test_a_caution_reading_needs_a_prescriber_acknowledgement_before_the_dose(cast):
    session = started_session(cast)
    reading = vitals(cast, session, cast.partner_a, 145, 85)
    with pytest.raises(DomainError, match="caution level: a prescriber must acknowledge"):
        dose(cast, session, cast.partner_a, "50")
    with pytest.raises(DomainError, match="rule: can_sign_off_vitals"):
        medicine.vitals_acknowledge(vitals=reading, reason="", by=cast.clinician)
    medicine.vitals_acknowledge(vitals=reading, reason="", by=cast.prescriber)
    assert dose(cast, session, cast.partner_a, "50").mg == Decimal("50")


def test_a_hold_reading_blocks_the_dose_until_a_prescriber_overrides_with_a_reason(cast):
    session = started_session(cast)
    reading = vitals(cast, session, cast.partner_a, 165, 95)
    with pytest.raises(DomainError, match="hold level: it holds until a prescriber overrides"):
        dose(cast, session, cast.partner_a, "50")
    with pytest.raises(DomainError, match="needs a written reason"):
        medicine.vitals_acknowledge(vitals=reading, reason=" ", by=cast.prescriber)
    medicine.vitals_acknowledge(
        vitals=reading, reason="White-coat reading; repeat was lower.", by=cast.prescriber
    )
    assert dose(cast, session, cast.partner_a, "50")
    assert reading.history.count() == 2


def test_a_lower_reading_a_second_after_a_hold_clears_nothing(cast):
    session = started_session(cast)
    now = timezone.now()
    vitals(cast, session, cast.partner_a, 165, 95, at=now - minutes(1))
    vitals(cast, session, cast.partner_a, 120, 80, at=now - datetime.timedelta(seconds=59))
    with pytest.raises(DomainError, match="hold level"):
        dose(cast, session, cast.partner_a, "50", at=now)
    assert not DoseAdministration.objects.exists()


def test_a_reading_under_caution_ten_minutes_after_a_hold_clears_it(cast):
    session = started_session(cast)
    now = timezone.now()
    vitals(cast, session, cast.partner_a, 165, 95, at=now - minutes(12))
    vitals(cast, session, cast.partner_a, 135, 85, at=now - minutes(2))
    assert dose(cast, session, cast.partner_a, "50", at=now)


def test_a_repeat_at_caution_level_does_not_clear_a_hold(cast):
    session = started_session(cast)
    now = timezone.now()
    vitals(cast, session, cast.partner_a, 165, 95, at=now - minutes(14))
    reading = vitals(cast, session, cast.partner_a, 145, 85, at=now - minutes(2))
    medicine.vitals_acknowledge(vitals=reading, reason="", by=cast.prescriber)
    with pytest.raises(DomainError, match="hold level"):
        dose(cast, session, cast.partner_a, "50", at=now)


@pytest.mark.parametrize(
    "flags,shown",
    [
        ({"spo2": 90}, "SpO₂ 90 % (under 92 %)"),
        ({"sedation": True}, "sedation"),
        ({"respiratory_depression": True}, "respiratory depression"),
    ],
)
def test_a_reading_under_the_clinical_floor_blocks_the_next_dose(cast, flags, shown):
    session = started_session(cast, Approach.DUAL_FULL)
    now = timezone.now()
    vitals(cast, session, cast.partner_a, at=now - minutes(30))
    dose(cast, session, cast.partner_a, "40", at=now - minutes(29))
    reading = vitals(cast, session, cast.partner_a, at=now - minutes(2), **flags)
    with pytest.raises(DomainError, match=shown.replace("(", r"\(").replace(")", r"\)")):
        dose(cast, session, cast.partner_a, "20", at=now)
    medicine.vitals_acknowledge(vitals=reading, reason="Settled, talking.", by=cast.prescriber)
    assert dose(cast, session, cast.partner_a, "20", at=now)


def test_a_later_clear_reading_lifts_the_clinical_floor(cast):
    session = started_session(cast)
    now = timezone.now()
    vitals(cast, session, cast.partner_a, spo2=89, at=now - minutes(6))
    vitals(cast, session, cast.partner_a, spo2=97, at=now - minutes(1))
    assert dose(cast, session, cast.partner_a, "50", at=now)


def test_no_dose_after_the_partner_is_discharged(cast):
    session, given = dosed_session(cast, mg="40")
    leave = given + minutes(125)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    discharge(cast, session, cast.partner_a, leave)
    vitals(cast, session, cast.partner_a, at=leave + minutes(1))
    with pytest.raises(DomainError, match=r"was discharged at .*no dose after discharge"):
        dose(cast, session, cast.partner_a, "10", at=leave + minutes(2))
    assert DoseAdministration.objects.count() == 1


def test_a_session_with_a_dose_after_discharge_cannot_complete(cast):
    session, given = dosed_session(cast, mg="40")
    leave = given + minutes(125)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    discharge(cast, session, cast.partner_a, leave)
    first = DoseAdministration.objects.get()
    first.pk, first.given_at = None, leave + minutes(5)  # as a direct write would leave it
    first.save()
    with pytest.raises(DomainError, match="recorded after their discharge"):
        medicine.medicine_session_complete(session=session, by=cast.clinician)
    session.refresh_from_db()
    assert session.status == MedicineSession.Status.IN_PROGRESS


# --- Discharge -------------------------------------------------------------------------------
def test_discharge_waits_for_the_minimum_monitoring_time(cast):
    session, given = dosed_session(cast)
    early = given + minutes(119)
    readings_for_discharge(cast, session, cast.partner_a, given, early)
    with pytest.raises(DomainError, match="monitored 119 minutes since the last dose"):
        discharge(cast, session, cast.partner_a, early)
    on_time = given + minutes(120)
    vitals(cast, session, cast.partner_a, moment=LEAVING, at=on_time - minutes(1))
    left = discharge(cast, session, cast.partner_a, on_time)
    assert left.monitored_minutes == 120
    assert left.min_monitoring_minutes == 120


def test_discharge_needs_the_reading_about_forty_minutes_after_the_last_dose(cast):
    session, given = dosed_session(cast)
    leave = given + minutes(130)
    vitals(cast, session, cast.partner_a, moment=POST, at=given + minutes(20))
    vitals(cast, session, cast.partner_a, moment=LEAVING, at=leave - minutes(1))
    with pytest.raises(DomainError, match=r"no reading between .* \(30–50 minutes after"):
        discharge(cast, session, cast.partner_a, leave)
    vitals(cast, session, cast.partner_a, moment=POST, at=given + minutes(41))
    vitals(cast, session, cast.partner_a, moment=LEAVING, at=leave - minutes(1))
    assert discharge(cast, session, cast.partner_a, leave)


def test_a_post_dose_reading_missed_in_its_window_is_signed_off_by_a_prescriber(cast):
    session, given = dosed_session(cast)
    leave = given + minutes(130)
    vitals(cast, session, cast.partner_a, moment=LEAVING, at=leave - minutes(1))
    with pytest.raises(DomainError, match="once it has passed a prescriber signs the discharge"):
        discharge(cast, session, cast.partner_a, leave)
    with pytest.raises(DomainError, match="rule: can_sign_off_vitals"):
        discharge(cast, session, cast.partner_a, leave, reason="Reading forgotten.")
    left = discharge(
        cast,
        session,
        cast.partner_a,
        leave,
        by=cast.prescriber,
        reason="Post-dose reading missed; later readings normal, alert and oriented.",
    )
    assert left.bp_signed_off_by == cast.prescriber


def test_discharge_needs_a_fresh_pre_discharge_reading(cast):
    session, given = dosed_session(cast)
    leave = given + minutes(130)
    vitals(cast, session, cast.partner_a, moment=POST, at=given + minutes(40))
    with pytest.raises(DomainError, match="Take Alexa's pre-discharge reading"):
        discharge(cast, session, cast.partner_a, leave)
    vitals(cast, session, cast.partner_a, moment=LEAVING, at=leave - minutes(20))
    with pytest.raises(DomainError, match="pre-discharge reading"):
        discharge(cast, session, cast.partner_a, leave)
    assert not Discharge.objects.exists()


def test_discharge_needs_pressure_under_the_hold_level_or_a_prescriber_sign_off(cast):
    session, given = dosed_session(cast)
    later = given + minutes(130)
    readings_for_discharge(cast, session, cast.partner_a, given, later, systolic=162)
    with pytest.raises(DomainError, match="hold level"):
        discharge(cast, session, cast.partner_a, later)
    with pytest.raises(DomainError, match="rule: can_sign_off_vitals"):
        discharge(cast, session, cast.partner_a, later, reason="fine")
    left = discharge(
        cast,
        session,
        cast.partner_a,
        later,
        by=cast.prescriber,
        reason="Known hypertensive, at baseline, asymptomatic.",
    )
    assert left.bp_signed_off_by == cast.prescriber


def test_a_lower_reading_just_after_a_hold_does_not_allow_discharge(cast):
    session, given = dosed_session(cast)
    later = given + minutes(130)
    readings_for_discharge(cast, session, cast.partner_a, given, later, systolic=165)
    vitals(cast, session, cast.partner_a, 120, 80, moment=LEAVING, at=later - minutes(0.5))
    with pytest.raises(DomainError, match="hold level"):
        discharge(cast, session, cast.partner_a, later)


def test_a_caution_level_pressure_does_not_stop_discharge(cast):
    session, given = dosed_session(cast)
    leave = given + minutes(125)
    readings_for_discharge(cast, session, cast.partner_a, given, leave, systolic=150)
    assert discharge(cast, session, cast.partner_a, leave).bp_signed_off_by is None


def test_discharge_is_refused_while_saturation_is_under_the_floor(cast):
    session, given = dosed_session(cast)
    leave = given + minutes(125)
    vitals(cast, session, cast.partner_a, moment=POST, at=given + minutes(40))
    vitals(cast, session, cast.partner_a, moment=LEAVING, spo2=90, at=leave - minutes(1))
    with pytest.raises(DomainError, match="SpO₂ 90 %"):
        discharge(cast, session, cast.partner_a, leave)
    assert not Discharge.objects.exists()


# --- The person taking them home --------------------------------------------------------------
ESCORT = {"escort_phone": "+1 555 010 2030", "escort_relationship": "friend"}


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "\u200b\u200b",  # zero-width spaces only
        "...",
        "-",
        "self",
        "Myself",
        "me",
        "ME.",
        "driving",
        "I'm driving",
    ],
)
def test_nobody_drives_themselves_home(cast, name):
    session, given = dosed_session(cast)
    leave = given + minutes(130)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    with pytest.raises(medicine.InvalidFields) as refused:
        discharge(cast, session, cast.partner_a, leave, escort_name=name, **ESCORT)
    assert "escort_name" in refused.value.errors
    assert not Discharge.objects.exists()


@pytest.mark.parametrize(
    "written",
    ["{first}", "{FIRST}", "{first} {last}", "{first} Q. {last}", "{last}, {first}", " {first}! "],
)
def test_a_dosing_partner_cannot_be_named_as_the_escort_however_written(cast, written):
    session, given = dosed_session(cast)
    leave = given + minutes(130)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    name = written.format(
        first=cast.partner_a.first_name,
        FIRST=cast.partner_a.first_name.upper(),
        last=cast.partner_a.last_name,
    )
    with pytest.raises(medicine.InvalidFields, match="received the medicine today"):
        discharge(cast, session, cast.partner_a, leave, escort_name=name, **ESCORT)
    assert not Discharge.objects.exists()


def test_another_adult_needs_a_full_name_phone_and_relationship(cast):
    session, given = dosed_session(cast)
    leave = given + minutes(130)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    with pytest.raises(medicine.InvalidFields) as refused:
        discharge(
            cast,
            session,
            cast.partner_a,
            leave,
            escort_name="Jamie",
            escort_phone="123",
            escort_relationship=" ",
        )
    assert set(refused.value.errors) == {"escort_name", "escort_phone", "escort_relationship"}


def test_the_non_dosing_partner_is_chosen_not_typed(cast):
    session, given = dosed_session(cast, Approach.SOLO)
    leave = given + minutes(130)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    left = discharge(cast, session, cast.partner_a, leave, escort_partner=cast.partner_b)
    assert left.escort_partner == cast.partner_b
    assert left.escort_name == cast.partner_b.full_name


def test_a_partner_who_also_dosed_cannot_take_the_other_home(cast):
    session = started_session(cast, Approach.DUAL_HALF)
    given = timezone.now()
    for partner in (cast.partner_a, cast.partner_b):
        vitals(cast, session, partner, at=given - minutes(1))
        dose(cast, session, partner, "50", at=given)
    leave = given + minutes(130)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    with pytest.raises(medicine.InvalidFields, match="Bobbie received the medicine today"):
        discharge(cast, session, cast.partner_a, leave, escort_partner=cast.partner_b)
    with pytest.raises(medicine.InvalidFields, match="received the medicine today"):
        discharge(cast, session, cast.partner_a, leave, escort_name="bobbie", **ESCORT)
    assert not Discharge.objects.exists()


# --- Ending the session ----------------------------------------------------------------------
def test_the_session_completes_once_every_dosed_partner_is_discharged(cast):
    session, given = dosed_session(cast)
    with pytest.raises(DomainError, match="Alexa was dosed and is not discharged"):
        medicine.medicine_session_complete(session=session, by=cast.clinician)
    leave = given + minutes(121)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    discharge(cast, session, cast.partner_a, leave)
    session = medicine.medicine_session_complete(session=session, by=cast.clinician)
    assert session.status == MedicineSession.Status.COMPLETED
    assert session.completed_at is not None
    assert session.appointment.status == Appointment.Status.COMPLETED


def test_ending_early_after_a_dose_still_needs_the_discharge(cast):
    session, given = dosed_session(cast)
    medicine.adverse_event_record(
        session=session,
        partner=cast.partner_a,
        kind="nausea",
        severity="moderate",
        action="Ondansetron given; session stopped.",
        by=cast.clinician,
    )
    with pytest.raises(DomainError, match="why"):
        medicine.medicine_session_end_early(session=session, reason="", by=cast.clinician)
    with pytest.raises(DomainError, match="Alexa was dosed and is not discharged"):
        medicine.medicine_session_end_early(
            session=session, reason="Vomiting after the dose.", by=cast.clinician
        )
    leave = given + minutes(121)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    discharge(cast, session, cast.partner_a, leave)
    session = medicine.medicine_session_end_early(
        session=session, reason="Vomiting after the dose.", by=cast.clinician
    )
    assert session.status == MedicineSession.Status.ENDED_EARLY
    assert session.ended_early_reason == "Vomiting after the dose."


def test_a_session_with_no_dose_ends_early_at_once(cast):
    session = started_session(cast)
    session = medicine.medicine_session_end_early(
        session=session, reason="Partner felt unwell on arrival.", by=cast.clinician
    )
    assert session.status == MedicineSession.Status.ENDED_EARLY


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
        vitals(cast, session, cast.partner_a)


def test_a_severe_adverse_event_raises_an_urgent_alert_that_reaches_the_care_team(cast):
    from integration.models import Alert, Reminder

    session, _ = dosed_session(cast)
    medicine.adverse_event_record(
        session=session,
        partner=cast.partner_a,
        kind="anxiety",
        severity="severe",
        action="Grounding, lorazepam given.",
        by=cast.clinician,
    )
    alert = Alert.objects.get()
    assert alert.kind == Alert.Kind.ADVERSE_EVENT
    assert alert.urgency == Alert.Urgency.URGENT
    emailed = Reminder.objects.filter(kind=Reminder.Kind.URGENT_ALERT)
    assert {r.staff_user for r in emailed} == {cast.clinician, cast.prescriber}


def test_a_hold_reading_starts_a_thirty_minute_watch(cast):
    from integration.models import Reminder

    session = started_session(cast)
    reading = vitals(cast, session, cast.partner_a, 170, 100)
    watch = Reminder.objects.get(kind=Reminder.Kind.HOLD_WATCH)
    assert watch.due_at == reading.taken_at + minutes(30)
    assert medicine.hold_in_force(reading.pk)
    medicine.vitals_acknowledge(vitals=reading, reason="Repeat planned.", by=cast.prescriber)
    assert not medicine.hold_in_force(reading.pk)
