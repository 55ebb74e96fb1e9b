import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from intake.models import Partner
from integration import services
from integration.models import MessagingSettings, Reminder
from tests.integration.helpers import due_reminder

FORBIDDEN = re.compile(r"ketamine|esketamine|spravato|phq|gad-7|pcl-5|csi-4|score|diagnos", re.I)


def test_writing_the_same_reminder_twice_keeps_one(cast):
    first = due_reminder(cast.partner_a, key="appt:1:reminder:a")
    again = due_reminder(cast.partner_a, key="appt:1:reminder:a")
    assert again.pk == first.pk
    assert Reminder.objects.count() == 1


def test_the_database_refuses_a_second_message_with_the_same_key(cast):
    first = due_reminder(cast.partner_a, key="appt:1:reminder:a")
    copy = (
        "INSERT INTO integration_reminder (clinic_id, partner_id, channel, kind, link_path,"
        " due_at, next_attempt_at, status, attempts, last_error, idempotency_key, created_at,"
        " provider_message_id, delivery_status, fallback_reason)"
        " SELECT clinic_id, partner_id, channel, kind, link_path, due_at, next_attempt_at,"
        " status, 0, '', idempotency_key, created_at, '', '', '' FROM integration_reminder"
        " WHERE id = %s"
    )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(copy, [first.pk])
    assert Reminder.objects.count() == 1


@pytest.mark.django_db
def test_each_reminder_index_is_one_a_query_or_a_constraint_needs():
    """Five million rows: every message written pays for each index, so none is spare."""
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Reminder._meta.db_table)
    indexed = sorted(tuple(i["columns"]) for i in indexes.values() if i["index"] or i["unique"])
    assert indexed == sorted(
        [
            ("id",),
            ("idempotency_key",),
            ("provider_message_id",),
            ("partner_id",),
            ("staff_user_id",),
            ("chaperone_id",),
            ("next_attempt_at",),
            ("about_type_id", "about_id"),
            ("clinic_id", "due_at"),
            ("clinic_id", "status", "due_at"),
        ]
    )


def test_a_due_reminder_is_emailed_once_and_marked_sent(cast):
    reminder = due_reminder(cast.partner_a, key="k1")
    assert services.reminders_deliver_due() == 1
    assert services.reminders_deliver_due() == 0
    assert services.reminder_deliver(reminder_id=reminder.pk) is None
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    assert reminder.sent_at is not None and reminder.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [cast.partner_a.email]
    assert mail.outbox[0].extra_headers["X-KAP-Reminder"] == str(reminder.pk)


def test_a_reminder_not_yet_due_waits(cast):
    due_reminder(cast.partner_a, key="later", due_at=timezone.now() + timedelta(hours=1))
    assert services.reminders_deliver_due() == 0
    assert mail.outbox == []


def test_a_cancelled_reminder_is_never_sent(cast):
    reminder = due_reminder(cast.partner_a, key="k2")
    Reminder.objects.filter(pk=reminder.pk).update(status=Reminder.Status.CANCELLED)
    assert services.reminders_deliver_due() == 0
    assert services.reminder_deliver(reminder_id=reminder.pk) is None
    assert mail.outbox == []


def test_a_partner_who_chose_text_messages_gets_one_when_the_clinic_sends_them(
    cast, settings, tmp_path
):
    settings.KAP_SMS_BACKEND = "integration.sms.FileBackend"
    settings.KAP_SMS_FILE_PATH = str(tmp_path)
    MessagingSettings.objects.filter(clinic=cast.clinic).update(sms_enabled=True)
    cast.partner_a.preferred_channel = Partner.Channel.SMS
    cast.partner_a.phone = "+15550100"
    cast.partner_a.save()
    reminder = due_reminder(cast.partner_a, key="sms1")
    assert reminder.channel == Reminder.Channel.SMS
    services.reminders_deliver_due()
    texts = list(tmp_path.glob("*.sms"))
    assert len(texts) == 1
    assert "+15550100" in texts[0].read_text()
    assert mail.outbox == []


def test_a_partner_who_chose_text_gets_email_while_the_clinic_sends_no_texts(cast):
    cast.partner_a.preferred_channel = Partner.Channel.SMS
    cast.partner_a.phone = "+15550100"
    cast.partner_a.save()
    assert due_reminder(cast.partner_a, key="sms2").channel == Reminder.Channel.EMAIL


