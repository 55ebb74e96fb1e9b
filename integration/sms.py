"""Pluggable text-message backends, chosen by the dotted path in `KAP_SMS_BACKEND`.

A backend is a class with `send(*, to, body, reference=None) -> Handover | None` that
raises `SmsError` when the message may go later and `SmsRefused` when it never will.
`reference` is the outbox row's id, for a provider that reports back on delivery. The
demo uses the console or a folder of files; production uses `TwilioBackend`.
"""

import logging
import uuid
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The backend could not hand the message over; the outbox will retry."""


class SmsRefused(Exception):
    """The provider will never take this message (an invalid number): not retried."""


class SmsOptedOut(SmsRefused):
    """The number has opted out of texts at the provider (it answered STOP there)."""


@dataclass(frozen=True)
class Handover:
    """The provider took the message: its id there and its first delivery status."""

    provider_id: str
    status: str = ""


class ConsoleBackend:
    """Writes each text to the log (the embedded demo)."""

    def send(self, *, to: str, body: str, reference: int | None = None) -> None:
        logger.info("SMS to %s:\n%s", to, body)


class FileBackend:
    """Writes each text to its own file in `KAP_SMS_FILE_PATH` (demo and tests across processes)."""

    def send(self, *, to: str, body: str, reference: int | None = None) -> None:
        folder = Path(settings.KAP_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.sms"
        (folder / name).write_text(f"To: {to}\n\n{body}\n", encoding="utf-8")


class FailingBackend:
    """Refuses every message, as a provider that is down would (retry tests and drills)."""

    def send(self, *, to: str, body: str, reference: int | None = None) -> None:
        raise SmsError("SMS provider refused the message (failing test backend)")


def get_backend():
    return import_string(settings.KAP_SMS_BACKEND)()


# --- Phone numbers ---------------------------------------------------------------------------
def to_e164(phone: str) -> str:
    """A typed number in the provider's form (+ country code, digits): "+1 (555) 010-0100"
    as "+15550100100"; without + or 00, a number of `KAP_SMS_DEFAULT_COUNTRY_CODE` (one
    leading trunk 0 dropped). "" for a number with no digits."""
    digits = "".join(c for c in phone if c.isdigit())
    if not digits:
        return ""
    if phone.strip().startswith("+"):
        return f"+{digits}"
    if digits.startswith("00"):
        return f"+{digits[2:]}"
    national = digits[1:] if digits.startswith("0") else digits
    return f"+{settings.KAP_SMS_DEFAULT_COUNTRY_CODE}{national}"


def typed_forms(e164: str) -> set[str]:
    """The digit strings a number in this form may have been typed as (formatting removed):
    with its country code, after 00, or nationally when it is of the default country."""
    digits = e164.removeprefix("+")
    forms = {digits, f"00{digits}"}
    country = settings.KAP_SMS_DEFAULT_COUNTRY_CODE
    if digits.startswith(country) and len(digits) > len(country):
        national = digits[len(country) :]
        forms |= {national, f"0{national}"}
    return forms


# --- Twilio --------------------------------------------------------------------------------
# Error codes of the Messages API that no retry can fix.
REFUSED_CODES = {
    21211: "the number is not a valid phone number",
    21214: "the number cannot be reached",
    21217: "the number does not exist",
    21407: "the number's country is not supported",
    21408: "texts to the number's region are not enabled for this account",
    21612: "the number cannot be reached from the clinic's number",
    21614: "the number is not a mobile number",
}
OPTED_OUT_CODE = 21610


class TwilioBackend:
    """Sends through Twilio's Messages API with its Python SDK, configured from settings.

    A message the provider takes returns its id; its delivery status comes back later
    to `integration:sms_status` for this outbox row, signed with the account's token.
    """

    def __init__(self) -> None:
        config = _twilio_config()
        self.sender = config.pop("sender")
        self.client = Client(**config, http_client=_http_client())

    def send(self, *, to: str, body: str, reference: int | None = None) -> Handover:
        try:
            message = self.client.messages.create(
                to=to_e164(to),
                body=body,
                status_callback=status_callback_url(reference),
                **self.sender,
            )
        except TwilioException as error:
            raise _mapped(error) from error
        except OSError as error:  # requests' connection errors and timeouts are OSErrors
            raise SmsError(f"SMS provider unreachable: {type(error).__name__}") from error
        return Handover(provider_id=message.sid or "", status=message.status or "")


def status_callback_url(reference: int | None) -> str | None:
    if reference is None:
        return None
    path = reverse("integration:sms_status", kwargs={"reminder_id": reference})
    return settings.KAP_TWILIO_CALLBACK_BASE_URL.rstrip("/") + path


def _twilio_config() -> dict:
    """The client's credentials and the sender, or a refusal naming what to set."""
    account = settings.KAP_TWILIO_ACCOUNT_SID
    key, secret = settings.KAP_TWILIO_API_KEY_SID, settings.KAP_TWILIO_API_KEY_SECRET
    token = settings.KAP_TWILIO_AUTH_TOKEN
    if not account or not (token or (key and secret)):
        raise ImproperlyConfigured(
            "Set KAP_TWILIO_ACCOUNT_SID and KAP_TWILIO_AUTH_TOKEN (or KAP_TWILIO_API_KEY_SID "
            "and KAP_TWILIO_API_KEY_SECRET) to send text messages through Twilio."
        )
    if settings.KAP_TWILIO_MESSAGING_SERVICE_SID:
        sender = {"messaging_service_sid": settings.KAP_TWILIO_MESSAGING_SERVICE_SID}
    elif settings.KAP_TWILIO_FROM_NUMBER:
        sender = {"from_": settings.KAP_TWILIO_FROM_NUMBER}
    else:
        raise ImproperlyConfigured(
            "Set KAP_TWILIO_FROM_NUMBER or KAP_TWILIO_MESSAGING_SERVICE_SID: texts need a sender."
        )
    if key and secret:
        return {"username": key, "password": secret, "account_sid": account, "sender": sender}
    return {"username": account, "password": token, "sender": sender}


