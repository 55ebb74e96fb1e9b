"""The named adult chaperone's link goes out through the outbox: minted at delivery (the
row holds no secret), by text or else email, in the dosing partner's zone and language."""

import ast
import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import integration
from athome import services as athome
from athome.models import HomeChaperone
from integration import services
from integration.models import MessagingSettings, Reminder
from sessions.medicine import InvalidFields
from tests.athome.helpers import home_session, texts_on

LINK = re.compile(r"/chaperone/([\w-]+)/")
PHONE = "+1 555 010 2030"


def named_adult(cast, *, start=None, email="", texts=True):
    """An at-home session (B named first, then replaced by an adult with a phone). No quiet
    hours: messages due now go now, whatever the hour the test runs at."""
    session, _ = home_session(cast, start=start)
    texts_on(cast, texts)
    quiet_hours(cast, datetime.time(0), datetime.time(0))
    chaperone = athome.chaperone_name(
        session=session, by=cast.clinician, name="Jordan Rivers", phone=PHONE, email=email
    )
    return session, chaperone


def quiet_hours(cast, start: datetime.time, end: datetime.time) -> None:
    MessagingSettings.objects.filter(clinic=cast.clinic).update(quiet_start=start, quiet_end=end)


def link_messages(chaperone) -> list[Reminder]:
    return list(
        Reminder.objects.filter(chaperone=chaperone, kind=Reminder.Kind.CHAPERONE_LINK).order_by(
            "due_at", "pk"
        )
    )


def token_in(text: str) -> str:
    return LINK.search(text).group(1)


def opens(token: str) -> int:
    """What a new browser gets for the link."""
    return Client().get(reverse("athome:chaperone_link", kwargs={"token": token})).status_code


def make_due(reminder: Reminder) -> None:
    Reminder.objects.filter(pk=reminder.pk).update(next_attempt_at=timezone.now())


def tomorrow_morning():
    return timezone.now() + datetime.timedelta(days=1)


def test_naming_an_adult_texts_them_a_link_that_opens_in_one_browser_only(cast, twilio):
    _session, chaperone = named_adult(cast)
    [message] = link_messages(chaperone)  # the session began: no second message before it
    assert message.partner_id is None and message.staff_user_id is None
    assert message.channel == Reminder.Channel.SMS
    assert services.reminders_deliver_due() == 1
    [received] = twilio.received
    assert received.fields["To"] == "+15550102030"
    assert "ketamine" not in received.fields["Body"].lower()
    token = token_in(received.fields["Body"])
    assert opens(token) == 200
    assert opens(token) == 404  # claimed by the first browser
    message.refresh_from_db()
    assert message.status == Reminder.Status.SENT


def test_no_row_holds_the_token_the_message_carried(cast, twilio):
    _session, chaperone = named_adult(cast)
    services.reminders_deliver_due()
    token = token_in(twilio.received[0].fields["Body"])
    [row] = Reminder.objects.filter(chaperone=chaperone).values()
    assert not any(token in str(value) for value in row.values())
    for stored in [
        *HomeChaperone.objects.filter(pk=chaperone.pk).values(),
        *HomeChaperone.history.filter(id=chaperone.pk).values(),
    ]:
        assert not any(token in str(value) for value in stored.values())


def test_the_days_message_mints_a_new_link_and_the_earlier_one_stops(cast, twilio):
    session, chaperone = named_adult(cast, start=tomorrow_morning())
    _named, day = link_messages(chaperone)
    assert day.due_at == session.appointment.start - athome.LINK_AGAIN_BEFORE_START
    services.reminders_deliver_due()
    first = token_in(twilio.received[0].fields["Body"])
    make_due(day)
    assert services.reminders_deliver_due() == 1
    second = token_in(twilio.received[1].fields["Body"])
    assert second != first
    assert opens(first) == 404
    assert opens(second) == 200


def test_a_message_that_fails_to_go_out_leaves_the_earlier_link_working(cast, twilio):
    _session, chaperone = named_adult(cast, start=tomorrow_morning())
    _named, day = link_messages(chaperone)
    services.reminders_deliver_due()
    first = token_in(twilio.received[0].fields["Body"])
    make_due(day)
    twilio.fail_next(20500)
    services.reminders_deliver_due()
    day.refresh_from_db()
    assert day.status == Reminder.Status.PENDING and day.attempts == 1
    assert opens(first) == 200


def test_the_days_message_is_not_sent_once_the_first_link_was_opened(cast, twilio):
    _session, chaperone = named_adult(cast, start=tomorrow_morning())
    _named, day = link_messages(chaperone)
    services.reminders_deliver_due()
    first = token_in(twilio.received[0].fields["Body"])
    assert opens(first) == 200
    make_due(day)
    services.reminders_deliver_due()
    day.refresh_from_db()
    assert day.status == Reminder.Status.CANCELLED
    assert len(twilio.received) == 1


def test_naming_someone_else_cancels_the_messages_to_the_first(cast):
    session, chaperone = named_adult(cast, start=tomorrow_morning())
    athome.chaperone_name(session=session, by=cast.clinician, partner=cast.partner_b)
    assert {m.status for m in link_messages(chaperone)} == {Reminder.Status.CANCELLED}


