"""The integration promise: a session held within the window, re-evaluated at every break."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from integration import services
from integration.models import Alert, Reminder
from integration.window import window_end
from sessions import services as booking
from sessions.models import Appointment
from tests.integration.helpers import completed_medicine_session
from tests.integration.test_event_hooks import book

NOW = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)  # a Monday 11:00 in New York


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def session(cast, clock):
    medicine = completed_medicine_session(cast, days_ago=0.1)
    services.followups_on_medicine_session_completed(medicine_session=medicine)
    return medicine


def integration(cast, hours_from_now: float):
    return book(cast, NOW + timedelta(hours=hours_from_now), kind="integration")


def run_checks_until(clock, moment):
    clock.move_to(moment)
    services.reminders_deliver_due()


def staff_told(cast) -> list[str]:
    """Who got the staff email (partners' check-in prompts go out meanwhile too)."""
    return sorted(m.to[0] for m in mail.outbox if "not held" in m.subject)


def everyone(cast) -> list[str]:
    return sorted(u.email for u in (cast.front_desk, cast.clinician, cast.prescriber))


def test_nothing_booked_a_day_after_the_session_alerts_desk_and_care_team_once(
    cast, clock, session
):
    run_checks_until(clock, NOW + timedelta(hours=23))
    alert = Alert.objects.get(couple=cast.couple)
    assert alert.kind == Alert.Kind.MISSING_INTEGRATION and "never booked" in alert.message
    assert staff_told(cast) == everyone(cast)
    run_checks_until(clock, window_end(session) + timedelta(minutes=1))
    assert Alert.objects.count() == 1 and staff_told(cast) == everyone(cast)


def test_an_early_alert_resolved_inside_the_window_does_not_hide_the_window_closing_unkept(
    cast, clock, session
):
    from integration import alerts

    run_checks_until(clock, NOW + timedelta(hours=23))
    early = Alert.objects.get(couple=cast.couple)
    alerts.alert_resolve(alert=early, by=cast.clinician, note="Called them; they will book.")
    run_checks_until(clock, window_end(session) + timedelta(minutes=1))
    assert Alert.objects.filter(couple=cast.couple, resolved_at=None).count() == 1


def test_a_booked_integration_appointment_passes_the_first_check(cast, clock, session):
    integration(cast, 20)
    run_checks_until(clock, NOW + timedelta(hours=23))
    assert not Alert.objects.exists() and staff_told(cast) == []


def test_cancelling_the_only_integration_appointment_alerts_at_once_and_the_checks_add_nothing(
    cast, clock, session
):
    appointment = integration(cast, 20)
    mail.outbox.clear()
    booking.appointment_cancel(appointment=appointment, reason="Away", by=cast.front_desk)
    alert = Alert.objects.get(couple=cast.couple)
    assert "booked and then cancelled" in alert.message
    services.reminders_deliver_due()
    assert staff_told(cast) == everyone(cast)
    run_checks_until(clock, NOW + timedelta(hours=23))
    run_checks_until(clock, window_end(session) + timedelta(minutes=1))
    assert Alert.objects.count() == 1 and staff_told(cast) == everyone(cast)


def test_a_cancellation_with_another_integration_still_booked_in_the_window_raises_nothing(
    cast, clock, session
):
    first, _second = integration(cast, 20), integration(cast, 40)
    booking.appointment_cancel(appointment=first, reason="Away", by=cast.front_desk)
    assert not Alert.objects.exists()


def test_a_no_show_alerts_that_the_integration_session_was_not_completed(cast, clock, session):
    appointment = integration(cast, 20)
    mail.outbox.clear()
    clock.move_to(NOW + timedelta(hours=21))
    booking.appointment_mark_no_show(appointment=appointment, by=cast.front_desk)
    alert = Alert.objects.get(couple=cast.couple)
    assert "not completed" in alert.message
    services.reminders_deliver_due()
    assert staff_told(cast) == everyone(cast)


def test_a_rebooking_that_is_missed_too_raises_a_second_alert(cast, clock, session):
    booking.appointment_cancel(appointment=integration(cast, 20), reason="Ill", by=cast.front_desk)
    again = integration(cast, 30)
    clock.move_to(NOW + timedelta(hours=31))
    booking.appointment_mark_no_show(appointment=again, by=cast.front_desk)
    messages = sorted(Alert.objects.values_list("message", flat=True))
    assert len(messages) == 2
    assert "booked and then cancelled" in messages[0] and "not completed" in messages[1]
    assert Reminder.objects.filter(kind=Reminder.Kind.MISSING_INTEGRATION).count() == 6


def test_booked_but_never_completed_by_the_window_end_alerts_when_the_window_closes(
    cast, clock, session
):
    integration(cast, 20)
    run_checks_until(clock, NOW + timedelta(hours=23))
    assert not Alert.objects.exists()
    run_checks_until(clock, window_end(session))
    alert = Alert.objects.get(couple=cast.couple)
    assert "not completed" in alert.message


def test_an_integration_session_held_in_the_window_keeps_the_promise(cast, clock, session):
    appointment = integration(cast, 20)
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.COMPLETED)
    run_checks_until(clock, window_end(session) + timedelta(hours=1))
    assert not Alert.objects.exists()
    checks = Reminder.objects.filter(kind=Reminder.Kind.INTEGRATION_CHECK)
    assert set(checks.values_list("status", flat=True)) == {Reminder.Status.CANCELLED}


def test_an_integration_cancelled_outside_the_window_does_not_count(cast, clock, session):
    appointment = integration(cast, 100)
    booking.appointment_cancel(appointment=appointment, reason="Away", by=cast.front_desk)
    assert not Alert.objects.exists()


def test_the_window_is_the_one_its_caller_gave_when_the_session_completed(cast, clock):
    medicine = completed_medicine_session(cast, days_ago=0.1)
    services.followups_on_medicine_session_completed(
        medicine_session=medicine, integration_within_hours=24
    )
    assert window_end(medicine) == medicine.completed_at + timedelta(hours=24)
    run_checks_until(clock, window_end(medicine) + timedelta(minutes=1))
    assert "within 24 h" in Alert.objects.get(couple=cast.couple).message