def _mapped(error) -> Exception:
    code, status = getattr(error, "code", None), getattr(error, "status", None)
    if code == OPTED_OUT_CODE:
        return SmsOptedOut(f"Twilio {code}: the number has opted out of text messages")
    if code in REFUSED_CODES:
        return SmsRefused(f"Twilio {code}: {REFUSED_CODES[code]}")
    # Throttling (429), the provider's own failures (5xx), credentials being fixed: later.
    named = f"Twilio error {code}" if code else "Twilio"
    return SmsError(f"{named} (HTTP {status or 'none'}): the message was not taken")


def _http_client():
    """The SDK's HTTP client, sending to `KAP_TWILIO_API_BASE_URL` when one is set."""
    timeout = settings.KAP_TWILIO_TIMEOUT_SECONDS
    base = settings.KAP_TWILIO_API_BASE_URL
    if not base:
        return TwilioHttpClient(timeout=timeout)
    _refuse_plain_http_off_this_machine(base)

    class RebasedHttpClient(TwilioHttpClient):
        """The SDK builds each URL on the provider's host (api.twilio.com and others);
        this keeps the path and query and swaps the scheme and host for `base`."""

        def request(self, method, url, *args, **kwargs):
            return super().request(method, rebased(url, base), *args, **kwargs)

    return RebasedHttpClient(timeout=timeout)


def rebased(url: str, base: str) -> str:
    parts, onto = urlsplit(url), urlsplit(base)
    path = onto.path.rstrip("/") + parts.path
    return urlunsplit((onto.scheme, onto.netloc, path, parts.query, ""))


def _refuse_plain_http_off_this_machine(base: str) -> None:
    """The account's secret rides in every request: plain HTTP only to this machine."""
    parts = urlsplit(base)
    if parts.scheme == "https":
        return
    host = parts.hostname or ""
    loopback = host == "localhost" or (_is_ip(host) and ip_address(host).is_loopback)
    if parts.scheme != "http" or not loopback:
        raise ImproperlyConfigured(
            f"KAP_TWILIO_API_BASE_URL must be https://…, or http:// to this machine "
            f"(127.0.0.1 or localhost); it is {base!r}."
        )


def _is_ip(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True
