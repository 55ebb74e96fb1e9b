"""The provider's signed webhooks: delivery reports on outbox rows, and STOP / START."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from twilio.request_validator import RequestValidator

from integration import services
from integration.models import Reminder
from kapcouples.models import AccessLog
from tests.conftest import sign_in
from tests.integration.helpers import due_reminder
from tests.integration.test_sms_twilio_backend import text_reminder, texting
from tests.integration.twilio_standin import AUTH_TOKEN, CALLBACK_BASE, signed_post

INBOUND = reverse("integration:sms_inbound")
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def status_path(reminder) -> str:
    return reverse("integration:sms_status", kwargs={"reminder_id": reminder.pk})


@pytest.fixture
def sent_text(cast, twilio):
    reminder = text_reminder(cast.partner_a)
    services.reminders_deliver_due()
    reminder.refresh_from_db()
    return reminder


def report(client, reminder, status: str, *, sid: str | None = None):
    fields = {
        "MessageSid": sid or reminder.provider_message_id,
        "MessageStatus": status,
        "AccountSid": "AC" + "5" * 32,
    }
    return signed_post(client, status_path(reminder), fields)


def inbound(client, body: str, number: str = "+15550100100"):
    fields = {"From": number, "To": "+15550009999", "Body": body, "MessageSid": "SM" + "7" * 32}
    return signed_post(client, INBOUND, fields)


# --- Delivery reports ------------------------------------------------------------------------
def test_a_signed_report_moves_the_texts_delivery_status(client, sent_text):
    for status in ("sent", "delivered"):
        assert report(client, sent_text, status).status_code == 204
        sent_text.refresh_from_db()
        assert sent_text.delivery_status == status
    assert sent_text.delivery_updated_at is not None


def test_a_late_sent_never_overwrites_delivered_and_repeats_change_nothing(client, sent_text):
    report(client, sent_text, "delivered")
    sent_text.refresh_from_db()
    stamped = sent_text.delivery_updated_at
    for late in ("sent", "queued", "sending", "delivered", "undelivered"):
        assert report(client, sent_text, late).status_code == 204
    sent_text.refresh_from_db()
    assert sent_text.delivery_status == "delivered"
    assert sent_text.delivery_updated_at == stamped


@pytest.mark.parametrize(
    "provider,shown",
    [("undelivered", "undelivered"), ("failed", "failed"), ("canceled", "failed")],
)
def test_the_providers_final_failures_are_recorded(client, sent_text, provider, shown):
    report(client, sent_text, provider)
    sent_text.refresh_from_db()
    assert sent_text.delivery_status == shown
    assert sent_text.status == Reminder.Status.SENT  # handed over; the report says the rest


def test_a_report_of_another_text_or_an_unknown_status_is_ignored(client, sent_text):
    assert report(client, sent_text, "delivered", sid="SM" + "0" * 32).status_code == 204
    assert report(client, sent_text, "teleported").status_code == 204
    sent_text.refresh_from_db()
    assert sent_text.delivery_status == "queued"


def test_a_report_for_no_such_row_answers_the_same(client, sent_text):
    fields = {"MessageSid": sent_text.provider_message_id, "MessageStatus": "delivered"}
    path = reverse("integration:sms_status", kwargs={"reminder_id": sent_text.pk + 1000})
    assert signed_post(client, path, fields).status_code == 204


@pytest.mark.parametrize("how", ["unsigned", "wrong token", "fields changed"])
def test_a_report_without_a_valid_signature_is_refused_logged_and_ignored(client, sent_text, how):
    fields = {"MessageSid": sent_text.provider_message_id, "MessageStatus": "delivered"}
    if how == "unsigned":
        response = client.post(status_path(sent_text), fields)
    elif how == "wrong token":
        response = signed_post(client, status_path(sent_text), fields, token="guessed")
    else:  # signed for "sent", posted saying "delivered"
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            CALLBACK_BASE + status_path(sent_text), {**fields, "MessageStatus": "sent"}
        )
        response = client.post(status_path(sent_text), fields, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    denial = AccessLog.objects.filter(action=AccessLog.Action.DENIED).latest("at")
    assert "signature" in denial.detail and denial.path == status_path(sent_text)
    sent_text.refresh_from_db()
    assert sent_text.delivery_status == "queued"


def test_without_an_auth_token_every_webhook_is_refused(client, sent_text, settings):
    settings.KAP_TWILIO_AUTH_TOKEN = ""
    assert report(client, sent_text, "delivered").status_code == 403
    assert inbound(client, "STOP").status_code == 403


def test_the_webhooks_take_posts_only(client):
    assert client.get(INBOUND).status_code == 405


# --- STOP and START ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body", ["STOP", "stop", "  Stop \n", "STOPALL", "unsubscribe", "Cancel", "END", "quit"]
)
def test_a_stop_word_opts_the_partner_with_that_number_out_of_texts(client, cast, twilio, body):
    texting(cast.partner_a, phone="(555) 010-0100")
    response = inbound(client, body)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode() == EMPTY_TWIML
    cast.partner_a.refresh_from_db()
    cast.partner_b.refresh_from_db()
    assert cast.partner_a.sms_opted_out_at is not None
    assert cast.partner_b.sms_opted_out_at is None
    assert cast.partner_a.history.first().history_change_reason.startswith("Texted STOP")


@pytest.mark.parametrize("body", ["please stop", "STOP!", "STOP IT", "Hi, running late", ""])
def test_other_words_change_nothing(client, cast, twilio, body):
    texting(cast.partner_a)
    assert inbound(client, body).content.decode() == EMPTY_TWIML
    cast.partner_a.refresh_from_db()
    assert cast.partner_a.sms_opted_out_at is None


@pytest.mark.parametrize("body", ["START", "unstop", " Start "])
def test_start_opts_back_in_and_the_history_keeps_the_stop(client, cast, twilio, body):
    texting(cast.partner_a)
    inbound(client, "STOP")
    inbound(client, body)
    cast.partner_a.refresh_from_db()
    assert cast.partner_a.sms_opted_out_at is None
    stops = cast.partner_a.history.exclude(sms_opted_out_at=None)
    assert stops.count() == 1


def test_an_unknown_number_gets_the_same_answer_as_a_known_one(client, cast, twilio):
    texting(cast.partner_a)
    known = inbound(client, "STOP")
    unknown = inbound(client, "STOP", number="+15550199999")
    assert (unknown.status_code, unknown.content) == (known.status_code, known.content)
    assert unknown["Content-Type"] == known["Content-Type"]


def test_an_unsigned_stop_is_refused_and_opts_nobody_out(client, cast, twilio):
    texting(cast.partner_a)
    response = client.post(INBOUND, {"From": "+15550100100", "Body": "STOP"})
    assert response.status_code == 403
    cast.partner_a.refresh_from_db()
    assert cast.partner_a.sms_opted_out_at is None


@pytest.mark.parametrize(
    "typed", ["+1 555 010 0100", "555-010-0100", "(555) 010.0100", "0015550100100"]
)
def test_a_number_is_found_however_it_was_typed(client, cast, twilio, typed):
    texting(cast.partner_a, phone=typed)
    inbound(client, "STOP")
    cast.partner_a.refresh_from_db()
    assert cast.partner_a.sms_opted_out_at is not None


def test_a_partner_who_stopped_texts_gets_email_and_the_outbox_says_why(
    client, cast, twilio, mailoutbox
):
    texting(cast.partner_a)
    inbound(client, "STOP")
    reminder = due_reminder(cast.partner_a, key="after-stop")
    services.reminders_deliver_due()
    reminder.refresh_from_db()
    assert twilio.received == []
    assert [m.to for m in mailoutbox] == [[cast.partner_a.email]]
    assert reminder.channel == Reminder.Channel.EMAIL
    assert reminder.status == Reminder.Status.SENT
    assert "stopped text messages" in reminder.fallback_reason
    page = sign_in(Client(), cast.front_desk).get(reverse("integration:outbox"))
    assert "stopped text messages (STOP)" in page.content.decode()
    assert "Texts stopped" in page.content.decode()


def test_after_start_the_partner_is_texted_again(client, cast, twilio):
    texting(cast.partner_a)
    inbound(client, "STOP")
    inbound(client, "START")
    due_reminder(cast.partner_a, key="after-start")
    services.reminders_deliver_due()
    assert len(twilio.received) == 1


def test_the_care_team_sees_the_opt_out_on_the_partner_page(client, cast, twilio):
    texting(cast.partner_a)
    inbound(client, "STOP")
    page = sign_in(Client(), cast.clinician).get(
        reverse("intake:partner_detail", kwargs={"partner_id": cast.partner_a.pk})
    )
    assert "Text messages stopped on" in page.content.decode()
    own = sign_in(Client(), cast.partner_a.user).get(
        reverse("intake:partner_detail", kwargs={"partner_id": cast.partner_a.pk})
    )
    assert "You stopped text messages on" in own.content.decode()


def test_the_other_partner_never_learns_of_the_opt_out(client, cast, twilio):
    texting(cast.partner_a)
    inbound(client, "STOP")
    other = sign_in(Client(), cast.partner_b.user)
    pages = [
        reverse("portal"),
        reverse("intake:partner_detail", kwargs={"partner_id": cast.partner_b.pk}),
        reverse("intake:partner_detail", kwargs={"partner_id": cast.partner_a.pk}),
    ]
    for path in pages:
        body = other.get(path).content.decode()
        assert "stopped text" not in body.lower() and "texted stop" not in body.lower(), path


# --- The database keeps the outbox's SMS columns consistent --------------------------------
def raw_update(reminder, assignment: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE integration_reminder SET {assignment} WHERE id = %s", [reminder.pk])


@pytest.mark.parametrize(
    "assignment",
    [
        "delivery_status = 'delivered', provider_message_id = ''",
        "delivery_status = 'teleported', provider_message_id = 'SM1'",
        "fallback_reason = 'texts stopped', channel = 'sms'",
    ],
)
def test_the_database_refuses_inconsistent_sms_columns(cast, assignment):
    reminder = due_reminder(cast.partner_a, key="raw")
    with pytest.raises(IntegrityError):
        raw_update(reminder, assignment)


def test_the_database_refuses_one_provider_id_on_two_rows(cast):
    first = due_reminder(cast.partner_a, key="raw-1")
    second = due_reminder(cast.partner_a, key="raw-2")
    raw_update(first, "provider_message_id = 'SMsame'")
    with pytest.raises(IntegrityError):
        raw_update(second, "provider_message_id = 'SMsame'")
    raw_update(second, "provider_message_id = '', delivery_status = ''")  # many rows have none


def test_the_database_takes_a_consistent_report(cast):
    reminder = due_reminder(cast.partner_a, key="raw-ok")
    raw_update(reminder, "delivery_status = 'delivered', provider_message_id = 'SMok'")
    raw_update(reminder, "fallback_reason = 'texts stopped', channel = 'email'")
    reminder.refresh_from_db()
    assert (reminder.delivery_status, reminder.channel) == ("delivered", "email")