def test_without_texts_the_link_goes_by_email_in_the_dosing_partners_language(cast, mailoutbox):
    cast.partner_a.language = "es"
    cast.partner_a.save()
    _session, chaperone = named_adult(cast, email="jordan@example.org", texts=False)
    [message] = link_messages(chaperone)
    assert message.channel == Reminder.Channel.EMAIL
    services.reminders_deliver_due()
    [email] = mailoutbox
    assert email.to == ["jordan@example.org"]
    assert 'lang="es"' in email.alternatives[0][0]
    assert "portal" not in email.body  # the chaperone has none: they call the clinic
    assert opens(token_in(email.body)) == 200


def test_without_texts_or_an_email_the_adult_cannot_be_named(cast):
    session, _ = home_session(cast)
    texts_on(cast, False)
    with pytest.raises(InvalidFields) as refused:
        athome.chaperone_name(session=session, by=cast.clinician, name="Jordan Rivers", phone=PHONE)
    assert "email" in refused.value.errors
    assert not Reminder.objects.filter(kind=Reminder.Kind.CHAPERONE_LINK).exists()


def test_a_number_that_stopped_texts_gets_the_link_by_email(cast, twilio, mailoutbox):
    _session, chaperone = named_adult(cast, email="jordan@example.org")
    twilio.fail_next(21610)
    services.reminders_deliver_due()
    [message] = link_messages(chaperone)
    assert message.status == Reminder.Status.SENT
    assert message.channel == Reminder.Channel.EMAIL and message.fallback_reason
    assert opens(token_in(mailoutbox[0].body)) == 200


def test_a_link_message_waits_out_quiet_hours_in_the_dosing_partners_zone(cast):
    cast.partner_a.timezone = "America/Chicago"
    cast.partner_a.save()
    _session, chaperone = named_adult(cast)
    quiet_hours(cast, datetime.time(21), datetime.time(8))
    zone = ZoneInfo("America/Chicago")
    late = datetime.datetime(2026, 3, 10, 23, 30, tzinfo=zone)
    reminder = services.reminder_schedule(
        clinic_id=cast.clinic.pk,
        chaperone_id=chaperone.pk,
        kind=Reminder.Kind.CHAPERONE_LINK,
        about=chaperone,
        due_at=late,
        idempotency_key="test:quiet",
    )
    assert reminder.next_attempt_at == datetime.datetime(2026, 3, 11, 8, 0, tzinfo=zone)


def test_the_care_team_sees_where_the_link_went_and_sends_it_again(cast, twilio, client_for):
    session, _chaperone = named_adult(cast)
    services.reminders_deliver_due()
    first = token_in(twilio.received[0].fields["Body"])
    page = reverse("athome:team_view", kwargs={"session_id": session.pk})
    client = client_for(cast.clinician)
    text = client.get(page).content.decode()
    assert f"Link sent by text to {PHONE} at" in text
    assert first not in text
    again = reverse("athome:chaperone_link_resend", kwargs={"session_id": session.pk})
    assert client.post(again).status_code == 302
    assert opens(first) == 404  # stops at once: the care team sends again for a reason
    assert f"Link queued to go by text to {PHONE}" in client.get(page).content.decode()
    services.reminders_deliver_due()
    assert opens(token_in(twilio.received[1].fields["Body"])) == 200


def test_sending_again_keeps_a_message_for_the_day_of_the_session(cast):
    session, chaperone = named_adult(cast, start=tomorrow_morning())
    athome.chaperone_link_resend(session=session, by=cast.clinician)
    pending = [m for m in link_messages(chaperone) if m.status == Reminder.Status.PENDING]
    now, day = pending
    assert now.due_at <= timezone.now()
    assert day.due_at == session.appointment.start - athome.LINK_AGAIN_BEFORE_START
    assert len(link_messages(chaperone)) == 4  # the first two cancelled, kept as the record


def test_another_clinics_clinician_cannot_send_the_link_again(cast, client_for):
    session, chaperone = named_adult(cast)
    again = reverse("athome:chaperone_link_resend", kwargs={"session_id": session.pk})
    assert client_for(cast.other_clinic_clinician).post(again).status_code in (403, 404)
    assert len(link_messages(chaperone)) == 1


@pytest.mark.parametrize(
    "change",
    ["partner_id = %(partner)s", "chaperone_id = NULL"],
    ids=["two recipients", "no recipient"],
)
def test_the_database_refuses_a_message_without_exactly_one_recipient(cast, change):
    _session, chaperone = named_adult(cast)
    [message] = link_messages(chaperone)
    sql = f"UPDATE integration_reminder SET {change} WHERE id = %(id)s"
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"partner": cast.partner_a.pk, "id": message.pk})


def test_integration_imports_no_athome_code():
    found = []
    for path in Path(integration.__file__).parent.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            module = getattr(node, "module", None) or ""
            names = [module] + [alias.name for alias in getattr(node, "names", [])]
            if isinstance(node, ast.Import | ast.ImportFrom) and any(
                n == "athome" or n.startswith("athome.") for n in names
            ):
                found.append((path.name, node.lineno))
    assert found == []
