"""Texts through the real Twilio SDK, against the stand-in of its API on loopback."""

import time
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from integration import rendering, services, sms
from integration.models import Reminder
from integration.outbox import messaging_settings_for
from integration.tasks import deliver_reminder
from tests.integration import twilio_standin
from tests.integration.helpers import due_reminder
from tests.worker import celery_worker, wait_for


def texting(partner, phone="+1 (555) 010-0100"):
    """`partner` chooses texts, at a clinic that sends them."""
    messaging = messaging_settings_for(partner.couple.clinic_id)
    messaging.sms_enabled = True
    messaging.save()
    partner.phone, partner.preferred_channel = phone, "sms"
    partner.save()
    return partner


def text_reminder(partner, key="text-1", **extra) -> Reminder:
    reminder = due_reminder(texting(partner), key=key, **extra)
    assert reminder.channel == Reminder.Channel.SMS
    return reminder


def test_it_hands_a_text_to_the_provider_and_keeps_its_id(cast, twilio, mailoutbox):
    reminder = text_reminder(cast.partner_a)
    assert services.reminders_deliver_due() == 1
    [received] = twilio.received
    assert received.account == twilio_standin.ACCOUNT_SID
    assert received.auth == (twilio_standin.ACCOUNT_SID, twilio_standin.AUTH_TOKEN)
    assert received.fields["To"] == "+15550100100"
    assert received.fields["From"] == twilio_standin.FROM_NUMBER
    assert received.fields["Body"] == rendering.render_sms(reminder)
    path = reverse("integration:sms_status", kwargs={"reminder_id": reminder.pk})
    assert received.fields["StatusCallback"] == twilio_standin.CALLBACK_BASE + path
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT
    assert reminder.provider_message_id.startswith("SM")
    assert reminder.delivery_status == "queued"
    assert mailoutbox == []


