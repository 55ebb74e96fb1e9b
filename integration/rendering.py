"""What a reminder says: a greeting, a time in the recipient's zone and a portal link.

Never a diagnosis, a drug name or a score: messages land on lock screens and shared
inboxes. The templates are `templates/integration/messages/<kind>_subject.txt`,
`<kind>.txt` and `<kind>.html`; a kind that may go by text message also has
`<kind>_sms.txt`, written for a phone: one short line (one SMS where it can), the
clinic's name and a link, not even the kind of session.

A message to a partner is written in the partner's language (`Partner.language`): it is
rendered by a worker, with no request to choose it. Messages to staff stay in English.
A named adult chaperone's message is in the dosing partner's language and zone (see
`integration.chaperones`), with the link minted for that delivery (`link_path`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import dateformat, translation
from django.utils.translation import pgettext_lazy

from integration import chaperones
from integration.models import MessagingSettings, Reminder


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


def recipient_zone(reminder: Reminder) -> str:
    if reminder.chaperone_id:
        return chaperones.contact_of(reminder).timezone
    if reminder.partner_id:
        return reminder.partner.timezone
    return reminder.clinic.timezone


def recipient_language(reminder: Reminder) -> str:
    if reminder.chaperone_id:
        return chaperones.contact_of(reminder).language
    if reminder.partner_id:
        return reminder.partner.language
    return settings.LANGUAGE_CODE


def recipient_first_name(reminder: Reminder) -> str:
    if reminder.chaperone_id:
        return chaperones.contact_of(reminder).name.split()[0]
    if reminder.partner_id:
        return reminder.partner.first_name
    return reminder.staff_user.get_short_name()


def message_context(
    reminder: Reminder, messaging: MessagingSettings | None = None, link_path: str = ""
) -> dict:
    """`messaging`: the clinic's settings, fetched once per batch by the caller (else here).
    `link_path`: a link minted for this delivery, never stored on the row."""
    zone = ZoneInfo(recipient_zone(reminder))
    event_local = reminder.event_at.astimezone(zone) if reminder.event_at else None
    if messaging is None:
        messaging = MessagingSettings.objects.filter(clinic_id=reminder.clinic_id).first()
    return {
        "first_name": recipient_first_name(reminder),
        "clinic_name": reminder.clinic.name,
        # Formatted here: the template `date` filter would convert back to UTC.
        "event_when": _long_form(event_local) if event_local else "",
        "event_day": dateformat.format(event_local, str(_DAY)) if event_local else "",
        "event_short": _short_form(event_local) if event_local else "",
        "link": settings.KAP_SITE_URL.rstrip("/") + (link_path or reminder.link_path or "/"),
        "about_words": _about_words(reminder),
        "guidance_lines": (
            messaging.preparation_guidance.splitlines()
            if messaging and reminder.kind == Reminder.Kind.PREPARATION_INSTRUCTIONS
            else []
        ),
    }


# Words about a message's subject (the kind of a waitlist offer's appointment, say) from the
# app that owns it, registered at start-up (this app imports no app built on it): kind ->
# words(reminder), called in the recipient's language.
_ABOUT_WORDS: dict[str, Callable[[Reminder], str]] = {}


def register_about_words(kind: str, words: Callable[[Reminder], str]) -> None:
    _ABOUT_WORDS[kind] = words


def _about_words(reminder: Reminder) -> str:
    words = _ABOUT_WORDS.get(reminder.kind)
    return str(words(reminder)) if words else ""


# Day and month names come from the active language (Django's own catalogues); the
# formats are translated too, where a language joins day, month and year with words.
_DAY = pgettext_lazy("a weekday and date in a message, Django date format", "l j F")
_LONG = pgettext_lazy("a weekday, date and time in a message, Django date format", "l j F Y, H:i")


def _long_form(local: datetime) -> str:
    return f"{dateformat.format(local, str(_LONG))} ({local.tzname()})"


def _short_form(local: datetime) -> str:
    return dateformat.format(local, "D j M H:i")


def render_reminder(
    reminder: Reminder, *, messaging: MessagingSettings | None = None, link_path: str = ""
) -> RenderedMessage:
    folder = "integration/messages"
    with translation.override(recipient_language(reminder)):
        context = message_context(reminder, messaging, link_path)
        subject = render_to_string(f"{folder}/{reminder.kind}_subject.txt", context)
        return RenderedMessage(
            subject=" ".join(subject.split()),
            text=render_to_string(f"{folder}/{reminder.kind}.txt", context).strip() + "\n",
            html=render_to_string(f"{folder}/{reminder.kind}.html", context),
        )


def render_sms(
    reminder: Reminder, *, messaging: MessagingSettings | None = None, link_path: str = ""
) -> str:
    """The text-message body of a reminder, on one line."""
    with translation.override(recipient_language(reminder)):
        context = message_context(reminder, messaging, link_path)
        text = render_to_string(f"integration/messages/{reminder.kind}_sms.txt", context)
    return " ".join(text.split())
