"""A stand-in for Twilio's Messages API on 127.0.0.1, so tests drive the real SDK offline.

It speaks what `TwilioBackend` uses: POST /2010-04-01/Accounts/{Sid}/Messages.json
with basic auth and the form fields To, From or MessagingServiceSid, Body and
StatusCallback; it answers with the JSON the SDK parses (201 and the message, or the
provider's error JSON). Tests queue errors with `fail_next`.
"""

import base64
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from twilio.request_validator import RequestValidator

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Messages\.json$")

ERRORS = {
    20003: (401, "Authenticate"),
    21211: (400, "The 'To' number is not a valid phone number."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21614: (400, "'To' number is not a valid mobile number"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
}


@dataclass
class Received:
    account: str
    auth: tuple[str, str]
    fields: dict[str, str]


@dataclass
class TwilioStandIn:
    username: str
    password: str
    received: list[Received] = field(default_factory=list)
    _errors: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def fail_next(self, *codes: int) -> None:
        """The next requests are answered with these provider errors, one each."""
        with self._lock:
            self._errors.extend(codes)

    def next_error(self) -> int | None:
        with self._lock:
            return self._errors.pop(0) if self._errors else None

    def record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)


def _handler(standin: TwilioStandIn):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            match = MESSAGES_PATH.match(self.path)
            if not match:
                return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
            auth = self._basic_auth()
            if auth != (standin.username, standin.password):
                return self._error(20003)
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            fields = {name: values[0] for name, values in form.items()}
            standin.record(Received(match["account"], auth, fields))
            code = standin.next_error()
            if code is not None:
                return self._error(code)
            return self._answer(201, _message(match["account"], fields))

        def _basic_auth(self) -> tuple[str, str]:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Basic "):
                return ("", "")
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            return (user, password)

        def _error(self, code: int) -> None:
            status, message = ERRORS[code]
            body = {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            }
            self._answer(status, body)

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:  # quiet: the test output is what matters
            pass

    return Handler


def _message(account: str, fields: dict[str, str]) -> dict:
    sid = f"SM{uuid.uuid4().hex}"
    return {
        "sid": sid,
        "account_sid": account,
        "to": fields.get("To"),
        "from": fields.get("From"),
        "messaging_service_sid": fields.get("MessagingServiceSid"),
        "body": fields.get("Body"),
        "status": "queued",
        "num_segments": "1",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "date_created": "Tue, 01 Dec 2026 03:00:00 +0000",
        "date_updated": "Tue, 01 Dec 2026 03:00:00 +0000",
        "date_sent": None,
        "error_code": None,
        "error_message": None,
        "price": None,
        "price_unit": "USD",
        "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
        "subresource_uris": {"media": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Media.json"},
    }


def start(*, username: str, password: str) -> tuple[TwilioStandIn, ThreadingHTTPServer]:
    standin = TwilioStandIn(username=username, password=password)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(standin))
    standin.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return standin, server


# --- What the tests configure and sign with ---------------------------------------------------
ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "stand-in-auth-token"
FROM_NUMBER = "+15550009999"
CALLBACK_BASE = "https://clinic.example.org"


def settings_for(standin: TwilioStandIn) -> dict[str, str]:
    """The environment that points `TwilioBackend` at this stand-in (for a worker too)."""
    return {
        "KAP_SMS_BACKEND": "integration.sms.TwilioBackend",
        "KAP_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "KAP_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "KAP_TWILIO_FROM_NUMBER": FROM_NUMBER,
        "KAP_TWILIO_CALLBACK_BASE_URL": CALLBACK_BASE,
        "KAP_TWILIO_API_BASE_URL": standin.url,
    }


def signed_post(client, path: str, fields: dict[str, str], *, token: str = AUTH_TOKEN):
    """Post to one of the app's webhooks as the provider would: signed over the public
    address and the fields with the account's token."""
    signature = RequestValidator(token).compute_signature(CALLBACK_BASE + path, fields)
    return client.post(path, fields, HTTP_X_TWILIO_SIGNATURE=signature)
