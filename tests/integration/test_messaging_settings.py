"""The clinic admin edits message timing, quiet hours and the questionnaire schedule as a form."""

import datetime

import pytest
from django.urls import reverse

from integration.clinic_settings import messaging_settings_update
from integration.forms import QuestionnaireScheduleForm
from integration.models import MessagingSettings, default_questionnaire_schedule
from kapcouples.models import AccessLog, Role
from kapcouples.policy import NotAllowed
from tests.factories import StaffFactory

URL = reverse("integration:messaging_settings_edit")
WRONG_ACTORS = ("clinician", "prescriber", "front_desk", "partner_a", "other_admin")


def form_data(**changes) -> dict:
    values = {
        "appointment_reminder_hours": 24,
        "preparation_instructions_hours": 48,
        "checkin_days": "1,3,7,14",
        "intake_nudge_days": 3,
        "intake_overdue_alert_days": 14,
        "expiry_alert_days": 14,
        "quiet_start": "21:00",
        "quiet_end": "08:00",
        "preparation_guidance": "Arrange a ride home.",
        "schedule-phq9_before_medicine_on": "on",
        "schedule-phq9_after_medicine_on": "on",
        "schedule-phq9_after_medicine_days": "7, 30",
        "schedule-csi4_program_end_on": "on",
    }
    return {**values, **changes}


def saved(cast) -> MessagingSettings:
    return MessagingSettings.objects.get(clinic=cast.clinic)


def test_it_saves_timing_quiet_hours_and_the_schedule_from_the_grid(cast, client_for):
    client_for(cast.clinic_admin).post(URL, form_data(quiet_start="22:30"))
    settings = saved(cast)
    assert settings.quiet_start == datetime.time(22, 30)
    assert settings.questionnaire_schedule == [
        {"code": "PHQ-9", "event": "before_medicine"},
        {"code": "PHQ-9", "event": "after_medicine", "days": 7},
        {"code": "PHQ-9", "event": "after_medicine", "days": 30},
        {"code": "CSI-4", "event": "program_end"},
    ]
    entry = AccessLog.objects.get(action=AccessLog.Action.CHANGE, user=cast.clinic_admin)
    assert "questionnaire_schedule" in entry.detail and "quiet_start" in entry.detail
    assert settings.history.count() == 2


def test_the_grid_shows_the_current_schedule_and_saving_it_unchanged_keeps_it(cast):
    schedule = default_questionnaire_schedule()
    form = QuestionnaireScheduleForm(schedule=schedule, prefix="schedule")
    ticked = {(code, label) for code, label, on, _ in form.rows() if on.value()}
    assert ("PHQ-9", "after each medicine session") in ticked and len(ticked) == len(schedule)
    data = {f.html_name: f.value() for f in form if f.value()}
    resaved = QuestionnaireScheduleForm(data, schedule=schedule, prefix="schedule")
    assert resaved.is_valid()
    key = lambda e: (e["code"], e["event"], e.get("days", 0))  # noqa: E731
    assert sorted(resaved.cleaned_data["schedule"], key=key) == sorted(schedule, key=key)


def test_bad_days_are_refused_beside_their_row_and_nothing_is_saved(cast, client_for):
    response = client_for(cast.clinic_admin).post(
        URL, form_data(**{"schedule-phq9_after_medicine_days": "seven"}, checkin_days="2,4")
    )
    page = response.content.decode()
    assert "Whole days from 0 to 90" in page and 'value="seven"' in page
    assert 'value="2,4"' in page
    assert saved(cast).questionnaire_schedule == default_questionnaire_schedule()


def test_quiet_hours_need_a_time(cast, client_for):
    response = client_for(cast.clinic_admin).post(URL, form_data(quiet_end="late"))
    assert "Enter a valid time" in response.content.decode()
    assert saved(cast).quiet_end == datetime.time(8, 0)


@pytest.mark.parametrize("who", WRONG_ACTORS)
def test_only_the_clinics_admin_changes_message_settings(cast, who):
    other_admin = StaffFactory(clinic=cast.other_clinic, role=Role.CLINIC_ADMIN)
    by = other_admin if who == "other_admin" else cast.user(who)
    with pytest.raises(NotAllowed):
        messaging_settings_update(by=by, clinic_id=cast.clinic.pk, values={"sms_enabled": True})
    assert not saved(cast).sms_enabled
    assert not AccessLog.objects.filter(action=AccessLog.Action.CHANGE).exists()