def test_a_failing_send_is_retried_with_backoff_and_ends_failed_with_its_error(cast, settings):
    settings.KAP_SMS_BACKEND = "integration.sms.FailingBackend"
    settings.KAP_REMINDER_MAX_ATTEMPTS = 3
    settings.KAP_REMINDER_RETRY_SECONDS = 60
    MessagingSettings.objects.filter(clinic=cast.clinic).update(sms_enabled=True)
    cast.partner_a.preferred_channel = Partner.Channel.SMS
    cast.partner_a.phone = "+15550100"
    cast.partner_a.save()
    start = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        reminder = due_reminder(cast.partner_a, key="fail", due_at=start)
        services.reminders_deliver_due()
        reminder.refresh_from_db()
        assert (reminder.status, reminder.attempts) == (Reminder.Status.PENDING, 1)
        assert reminder.next_attempt_at == start + timedelta(seconds=60)
        clock.shift(timedelta(seconds=30))
        assert services.reminders_deliver_due() == 0  # still backing off
        clock.shift(timedelta(seconds=30))
        services.reminders_deliver_due()
        reminder.refresh_from_db()
        assert reminder.attempts == 2
        assert reminder.next_attempt_at == start + timedelta(seconds=60 + 120)
        clock.shift(timedelta(seconds=120))
        services.reminders_deliver_due()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (Reminder.Status.FAILED, 3)
    assert "SmsError" in reminder.last_error and "refused" in reminder.last_error
    assert reminder.sent_at is None


@pytest.mark.parametrize("kind", Reminder.Kind.values)
def test_no_message_names_the_medicine_or_a_score_or_a_diagnosis(kind, cast):
    reminder = due_reminder(
        cast.partner_a, key=f"render-{kind}", kind=kind, event_at=timezone.now() + timedelta(1)
    )
    message = services.rendering.render_reminder(reminder)
    for part in (message.subject, message.text, message.html):
        assert not FORBIDDEN.search(part), part
    assert "http://" in message.text and "Alexa" in message.text


def test_preparation_instructions_carry_the_clinics_guidance_in_the_partners_time(cast):
    MessagingSettings.objects.filter(clinic=cast.clinic).update(
        preparation_guidance="Bring warm socks.\nNo driving until tomorrow."
    )
    cast.partner_a.timezone = "Europe/Berlin"
    cast.partner_a.save()
    reminder = due_reminder(
        cast.partner_a,
        key="prep",
        kind=Reminder.Kind.PREPARATION_INSTRUCTIONS,
        event_at=datetime(2026, 7, 1, 8, 0, tzinfo=UTC),
    )
    text = services.rendering.render_reminder(reminder).text
    assert "- Bring warm socks." in text and "- No driving until tomorrow." in text
    assert "10:00 (CEST)" in text


def test_a_clinic_cannot_put_the_medicines_name_in_its_guidance(cast):
    messaging = MessagingSettings(clinic=cast.clinic, preparation_guidance="Ketamine day soon")
    with pytest.raises(ValidationError) as error:
        messaging.full_clean()
    assert "must not name the medicine" in str(error.value)


def test_publishing_reuses_one_broker_connection_and_drops_it_after_a_failure(
    cast, broker_url, monkeypatch
):
    from kombu import Connection

    from integration.tasks import deliver_reminders

    broker_url(settings.CELERY_BROKER_URL)  # a fresh pool for this process
    opened = []
    establish = Connection._establish_connection

    def counted(connection):
        opened.append(connection)
        return establish(connection)

    monkeypatch.setattr(Connection, "_establish_connection", counted)
    first, second = (due_reminder(cast.partner_a, key=f"pooled:{n}") for n in (1, 2))
    assert services.publish(first.pk) and services.publish(second.pk)
    assert len(opened) == 1  # one connection per process, not one per request

    def broken(*args, **kwargs):
        raise OperationalError("the broker went away")

    with monkeypatch.context() as patched:
        patched.setattr(deliver_reminders, "apply_async", broken)
        assert services.publish(first.pk) is False  # left to the sweep
    assert services.publish(second.pk)
    assert len(opened) == 2  # the failed connection was not handed out again
