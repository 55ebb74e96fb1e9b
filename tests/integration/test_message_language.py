"""Emails and texts to a partner are written in the partner's language, though a worker
renders them with no request; messages to staff stay in English."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone, translation

from intake.models import Partner
from integration import services
from integration.models import MessagingSettings, Reminder
from tests.integration.helpers import due_reminder


def next_thursday_afternoon(partner) -> datetime:
    """15:00 on a Thursday at least a week ahead, in the partner's zone (day names fixed)."""
    zone = ZoneInfo(partner.timezone)
    today = timezone.now().astimezone(zone).date()
    day = today + timedelta(days=7 + (3 - today.weekday()) % 7)
    return datetime.combine(day, time(15, 0), tzinfo=zone)


@pytest.fixture
def spanish_and_english(cast):
    cast.partner_a.language = "es"
    cast.partner_a.save()
    return cast.partner_a, cast.partner_b


def remind(partner, key: str) -> Reminder:
    return due_reminder(partner, key=key, event_at=next_thursday_afternoon(partner))


def sent_to(partner) -> mail.EmailMessage:
    (email,) = [email for email in mail.outbox if email.to == [partner.email]]
    return email


def test_a_reminder_email_is_in_each_partners_language(spanish_and_english):
    spanish, english = spanish_and_english
    remind(spanish, "es-email")
    remind(english, "en-email")
    assert services.reminders_deliver_due() == 2

    in_spanish = sent_to(spanish)
    assert in_spanish.subject.startswith("Recordatorio: su cita del jueves ")
    assert in_spanish.body.startswith(f"Hola, {spanish.first_name}:")
    assert re.search(
        r"Le recordamos su cita en .+ el jueves \d+ de [a-z]+ de \d{4}, 15:00", in_spanish.body
    )
    assert "Reminder" not in in_spanish.body and "Hello" not in in_spanish.body
    html = in_spanish.alternatives[0][0]
    assert '<html lang="es">' in html and "Abrir su portal" in html

    in_english = sent_to(english)
    assert in_english.subject.startswith("Reminder: your appointment on Thursday ")
    assert in_english.body.startswith(f"Hello {english.first_name},")
    assert re.search(r"appointment at .+ on Thursday \d+ [A-Z][a-z]+ \d{4}, 15:00", in_english.body)
    assert '<html lang="en">' in in_english.alternatives[0][0]


def test_a_text_is_in_each_partners_language(spanish_and_english, cast, settings, tmp_path):
    settings.KAP_SMS_BACKEND = "integration.sms.FileBackend"
    settings.KAP_SMS_FILE_PATH = str(tmp_path)
    MessagingSettings.objects.filter(clinic=cast.clinic).update(sms_enabled=True)
    for partner, phone in zip(spanish_and_english, ("+15550100", "+15550101"), strict=True):
        partner.preferred_channel, partner.phone = Partner.Channel.SMS, phone
        partner.save()
        assert remind(partner, f"sms-{phone}").channel == Reminder.Channel.SMS
    assert services.reminders_deliver_due() == 2

    texts = {path.read_text().split("\n")[0]: path.read_text() for path in tmp_path.glob("*.sms")}
    assert f"{cast.clinic.name}: le recordamos su cita del jue " in texts["To: +15550100"]
    assert f"{cast.clinic.name}: a reminder of your appointment on Thu " in texts["To: +15550101"]
    assert mail.outbox == []


def test_rendering_for_a_spanish_partner_leaves_the_workers_language_as_it_was(
    spanish_and_english,
):
    remind(spanish_and_english[0], "es-leak")
    with translation.override("en"):
        services.reminders_deliver_due()
        assert translation.get_language() == "en"


def test_staff_alerts_stay_in_english(spanish_and_english, cast):
    reminder = services.reminder_schedule(
        clinic_id=cast.clinic.pk,
        staff_user=cast.clinician,
        kind=Reminder.Kind.URGENT_ALERT,
        due_at=timezone.now() - timedelta(minutes=1),
        idempotency_key="staff-alert",
        link_path="/alerts/",
    )
    Reminder.objects.filter(pk=reminder.pk).update(next_attempt_at=reminder.due_at)
    with translation.override("es"):
        services.reminders_deliver_due()
    (email,) = mail.outbox
    assert email.to == [cast.clinician.email]
    assert email.body.startswith("Hello ")
    assert '<html lang="en">' in email.alternatives[0][0]