def test_it_sends_through_a_messaging_service_when_one_is_set(cast, twilio, settings):
    settings.KAP_TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    text_reminder(cast.partner_a)
    services.reminders_deliver_due()
    [received] = twilio.received
    assert received.fields["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in received.fields


def test_it_signs_in_with_an_api_key_for_the_account(cast, twilio, settings):
    key = "SK" + "2" * 32
    twilio.username, twilio.password = key, "key-secret"
    settings.KAP_TWILIO_API_KEY_SID, settings.KAP_TWILIO_API_KEY_SECRET = key, "key-secret"
    reminder = text_reminder(cast.partner_a)
    services.reminders_deliver_due()
    [received] = twilio.received
    assert received.auth == (key, "key-secret")
    assert received.account == twilio_standin.ACCOUNT_SID
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT


def test_an_invalid_number_fails_the_text_at_once_without_retrying(cast, twilio):
    reminder = text_reminder(cast.partner_a)
    twilio.fail_next(21211)
    services.reminders_deliver_due()
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED
    assert reminder.attempts == 1
    assert "21211" in reminder.last_error and "not a valid phone number" in reminder.last_error
    assert "555" not in reminder.last_error  # the number itself is not copied into the outbox
    assert reminder.provider_message_id == ""


@pytest.mark.parametrize("code", [20500, 20429, 20003])
def test_the_providers_passing_troubles_leave_the_text_to_be_retried(cast, twilio, code):
    reminder = text_reminder(cast.partner_a)
    twilio.fail_next(code)
    services.reminders_deliver_due()
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.PENDING
    assert reminder.attempts == 1
    assert f"SmsError: Twilio error {code}" in reminder.last_error
    assert reminder.next_attempt_at > reminder.due_at


def test_an_unreachable_provider_leaves_the_text_to_be_retried(cast, twilio, settings):
    reminder = text_reminder(cast.partner_a)
    settings.KAP_TWILIO_API_BASE_URL = "http://127.0.0.1:9"  # nothing listens there
    services.reminders_deliver_due()
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.PENDING
    assert reminder.last_error.startswith("SmsError: SMS provider unreachable")
    assert twilio.received == []


def test_a_number_opted_out_at_the_provider_is_opted_out_here_and_emailed(cast, twilio, mailoutbox):
    reminder = text_reminder(cast.partner_a)
    twilio.fail_next(21610)
    services.reminders_deliver_due()
    reminder.refresh_from_db()
    cast.partner_a.refresh_from_db()
    assert cast.partner_a.sms_opted_out_at is not None
    assert reminder.status == Reminder.Status.SENT
    assert reminder.channel == Reminder.Channel.EMAIL
    assert "stopped text messages" in reminder.fallback_reason
    assert [m.to for m in mailoutbox] == [[cast.partner_a.email]]
    history = cast.partner_a.history.first()
    assert history.history_change_reason == sms_reason_from_provider()
    # The next message goes by email without asking the provider again.
    due_reminder(cast.partner_a, key="after-opt-out")
    services.reminders_deliver_due()
    assert len(twilio.received) == 1
    assert len(mailoutbox) == 2


def sms_reason_from_provider() -> str:
    from integration.delivery import PROVIDER_STOP

    return PROVIDER_STOP


@pytest.mark.parametrize(
    "missing,names",
    [
        ("KAP_TWILIO_AUTH_TOKEN", "KAP_TWILIO_ACCOUNT_SID and KAP_TWILIO_AUTH_TOKEN"),
        ("KAP_TWILIO_ACCOUNT_SID", "KAP_TWILIO_ACCOUNT_SID and KAP_TWILIO_AUTH_TOKEN"),
        ("KAP_TWILIO_FROM_NUMBER", "KAP_TWILIO_FROM_NUMBER or KAP_TWILIO_MESSAGING_SERVICE_SID"),
    ],
)
def test_the_backend_refuses_to_start_without_its_settings(twilio, settings, missing, names):
    setattr(settings, missing, "")
    with pytest.raises(ImproperlyConfigured, match=names):
        sms.TwilioBackend()


@pytest.mark.parametrize(
    "base", ["http://sms-proxy.example.org", "ftp://127.0.0.1:21", "http://10.0.0.5:8080"]
)
def test_the_api_base_must_be_https_unless_it_is_this_machine(twilio, settings, base):
    settings.KAP_TWILIO_API_BASE_URL = base
    with pytest.raises(ImproperlyConfigured, match="KAP_TWILIO_API_BASE_URL"):
        sms.TwilioBackend()


def test_the_rebased_client_keeps_the_path_and_query():
    rebased = sms.rebased(
        "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=1",
        "http://127.0.0.1:8123/stand-in/",
    )
    assert (
        rebased == "http://127.0.0.1:8123/stand-in/2010-04-01/Accounts/AC1/Messages.json?PageSize=1"
    )


@pytest.mark.parametrize(
    "typed,e164",
    [
        ("+1 (555) 010-0100", "+15550100100"),
        ("555 010 0100", "+15550100100"),
        ("0044 20 7946 0000", "+442079460000"),
        ("", ""),
    ],
)
def test_typed_numbers_are_put_in_the_providers_form(typed, e164):
    assert sms.to_e164(typed) == e164


@pytest.mark.worker
def test_a_real_worker_texts_through_the_provider_and_its_report_reaches_the_row(
    transactional_db, cast, twilio, tmp_path, client
):
    reminder = text_reminder(cast.partner_a, key="worker-text")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {"CELERY_QUEUE": queue, **twilio_standin.settings_for(twilio)}
    with celery_worker(tmp_path, extra_env=env):
        deliver_reminder.apply_async(args=[reminder.pk], queue=queue)
        finished = wait_for(
            lambda: Reminder.objects.filter(pk=reminder.pk, status="sent").exists(), timeout=60
        )
        time.sleep(1)  # a duplicate send, were there one, would land by now
    assert finished, (tmp_path / "worker.log").read_text()[-3000:]
    [received] = twilio.received
    reminder.refresh_from_db()
    assert received.fields["Body"] == rendering.render_sms(reminder)
    assert reminder.delivery_status == "queued" and reminder.provider_message_id
    path = reverse("integration:sms_status", kwargs={"reminder_id": reminder.pk})
    report = {"MessageSid": reminder.provider_message_id, "MessageStatus": "delivered"}
    assert twilio_standin.signed_post(client, path, report).status_code == 204
    reminder.refresh_from_db()
    assert reminder.delivery_status == "delivered"
