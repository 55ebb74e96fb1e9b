"""The C-SSRS screener before each medicine session opens inside its validity window."""

import importlib
from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from intake.models import ScreeningSettings
from integration import services
from integration.models import MessagingSettings, QuestionnaireDue, Reminder
from tests.integration.helpers import past_appointment


def screener_for(appointment, partner):
    return QuestionnaireDue.objects.get(key=f"appointment:{appointment.pk}:C-SSRS:{partner.pk}")


def test_a_screener_for_a_session_months_ahead_opens_30_days_before_it(cast):
    appointment = past_appointment(cast, "medicine", days_ago=-90, status="booked")
    services.reminders_on_appointment_booked(appointment=appointment)
    due = screener_for(appointment, cast.partner_a)
    assert due.opens_at == appointment.start - timedelta(days=30)
    assert due.due_at == appointment.start
    assert Reminder.objects.about(due).get().due_at == due.opens_at
    other = QuestionnaireDue.objects.get(partner=cast.partner_a, code="PHQ-9")
    assert other.opens_at <= timezone.now()  # the other instruments keep opening at booking


def test_a_screener_for_a_session_next_week_opens_at_booking(cast):
    appointment = past_appointment(cast, "medicine", days_ago=-7, status="booked")
    before = timezone.now()
    services.reminders_on_appointment_booked(appointment=appointment)
    assert before <= screener_for(appointment, cast.partner_b).opens_at <= timezone.now()


def test_the_clinics_screener_validity_sets_when_it_opens(cast):
    ScreeningSettings.objects.update_or_create(
        clinic=cast.clinic, defaults={"cssrs_valid_days": 14}
    )
    appointment = past_appointment(cast, "medicine", days_ago=-60, status="booked")
    services.reminders_on_appointment_booked(appointment=appointment)
    due = screener_for(appointment, cast.partner_a)
    assert due.opens_at == appointment.start - timedelta(days=14)


def test_the_migration_adds_the_screener_to_a_clinics_existing_schedule_once(cast):
    MessagingSettings.objects.filter(clinic=cast.clinic).update(
        questionnaire_schedule=[{"code": "PHQ-9", "event": "before_medicine"}]
    )
    migration = importlib.import_module(
        "integration.migrations.0003_safety_alerts_and_screener_schedule"
    )
    migration.add_screener_before_medicine(apps, None)
    migration.add_screener_before_medicine(apps, None)
    schedule = MessagingSettings.objects.get(clinic=cast.clinic).questionnaire_schedule
    assert schedule == [
        {"code": "PHQ-9", "event": "before_medicine"},
        {"code": "C-SSRS", "event": "before_medicine"},
    ]
