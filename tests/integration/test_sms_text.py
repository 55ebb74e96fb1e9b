"""Text messages are written for a phone: short, the clinic's name, a link, nothing clinical."""

import string
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from integration import rendering
from integration.models import DRUG_WORDS, Reminder
from tests.integration.helpers import due_reminder

MESSAGES = Path(settings.BASE_DIR) / "templates" / "integration" / "messages"
# Kinds that never go by text: staff alerts (always email) and clocks that are never sent.
EMAIL_ONLY = {
    "missing_integration",
    "urgent_alert",
    "integration_check",
    "hold_watch",
    "chaperone_watch",
}
SMS_KINDS = [kind for kind in Reminder.Kind.values if kind not in EMAIL_ONLY]
# One SMS segment holds 160 characters of the GSM 7-bit alphabet; a curly quote or a
# dash outside it turns the whole text into UCS-2, 70 characters a segment.
SMS_LIMIT = 160
GSM_PLAIN = set(string.ascii_letters + string.digits + " .,:;!?'\"()-/@&%+=_#*<>\n")
CLINICAL_WORDS = (*DRUG_WORDS, "medicine", "dose", "dosing", "psychedelic", "assessment")


@pytest.fixture
def realistic(cast, settings):
    settings.KAP_SITE_URL = "https://care.riverside-couples.example.org"
    cast.clinic.name = "Riverside Couples Therapy"
    cast.clinic.save()
    return cast


def rendered(cast, kind: str) -> tuple[str, Reminder]:
    reminder = due_reminder(
        cast.partner_a,
        key=f"text-of-{kind}",
        kind=kind,
        event_at=timezone.now() + timedelta(days=2),
    )
    Reminder.objects.filter(pk=reminder.pk).update(link_path="/check-ins/123456/")
    reminder.refresh_from_db()
    return rendering.render_sms(reminder), reminder


def test_every_kind_but_staff_alerts_and_clocks_has_its_own_text():
    missing = [k for k in SMS_KINDS if not (MESSAGES / f"{k}_sms.txt").is_file()]
    assert missing == []
    assert SMS_KINDS  # the partner kinds exist at all


@pytest.mark.parametrize("kind", SMS_KINDS)
def test_each_text_fits_one_sms_names_the_clinic_and_links(realistic, kind):
    text, _ = rendered(realistic, kind)
    assert len(text) <= SMS_LIMIT, (len(text), text)
    assert set(text) <= GSM_PLAIN, set(text) - GSM_PLAIN
    assert text.startswith("Riverside Couples Therapy")
    assert "https://care.riverside-couples.example.org/check-ins/123456/" in text
    assert "\n" not in text


@pytest.mark.parametrize("kind", SMS_KINDS)
def test_no_text_names_the_medicine_or_anything_clinical(realistic, kind):
    text, _ = rendered(realistic, kind)
    lowered = text.lower()
    assert not [word for word in CLINICAL_WORDS if word in lowered], text
    assert realistic.partner_a.last_name not in text


@pytest.mark.parametrize("kind", SMS_KINDS)
def test_the_text_is_not_the_emails(realistic, kind):
    text, reminder = rendered(realistic, kind)
    email = rendering.render_reminder(reminder)
    assert text not in email.text
    assert len(text) < len(email.text)


def test_a_timed_text_gives_the_time_in_the_partners_zone(realistic):
    text, reminder = rendered(realistic, "appointment_reminder")
    local = reminder.event_at.astimezone(ZoneInfo(reminder.partner.timezone))
    assert f"{local:%a} {local.day} {local:%b} {local:%H:%M}" in text


@pytest.mark.parametrize("kind", SMS_KINDS)
def test_each_text_in_spanish_fits_one_sms_names_the_clinic_and_links(realistic, kind):
    """Spanish texts keep to the GSM alphabet (é, ñ and ¿ are in it; á, í, ó, ú are not)."""
    realistic.partner_a.language = "es"
    realistic.partner_a.save()
    zone = ZoneInfo(realistic.partner_a.timezone)
    today = timezone.now().astimezone(zone)
    thursday = today + timedelta(days=7 + (3 - today.weekday()) % 7)  # "jue": no accent
    reminder = due_reminder(realistic.partner_a, key=f"es-{kind}", kind=kind, event_at=thursday)
    Reminder.objects.filter(pk=reminder.pk).update(link_path="/check-ins/123456/")
    reminder.refresh_from_db()
    text = rendering.render_sms(reminder)
    reminder.partner.language = "en"
    assert text != rendering.render_sms(reminder)
    assert len(text) <= SMS_LIMIT, (len(text), text)
    assert set(text) <= GSM_PLAIN | set("éñ¿¡ü"), set(text) - GSM_PLAIN
    assert text.startswith("Riverside Couples Therapy: ")
    assert text.endswith("https://care.riverside-couples.example.org/check-ins/123456/")
