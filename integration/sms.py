"""Pluggable text-message backends, chosen by the dotted path in `KAP_SMS_BACKEND`.

A backend is a class with `send(*, to: str, body: str) -> None` that raises on failure.
A real provider (Twilio, an SMS gateway) is one more such class; the demo uses the
console or a folder of files.
"""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The backend could not hand the message over; the outbox will retry."""


class ConsoleBackend:
    """Writes each text to the log (the embedded demo)."""

    def send(self, *, to: str, body: str) -> None:
        logger.info("SMS to %s:\n%s", to, body)


class FileBackend:
    """Writes each text to its own file in `KAP_SMS_FILE_PATH` (demo and tests across processes)."""

    def send(self, *, to: str, body: str) -> None:
        folder = Path(settings.KAP_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.sms"
        (folder / name).write_text(f"To: {to}\n\n{body}\n", encoding="utf-8")


class FailingBackend:
    """Refuses every message, as a provider that is down would (retry tests and drills)."""

    def send(self, *, to: str, body: str) -> None:
        raise SmsError("SMS provider refused the message (failing test backend)")


def get_backend():
    return import_string(settings.KAP_SMS_BACKEND)()
