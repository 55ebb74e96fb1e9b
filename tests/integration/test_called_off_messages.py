"""Cancellations and no-shows tell the couple (PHI-free, through the outbox); the outbox lets
staff send a failed message again and open the couple it was for."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from integration import services
from integration.models import DRUG_WORDS, Reminder, ReminderRetry
from integration.outbox import reminder_retry
from kapcouples.models import Room
from kapcouples.policy import NotAllowed
from kapcouples.services import DomainError
from sessions import services as booking
from tests.integration.helpers import due_reminder
from tests.integration.test_event_hooks import NOW, book, kinds_of

CANCELLED, MISSED = Reminder.Kind.APPOINTMENT_CANCELLED, Reminder.Kind.APPOINTMENT_MISSED


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_cancelling_an_appointment_ahead_tells_each_partner_without_clinical_words(cast, clock):
    appointment = book(cast, NOW + timedelta(days=2))
    booking.appointment_cancel(appointment=appointment, reason="Clinician ill", by=cast.front_desk)
    assert kinds_of(appointment, status="pending") == [CANCELLED, CANCELLED]
    services.reminders_deliver_due()
    sent = [m for m in mail.outbox if "cancelled" in m.subject]
    assert sorted(m.to[0] for m in sent) == sorted([cast.partner_a.email, cast.partner_b.email])
    body = (sent[0].subject + sent[0].body).lower()
    assert "wednesday 3 june 2026, 11:00" in body and "do not come in" in body
    assert "clinician ill" not in body  # the reason is the clinic's, not the message's
    assert not any(word in body for word in (*DRUG_WORDS, "medicine", "assessment"))


def test_a_cancellation_recorded_after_the_start_tells_nobody(cast, clock):
    appointment = book(cast, NOW + timedelta(hours=2))
    clock.move_to(NOW + timedelta(hours=3))
    booking.appointment_cancel(appointment=appointment, reason="Entered late", by=cast.front_desk)
    assert CANCELLED not in kinds_of(appointment)


def test_a_no_show_gets_a_gentle_we_missed_you(cast, clock):
    appointment = book(cast, NOW + timedelta(hours=2))
    clock.move_to(NOW + timedelta(hours=3))
    booking.appointment_mark_no_show(appointment=appointment, by=cast.front_desk)
    assert kinds_of(appointment, kind=MISSED) == [MISSED, MISSED]
    services.reminders_deliver_due()
    missed = [m for m in mail.outbox if "missed you" in m.subject.lower()]
    assert len(missed) == 2 and "call the clinic" in missed[0].body


def test_a_no_show_recorded_weeks_later_tells_nobody(cast, clock):
    appointment = book(cast, NOW + timedelta(hours=2))
    clock.move_to(NOW + timedelta(days=20))
    booking.appointment_mark_no_show(appointment=appointment, by=cast.front_desk)
    assert MISSED not in kinds_of(appointment)


def test_a_backdated_record_never_sends_a_cancellation_or_no_show_message(cast, clock):
    start = NOW - timedelta(days=3)
    appointment = booking.appointment_book(
        couple=cast.couple,
        kind="assessment",
        start=start,
        end=start + timedelta(hours=1),
        room=Room.objects.get_or_create(clinic=cast.clinic, name="Cedar")[0],
        clinicians=[cast.clinician],
        by=cast.front_desk,
        backdated_reason="Entered from the paper diary",
    )
    booking.appointment_mark_no_show(appointment=appointment, by=cast.front_desk)
    assert kinds_of(appointment) == []


# --- Retrying a failed message ---------------------------------------------------------------
def failed(cast, key="failed"):
    reminder = due_reminder(cast.partner_a, key=key)
    Reminder.objects.filter(pk=reminder.pk).update(
        status=Reminder.Status.FAILED, attempts=5, last_error="SMTP 550 mailbox unavailable"
    )
    reminder.refresh_from_db()
    return reminder


def test_staff_retry_a_failed_message_keeping_its_attempts_and_the_error_it_had(cast):
    reminder = failed(cast)
    reminder_retry(reminder=reminder, by=cast.front_desk)
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.PENDING and reminder.attempts == 5
    retry = ReminderRetry.objects.get(reminder=reminder)
    assert retry.by == cast.front_desk and retry.attempts_before == 5
    assert retry.error_before == "SMTP 550 mailbox unavailable"


@pytest.mark.parametrize("who", ["partner_a", "other_clinic_clinician"])
def test_someone_outside_the_clinics_staff_cannot_retry(cast, who):
    reminder = failed(cast)
    with pytest.raises(NotAllowed, match="can_view_outbox"):
        reminder_retry(reminder=reminder, by=cast.user(who))
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED and not ReminderRetry.objects.exists()


def test_only_a_failed_message_can_be_retried(cast):
    reminder = due_reminder(cast.partner_a, key="pending")
    with pytest.raises(DomainError, match="this one is pending"):
        reminder_retry(reminder=reminder, by=cast.front_desk)
    assert not ReminderRetry.objects.exists()


def test_the_outbox_page_offers_retry_on_failed_rows_and_retries(cast, client_for):
    reminder = failed(cast)
    due_reminder(cast.partner_b, key="still-pending")
    client = client_for(cast.front_desk)
    page = client.get(reverse("integration:outbox")).content.decode()
    retry_url = reverse("integration:outbox_retry", args=[reminder.pk])
    assert page.count(">Retry</button>") == 1 and retry_url in page
    assert client.post(retry_url).status_code == 302
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.PENDING


def test_another_clinics_staff_get_a_404_for_a_retry(cast, client_for):
    reminder = failed(cast)
    response = client_for(cast.other_clinic_clinician).post(
        reverse("integration:outbox_retry", args=[reminder.pk])
    )
    assert response.status_code == 404
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("front_desk", True),
        ("clinician", True),
        ("clinician_outside", False),
        ("clinic_admin", False),
    ],
)
def test_the_couple_link_shows_only_for_staff_who_may_open_the_couple(cast, client_for, who, shown):
    due_reminder(cast.partner_a, key="to-couple")
    couple_url = reverse("intake:couple_detail", args=[cast.couple.pk])
    page = client_for(cast.user(who)).get(reverse("integration:outbox")).content.decode()
    assert (couple_url in page) is shown


def test_the_outbox_with_links_and_retries_makes_a_fixed_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.clinician)
    failed(cast, key="first")
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("integration:outbox"))
    for number in range(20):
        failed(cast, key=f"many-{number}")
        due_reminder(cast.other_partner, key=f"other-{number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("integration:outbox")).content.decode()
    assert page.count(">Retry</button>") == 21
