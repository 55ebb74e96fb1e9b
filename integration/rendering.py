"""What a reminder says: a greeting, a time in the recipient's zone and a portal link.

Never a diagnosis, a drug name or a score: messages land on lock screens and shared
inboxes. The templates are `templates/integration/messages/<kind>_subject.txt`,
`<kind>.txt` and `<kind>.html`; a kind that may go by text message also has
`<kind>_sms.txt`, written for a phone: one short line (one SMS where it can), the
clinic's name and a link, not even the kind of session.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string

from integration.models import MessagingSettings, Reminder


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


def recipient_zone(reminder: Reminder) -> str:
    if reminder.partner_id:
        return reminder.partner.timezone
    return reminder.clinic.timezone


def recipient_first_name(reminder: Reminder) -> str:
    if reminder.partner_id:
        return reminder.partner.first_name
    return reminder.staff_user.get_short_name()


def message_context(reminder: Reminder, messaging: MessagingSettings | None = None) -> dict:
    """`messaging`: the clinic's settings, fetched once per batch by the caller (else here)."""
    zone = ZoneInfo(recipient_zone(reminder))
    event_local = reminder.event_at.astimezone(zone) if reminder.event_at else None
    if messaging is None:
        messaging = MessagingSettings.objects.filter(clinic_id=reminder.clinic_id).first()
    return {
        "first_name": recipient_first_name(reminder),
        "clinic_name": reminder.clinic.name,
        # Formatted here: the template `date` filter would convert back to UTC.
        "event_when": _long_form(event_local) if event_local else "",
        "event_day": f"{event_local:%A} {event_local.day} {event_local:%B}" if event_local else "",
        "event_short": _short_form(event_local) if event_local else "",
        "link": settings.KAP_SITE_URL.rstrip("/") + (reminder.link_path or "/"),
        "guidance_lines": (
            messaging.preparation_guidance.splitlines()
            if messaging and reminder.kind == Reminder.Kind.PREPARATION_INSTRUCTIONS
            else []
        ),
    }


def _long_form(local: datetime) -> str:
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({local.tzname()})"


def _short_form(local: datetime) -> str:
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def render_reminder(
    reminder: Reminder, *, messaging: MessagingSettings | None = None
) -> RenderedMessage:
    context = message_context(reminder, messaging)
    folder = "integration/messages"
    subject = render_to_string(f"{folder}/{reminder.kind}_subject.txt", context)
    return RenderedMessage(
        subject=" ".join(subject.split()),
        text=render_to_string(f"{folder}/{reminder.kind}.txt", context).strip() + "\n",
        html=render_to_string(f"{folder}/{reminder.kind}.html", context),
    )


def render_sms(reminder: Reminder, *, messaging: MessagingSettings | None = None) -> str:
    """The text-message body of a reminder, on one line."""
    context = message_context(reminder, messaging)
    text = render_to_string(f"integration/messages/{reminder.kind}_sms.txt", context)
    return " ".join(text.split())
