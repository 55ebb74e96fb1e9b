"""The outbox rows each event writes, through the sessions app's real booking services."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import transaction

from integration import services
from integration.models import CheckIn, QuestionnaireDue, Reminder
from kapcouples.models import Room
from sessions import services as booking
from tests.integration.conftest import DEAD_BROKER
from tests.integration.helpers import completed_medicine_session, past_appointment

# A Monday 11:00 in New York (the cast's clinic and partners' zone): outside quiet hours.
NOW = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def book(cast, start, *, kind="assessment"):
    room, _ = Room.objects.get_or_create(clinic=cast.clinic, name="Cedar")
    return booking.appointment_book(
        couple=cast.couple,
        kind=kind,
        start=start,
        end=start + timedelta(hours=1),
        room=room,
        clinicians=[cast.clinician],
        by=cast.front_desk,
        # The times follow the messages under test, not the clinic's opening hours.
        outside_hours_reason="Booked at the hour the test needs",
    )


def kinds_of(appointment, **filters) -> list[str]:
    rows = Reminder.objects.about(appointment).filter(**filters)
    return sorted(rows.values_list("kind", flat=True))


def test_booking_confirms_now_and_reminds_each_partner_24_hours_before(cast, clock):
    start = NOW + timedelta(days=3)
    appointment = book(cast, start)
    confirmation, reminder = (
        Reminder.Kind.APPOINTMENT_CONFIRMATION,
        Reminder.Kind.APPOINTMENT_REMINDER,
    )
    assert kinds_of(appointment) == sorted([confirmation] * 2 + [reminder] * 2)
    reminders = Reminder.objects.about(appointment).filter(kind=reminder)
    assert {r.partner_id for r in reminders} == {cast.partner_a.pk, cast.partner_b.pk}
    assert {r.due_at for r in reminders} == {start - timedelta(hours=24)}
    assert {r.next_attempt_at for r in Reminder.objects.filter(kind=confirmation)} == {NOW}


def test_the_booked_hook_run_again_for_an_appointment_writes_nothing_new(cast, clock):
    # The booking service tells the hook its appointment is new (no key lookup); other
    # callers, such as the demo seed, may run it again and must still get one row a key.
    appointment = past_appointment(cast, "medicine", days_ago=-5, status="booked")
    services.reminders_on_appointment_booked(appointment=appointment)
    written = Reminder.objects.count()
    services.reminders_on_appointment_booked(appointment=appointment)
    assert Reminder.objects.count() == written


def test_the_reminders_roll_back_with_a_booking_that_fails(cast, clock):
    with pytest.raises(RuntimeError), transaction.atomic():
        book(cast, NOW + timedelta(days=3))
        raise RuntimeError("the booking's transaction fails after the hook ran")
    assert not Reminder.objects.exists()


def test_cancelling_cancels_the_pending_reminders_and_keeps_the_sent_ones(cast, clock):
    appointment = book(cast, NOW + timedelta(days=3))
    services.reminders_deliver_due()  # the confirmations go out now
    booking.appointment_cancel(appointment=appointment, reason="Unwell", by=cast.front_desk)
    statuses = dict(Reminder.objects.about(appointment).values_list("kind", "status").distinct())
    assert statuses[Reminder.Kind.APPOINTMENT_CONFIRMATION] == Reminder.Status.SENT
    assert statuses[Reminder.Kind.APPOINTMENT_REMINDER] == Reminder.Status.CANCELLED
    assert not QuestionnaireDue.objects.filter(cancelled_at=None).exists()
    clock.move_to(NOW + timedelta(days=3))
    services.reminders_deliver_due()
    assert not Reminder.objects.about(appointment).filter(status="pending").exists()


def test_a_no_show_cancels_what_is_still_pending(cast, clock):
    appointment = book(cast, NOW + timedelta(hours=30))
    clock.move_to(NOW + timedelta(hours=31))
    booking.appointment_mark_no_show(appointment=appointment, by=cast.front_desk)
    # Only the "we missed you" messages just written wait to go out.
    assert kinds_of(appointment, status="pending") == [Reminder.Kind.APPOINTMENT_MISSED] * 2


def test_rescheduling_moves_pending_reminders_and_confirms_the_new_time(cast, clock):
    first_start = NOW + timedelta(days=3)
    appointment = book(cast, first_start)
    services.reminders_deliver_due()
    new_start = first_start + timedelta(days=2, hours=1)
    room = Room.objects.get(clinic=cast.clinic, name="Cedar")
    booking.appointment_reschedule(
        appointment=appointment,
        start=new_start,
        end=new_start + timedelta(hours=1),
        room=room,
        clinicians=[cast.clinician],
        by=cast.front_desk,
    )
    pending = Reminder.objects.about(appointment).filter(status="pending")
    assert {(r.kind, r.due_at, r.event_at) for r in pending} == {
        (Reminder.Kind.APPOINTMENT_CONFIRMATION, NOW, new_start),
        (Reminder.Kind.APPOINTMENT_REMINDER, new_start - timedelta(hours=24), new_start),
    }
    assert pending.count() == 4  # both partners
    assert Reminder.objects.about(appointment).count() == 6  # the first confirmations stay sent
    due = QuestionnaireDue.objects.filter(partner=cast.partner_a, code="PCL-5").get()
    assert due.due_at == new_start


def test_a_reminder_across_the_spring_clock_change_shows_the_new_local_time(cast):
    # The clocks go forward in New York at 07:00 UTC on 8 March 2026.
    with time_machine.travel(datetime(2026, 3, 6, 15, 0, tzinfo=UTC), tick=False) as clock:
        start = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)  # Monday 10:00 EDT
        appointment = book(cast, start)
        reminder = (
            Reminder.objects.about(appointment)
            .filter(kind=Reminder.Kind.APPOINTMENT_REMINDER, partner=cast.partner_a)
            .get()
        )
        assert reminder.next_attempt_at == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)  # 10:00 EDT
        clock.move_to(reminder.next_attempt_at)
        services.reminders_deliver_due()
    from django.core import mail

    texts = [m.body for m in mail.outbox if m.to == [cast.partner_a.email]]
    assert any("Monday 9 March 2026, 10:00 (EDT)" in text for text in texts)


def test_a_medicine_session_gets_preparation_instructions_48_hours_before(cast, clock):
    appointment = past_appointment(cast, "medicine", days_ago=-5, status="booked")
    services.reminders_on_appointment_booked(appointment=appointment)
    prep = Reminder.objects.about(appointment).filter(kind=Reminder.Kind.PREPARATION_INSTRUCTIONS)
    assert prep.count() == 2
    assert {r.due_at for r in prep} == {appointment.start - timedelta(hours=48)}
    assert QuestionnaireDue.objects.filter(code__in=["PHQ-9", "GAD-7"]).count() == 4


def test_a_medicine_session_booked_at_short_notice_gets_its_instructions_at_once(cast, clock):
    appointment = past_appointment(cast, "medicine", days_ago=-1, status="booked")
    services.reminders_on_appointment_booked(appointment=appointment)
    prep = Reminder.objects.about(appointment).filter(kind="preparation_instructions")
    assert {r.due_at for r in prep} == {NOW}


def test_a_completed_session_schedules_check_ins_and_questionnaires(cast, clock):
    session = completed_medicine_session(cast, days_ago=0.1)
    services.followups_on_medicine_session_completed(medicine_session=session)
    checkins = CheckIn.objects.filter(medicine_session=session)
    assert sorted(checkins.values_list("day", flat=True)) == [1, 1, 3, 3, 7, 7, 14, 14]
    prompts = Reminder.objects.filter(kind=Reminder.Kind.CHECKIN_PROMPT)
    assert prompts.count() == 8
    assert QuestionnaireDue.objects.filter(reason="After your session").count() == 4
    week = QuestionnaireDue.objects.filter(partner=cast.partner_a, code="PHQ-9").get()
    assert week.opens_at == session.completed_at + timedelta(days=7)
    services.followups_on_medicine_session_completed(medicine_session=session)
    assert CheckIn.objects.count() == 8 and prompts.count() == 8  # twice writes nothing new


def test_while_redis_is_down_booking_still_works_and_the_sweep_sends_once_it_is_back(
    cast,
    clock,
    broker_url,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    broker_url(DEAD_BROKER)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as published:
        appointment = book(cast, NOW + timedelta(days=3))
    elapsed = time.monotonic() - started
    assert published and elapsed < 2.0, elapsed
    assert mailoutbox == []
    broker_url(settings.CELERY_BROKER_URL)  # Redis is back
    services.reminders_deliver_due()
    services.reminders_deliver_due()
    confirmations = [m for m in mailoutbox if "is booked" in m.subject]
    assert sorted(m.to[0] for m in confirmations) == sorted(
        [cast.partner_a.email, cast.partner_b.email]
    )
    assert (
        Reminder.objects.about(appointment)
        .filter(kind="appointment_confirmation")
        .filter(status="sent")
        .count()
        == 2
    )
