"""At-home sessions: every rule of a dose in the clinic holds at home (readiness, readings,
caution and hold, the cap), plus the home rules (setting, chaperone, checks, the end)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from athome import services
from athome.models import ChaperoneCheck
from athome.watch import chaperone_watch_fires
from integration.models import Alert, CheckIn, Reminder
from kapcouples.policy import NotAllowed
from kapcouples.services import DomainError
from sessions import medicine
from sessions.medicine import InvalidFields
from sessions.models import Appointment, MedicineSession, ReadinessOverride, VitalSigns
from sessions.services import NotReadyError
from tests.athome.helpers import (
    allow_at_home,
    check,
    dosed_at_home,
    home_session,
    minutes,
    present,
    reading,
    take,
)

CHECK_40, END = ChaperoneCheck.Kind.CHECK_40, ChaperoneCheck.Kind.END


def urgent_alerts(cast, kind):
    return Alert.objects.filter(couple=cast.couple, kind=kind, urgency=Alert.Urgency.URGENT)


# --- The setting -----------------------------------------------------------------------------
def test_a_plan_at_home_cannot_be_approved_where_the_clinic_says_in_clinic_only(cast):
    from tests.athome.helpers import approve_for_home
    from tests.sessions.factories import make_plan

    make_plan(cast)
    allow_at_home(cast, False)
    with pytest.raises(DomainError, match="does not allow at-home"):
        approve_for_home(cast)


def test_the_session_does_not_start_at_home_once_the_clinic_withdrew_it(cast):
    session, _ = home_session(cast)
    allow_at_home(cast, False)
    with pytest.raises(DomainError, match="does not allow at-home medicine sessions now"):
        reading(cast, session)
    assert MedicineSession.objects.get(pk=session.pk).status == MedicineSession.Status.PLANNED


def test_no_dose_at_home_once_the_plan_went_back_to_draft(cast):
    from sessions import services as session_services

    session, _ = home_session(cast)
    reading(cast, session)
    present(cast, session)
    session_services.plan_save(couple=cast.couple, by=cast.clinician, values={"goals": "New."})
    with pytest.raises(DomainError, match="not approved for at-home sessions now"):
        take(cast, session)
    assert not session.doses.exists()


def test_the_care_team_cannot_record_a_dose_of_an_at_home_session(cast):
    session, _ = home_session(cast)
    reading(cast, session)
    with pytest.raises(DomainError, match="records the dose they took themselves"):
        medicine.dose_record(
            session=session, partner=cast.partner_a, mg=Decimal("50"), by=cast.clinician
        )


# --- The readiness gate holds at home ---------------------------------------------------------
def test_the_readiness_gate_holds_at_home(cast):
    session, _ = home_session(cast)
    # Item 4: the preparation sessions, cancelled after booking, are not completed.
    Appointment.objects.filter(couple=cast.couple, kind=Appointment.Kind.PREPARATION).update(
        status=Appointment.Status.CANCELLED, cancel_reason="Cancelled by the test"
    )
    with pytest.raises(NotReadyError):
        reading(cast, session)
    assert not VitalSigns.objects.filter(medicine_session=session).exists()
    assert not ReadinessOverride.objects.exists()


# --- Readings and the dose ---------------------------------------------------------------------
def test_only_the_dosing_partner_records_readings_and_the_dose(cast):
    session, _ = home_session(cast)
    with pytest.raises(NotAllowed, match="can_self_report_at_home"):
        services.home_vitals_record(
            session=session,
            systolic=120,
            diastolic=80,
            heart_rate=70,
            spo2=98,
            by=cast.partner_b.user,
        )
    with pytest.raises(NotAllowed):
        services.home_dose_record(session=session, mg=Decimal("10"), by=cast.clinician)


def test_the_first_reading_starts_the_session_and_is_recorded_as_self_measured(cast):
    session, _ = home_session(cast)
    vitals = reading(cast, session)
    session.refresh_from_db()
    assert session.status == MedicineSession.Status.IN_PROGRESS
    assert session.started_by == cast.partner_a.user
    assert vitals.recorded_by == cast.partner_a.user
    assert vitals.moment == VitalSigns.Moment.PRE_DOSE


def test_no_dose_before_the_chaperone_confirms_presence(cast):
    session, _ = home_session(cast)
    reading(cast, session)
    with pytest.raises(DomainError, match="chaperone must first confirm"):
        take(cast, session)
    present(cast, session)
    assert take(cast, session).given_by == cast.partner_a.user


def test_no_dose_without_a_fresh_reading(cast):
    session, _ = home_session(cast)
    now = timezone.now()
    reading(cast, session, at=now - minutes(20))
    present(cast, session, at=now - minutes(19))
    with pytest.raises(DomainError, match="each dose needs a reading from the last 15 minutes"):
        take(cast, session, at=now)


def test_a_hold_reading_blocks_the_dose_and_alerts_the_care_team_at_once(cast):
    session, _ = home_session(cast)
    reading(cast, session, 165, 95)
    present(cast, session)
    with pytest.raises(DomainError, match="hold level"):
        take(cast, session)
    alert = urgent_alerts(cast, Alert.Kind.HOME_HOLD).get()
    assert "165/95" in alert.message
    # The urgent alert is announced to the care team through the outbox.
    assert Reminder.objects.filter(kind=Reminder.Kind.URGENT_ALERT, about_id=alert.pk).exists()


def test_a_caution_reading_blocks_until_a_prescriber_acknowledges_it_remotely(cast):
    session, _ = home_session(cast)
    caution = reading(cast, session, 145, 85)
    present(cast, session)
    with pytest.raises(DomainError, match="caution level: a prescriber must acknowledge"):
        take(cast, session)
    medicine.vitals_acknowledge(vitals=caution, reason="", by=cast.prescriber)
    assert take(cast, session, mg="50").mg == Decimal("50")


def test_an_oxygen_saturation_under_the_floor_blocks_the_dose(cast):
    session, _ = home_session(cast)
    reading(cast, session, spo2=90)
    present(cast, session)
    with pytest.raises(DomainError, match="SpO₂ 90 %"):
        take(cast, session)


def test_the_dose_cap_holds_at_home(cast):
    session, _ = home_session(cast, dose=Decimal("80"))
    reading(cast, session)
    present(cast, session)
    with pytest.raises(DomainError, match=r"limit of 80\.00 mg"):
        take(cast, session, mg="80.5")
    assert take(cast, session, mg="80").share_percent == 100


def test_one_dose_per_session_at_home(cast):
    session, _ = home_session(cast)
    reading(cast, session)
    present(cast, session)
    take(cast, session, mg="40")
    with pytest.raises(DomainError, match="already: do not take more"):
        take(cast, session, mg="10")
    assert session.doses.count() == 1


# --- The chaperone -----------------------------------------------------------------------------
def test_the_dosing_partner_cannot_be_the_chaperone(cast):
    session, _ = home_session(cast)
    with pytest.raises(InvalidFields) as refused:
        services.chaperone_name(session=session, by=cast.clinician, partner=cast.partner_a)
    assert "takes the medicine" in refused.value.errors["partner"]


def test_a_named_adult_needs_a_full_name_and_a_phone(cast):
    session, _ = home_session(cast)
    with pytest.raises(InvalidFields) as refused:
        services.chaperone_name(session=session, by=cast.clinician, name="Jo", phone="12")
    assert set(refused.value.errors) == {"name", "phone"}


def test_a_named_adults_link_works_until_it_expires_and_only_for_its_session(cast):
    session, token = home_session(cast, chaperone="adult")
    chaperone = services.chaperone_by_link(token)
    assert chaperone.name == "Jordan Rivers"
    assert services.chaperone_by_link("not-the-token") is None
    assert services.chaperone_by_link(token, at=chaperone.link_expires_at) is None
    services.chaperone_check_record(
        session=session, kind=ChaperoneCheck.Kind.PRESENCE, link_chaperone=chaperone
    )
    presence = session.chaperone_checks.get(kind=ChaperoneCheck.Kind.PRESENCE)
    assert presence.reported_by_chaperone == chaperone and presence.reported_by_user is None


def test_a_named_adults_link_is_claimed_by_the_first_browser_only(cast):
    _, token = home_session(cast, chaperone="adult")
    chaperone = services.chaperone_by_link(token)
    assert services.chaperone_link_claim(chaperone=chaperone) is True
    assert services.chaperone_link_claim(chaperone=chaperone) is False


def test_only_the_named_chaperone_partner_reports_checks(cast):
    session, _ = home_session(cast)
    with pytest.raises(NotAllowed, match="can_chaperone"):
        services.chaperone_check_record(
            session=session, kind=ChaperoneCheck.Kind.PRESENCE, by=cast.partner_a.user
        )


def test_the_40_minute_check_is_not_open_right_after_the_dose(cast):
    session, given = dosed_at_home(cast)
    with pytest.raises(DomainError, match="This check is due at"):
        check(cast, session, CHECK_40, given + minutes(5))
    assert check(cast, session, CHECK_40, given + minutes(40)).all_well


def test_a_worrying_answer_alerts_the_care_team(cast):
    session, given = dosed_at_home(cast)
    check(cast, session, CHECK_40, given + minutes(40), breathing_normal=False)
    assert urgent_alerts(cast, Alert.Kind.HOME_CONCERN).count() == 1


# --- The end replaces discharge ------------------------------------------------------------------
def test_the_end_check_waits_for_the_clinics_monitoring_time(cast):
    session, given = dosed_at_home(cast)
    check(cast, session, CHECK_40, given + minutes(40))
    with pytest.raises(DomainError, match="monitoring time after the dose is not over"):
        check(cast, session, END, given + minutes(119))
    check(cast, session, END, given + minutes(120))
    session.refresh_from_db()
    assert session.status == MedicineSession.Status.COMPLETED


def test_the_end_check_needs_the_40_minute_check_first(cast):
    session, given = dosed_at_home(cast)
    with pytest.raises(DomainError, match="40-minute check first"):
        check(cast, session, END, given + minutes(130))


def test_an_end_check_that_is_not_settled_keeps_the_session_open_and_alerts(cast):
    session, given = dosed_at_home(cast)
    check(cast, session, CHECK_40, given + minutes(40))
    check(cast, session, END, given + minutes(125), feels_settled=False)
    session.refresh_from_db()
    assert session.status == MedicineSession.Status.IN_PROGRESS
    assert urgent_alerts(cast, Alert.Kind.HOME_CONCERN).exists()
    # Asked again later and all well: the session completes; the first answer is in history.
    end = check(cast, session, END, given + minutes(140))
    assert end.history.count() >= 2
    session.refresh_from_db()
    assert session.status == MedicineSession.Status.COMPLETED


def test_the_chaperone_must_say_they_stay_with_them(cast):
    session, given = dosed_at_home(cast)
    check(cast, session, CHECK_40, given + minutes(40))
    check(cast, session, END, given + minutes(121), stays_with_them=False)
    session.refresh_from_db()
    assert session.status == MedicineSession.Status.IN_PROGRESS


def test_a_completed_home_session_schedules_the_next_day_check_in(cast):
    session, given = dosed_at_home(cast)
    check(cast, session, CHECK_40, given + minutes(40))
    check(cast, session, END, given + minutes(120))
    assert CheckIn.objects.filter(medicine_session=session, partner=cast.partner_a).exists()


# --- A missed check ---------------------------------------------------------------------------
def _watch_of(session, kind):
    check_row = session.chaperone_checks.get(kind=kind)
    return Reminder.objects.get(
        kind=Reminder.Kind.CHAPERONE_WATCH, about_id=check_row.pk, event_at=check_row.due_at
    )


def test_the_dose_schedules_a_watch_for_each_check_after_its_grace(cast):
    session, given = dosed_at_home(cast)
    watch = _watch_of(session, CHECK_40)
    assert watch.due_at == given + minutes(50)
    assert _watch_of(session, END).due_at == given + minutes(130)


def test_a_missed_check_raises_an_urgent_alert_through_the_outbox(cast):
    session, _ = dosed_at_home(cast)
    assert chaperone_watch_fires(_watch_of(session, CHECK_40)) is False  # never sent itself
    alert = urgent_alerts(cast, Alert.Kind.HOME_CHECK_MISSED).get()
    assert Reminder.objects.filter(kind=Reminder.Kind.URGENT_ALERT, about_id=alert.pk).exists()
    chaperone_watch_fires(_watch_of(session, CHECK_40))  # twice: still one alert
    assert urgent_alerts(cast, Alert.Kind.HOME_CHECK_MISSED).count() == 1


def test_a_check_done_in_time_raises_no_alert(cast):
    session, given = dosed_at_home(cast)
    check(cast, session, CHECK_40, given + minutes(40))
    chaperone_watch_fires(_watch_of(session, CHECK_40))
    assert not urgent_alerts(cast, Alert.Kind.HOME_CHECK_MISSED).exists()


def test_an_at_home_session_has_no_clinic_discharge(cast):
    session, given = dosed_at_home(cast)
    with pytest.raises(DomainError, match="end check replaces discharge"):
        medicine.discharge_record(
            session=session,
            partner=cast.partner_a,
            by=cast.clinician,
            escort_partner=cast.partner_b,
            at=given + minutes(130),
        )
