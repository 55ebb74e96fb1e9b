"""No input makes a 500: every page, as each role that may open it, given hostile input.

For every URL pattern the URL walk finds, each role that may open it (anonymous for
public pages) GETs it with hostile query parameters, then POSTs every form on the page
with each field in turn set to a hostile value, the other fields as a browser would
send them. Any 500 (or exception) fails, naming URL, method, field and value.

What is sent, to keep the run to a couple of minutes:
- query parameters: the names of the page's GET forms plus the common ones below, all
  at once with each hostile value in turn; a 500 is retried one parameter at a time so
  the failure names the parameter;
- form fields: every field gets NUL and 10,000 characters; a field holding a number
  (a number input, or a value or choice that is one) also gets each hostile number;
  any other field one more value, rotating through control characters, invalid UTF-8
  (raw `%ff%fe`) and the hostile numbers.
"""

from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from kapcouples import policy
from kapcouples.models import Role
from tests.conftest import sign_in
from tests.kapcouples.test_url_access import (
    USER_FOR_ROLE,
    app_patterns,
    build_url,
    pattern_id,
)

# Each value as it travels on the wire (already percent-encoded), so invalid UTF-8 can be sent.
HOSTILE = {
    "NUL": quote("a\x00b"),
    "10,000 characters": "x" * 10_000,
    "control characters": quote("\x01\x07\x08\x1b[2J\x7f"),
    "invalid UTF-8": "%ff%fe",
    "huge number": "99999999999999999999",
    "-1": "-1",
    "1e309": "1e309",
}
ALWAYS = ("NUL", "10,000 characters")
NUMBERS = ("huge number", "-1", "1e309")
ROTATING = [label for label in HOSTILE if label not in ALWAYS]
COMMON_PARAMS = ("q", "page", "next", "date", "week", "by", "action", "from", "to", "format")
# Posting these would end the signed-in session the rest of the walk needs.
SKIPPED_ACTIONS = {reverse("logout")}
NOT_SENT = {"csrfmiddlewaretoken"}


class FormCollector(HTMLParser):
    """The page's forms: method, action, fields a browser would send, and every field name."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self.forms.append({"method": method, "action": attrs.get("action") or "", "data": {}})
            self.forms[-1]["names"] = []
            self.forms[-1]["numeric"] = set()
        elif self.forms and "name" in attrs and "disabled" not in attrs:
            self._field(tag, attrs)
        elif tag == "option" and self._select and "disabled" not in attrs:
            self._option(attrs)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None

    def _field(self, tag, attrs):
        form, name = self.forms[-1], attrs["name"]
        if name not in form["names"]:
            form["names"].append(name)
        kind = (attrs.get("type") or "text").lower()
        if kind == "number" or attrs.get("inputmode") in ("numeric", "decimal"):
            form["numeric"].add(name)
        if tag == "select":
            self._select = name
        elif tag == "button" or kind in ("submit", "button", "reset", "image", "file"):
            return
        elif kind in ("checkbox", "radio"):
            if "checked" in attrs:
                form["data"].setdefault(name, attrs.get("value", "on"))
        else:  # a password, so sign-in forms go on to authenticate
            typed = "walk-password-1" if kind == "password" else ""
            form["data"].setdefault(name, attrs.get("value") or typed)

    def _option(self, attrs):
        data = self.forms[-1]["data"]
        if "selected" in attrs or self._select not in data:
            data[self._select] = attrs.get("value", "")


def holds_a_number(form: dict, name: str) -> bool:
    value = str(form["data"].get(name, ""))
    return name in form["numeric"] or value.lstrip("-").replace(".", "", 1).isdigit()


def forms_of(response) -> list[dict]:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    collector = FormCollector()
    collector.feed(response.content.decode(errors="replace"))
    return collector.forms


def encode(data: dict, field: str, wire_value: str) -> str:
    """A query string / form body with `field` set to the raw hostile value."""
    pairs = [f"{quote(k)}={quote(str(v))}" for k, v in data.items() if k != field]
    return "&".join([*pairs, f"{quote(field)}={wire_value}"])


def visitors(pattern, cast) -> list[tuple[str, Client]]:
    roles = pattern.callback.access_roles
    if roles == policy.PUBLIC:
        return [("anonymous", Client())]
    if roles == policy.AUTHENTICATED:
        roles = (Role.CLINICIAN, Role.PARTNER)
    # The outside prescriber has no user in the standard cast (tests/outside walks every URL
    # as one); each page opened to them is opened to prescribers too, who are walked here.
    walked = [role for role in roles if role in USER_FOR_ROLE]
    return [(role, sign_in(Client(), cast.user(USER_FOR_ROLE[role]))) for role in walked]


def test_every_page_opened_to_outside_prescribers_is_walked_as_a_prescriber():
    opened = [
        name
        for name, pattern in app_patterns()
        if pattern.callback.access_roles not in (policy.PUBLIC, policy.AUTHENTICATED)
        and Role.OUTSIDE_PRESCRIBER in pattern.callback.access_roles
    ]
    assert opened, "no page is opened to outside prescribers: this test checks nothing"
    # Their own pages (their home) are walked as them in tests/outside.
    shared = [
        (name, pattern)
        for name, pattern in app_patterns()
        if name in opened and set(pattern.callback.access_roles) != {Role.OUTSIDE_PRESCRIBER}
    ]
    assert [
        name for name, pattern in shared if Role.PRESCRIBER not in pattern.callback.access_roles
    ] == []


class Prober:
    def __init__(self, client: Client, who: str):
        self.client, self.who, self.failures = client, who, []

    def request(self, method: str, url: str, body: str, what: str) -> None:
        try:
            if method == "GET":
                response = self.client.get(f"{url}?{body}")
            else:
                kind = "application/x-www-form-urlencoded"
                response = self.client.post(url, body, content_type=kind)
        except Exception as error:  # the test client re-raises what became a 500
            self.failures.append(f"{self.who} {method} {url} {what}: {error!r}"[:400])
            return
        if response.status_code >= 500:
            self.failures.append(f"{self.who} {method} {url} {what}: {response.status_code}")

    def hostile_query(self, url: str, names: list[str]) -> None:
        for label, wire in HOSTILE.items():
            before = len(self.failures)
            query = "&".join(f"{quote(name)}={wire}" for name in names)
            self.request("GET", url, query, f"all parameters={label}")
            if len(self.failures) > before:
                del self.failures[before:]
                for name in names:  # name the parameter(s) at fault
                    self.request("GET", url, f"{quote(name)}={wire}", f"{name}={label}")

    def hostile_form(self, url: str, form: dict) -> None:
        for index, name in enumerate(n for n in form["names"] if n not in NOT_SENT):
            more = NUMBERS if holds_a_number(form, name) else [ROTATING[index % len(ROTATING)]]
            for label in (*ALWAYS, *more):
                body = encode(form["data"], name, HOSTILE[label])
                self.request("POST", url, body, f"{name}={label}")


def probe(prober: Prober, url: str, seen: set) -> None:
    forms = forms_of(prober.client.get(url))
    get_names = [n for f in forms if f["method"] == "get" for n in f["names"]]
    prober.hostile_query(url, sorted({*COMMON_PARAMS, *get_names}))
    for form in forms:
        action = urlsplit(form["action"]).path or url
        key = (action, tuple(form["names"]))
        if form["method"] != "post" or action in SKIPPED_ACTIONS or key in seen:
            continue
        seen.add(key)
        prober.hostile_form(action, form)


@pytest.mark.parametrize("name,pattern", app_patterns(), ids=pattern_id)
def test_no_hostile_input_makes_a_server_error(name, pattern, cast):
    url = build_url(name, pattern, cast)
    failures, seen = [], set()
    for who, client in visitors(pattern, cast):
        prober = Prober(client, who)
        probe(prober, url, seen)
        failures += prober.failures
    assert not failures, "\n".join(failures)


def started_record(cast) -> list[tuple[str, str]]:
    """A started medicine session's record: its vitals, dose, event and discharge forms."""
    from tests.sessions.factories import started_session

    url = reverse("clinic_sessions:session_record", args=[started_session(cast).pk])
    return [("clinician", url), ("prescriber", url)]


def draft_intake_steps(cast) -> list[tuple[str, str]]:
    """Partner B's intake, not yet started: every step's form."""
    from intake.forms import INTAKE_STEPS

    partner = cast.partner_b
    return [
        ("partner_b", reverse("intake:intake_step", args=[partner.pk, step]))
        for step in INTAKE_STEPS
    ]


def consent_to_sign(cast) -> list[tuple[str, str]]:
    from tests.intake.factories import ConsentTextFactory

    ConsentTextFactory(clinic=cast.clinic)
    return [("partner_a", reverse("intake:consent_sign", args=[cast.partner_a.pk]))]


# Pages whose forms the walk's one state of the world does not show.
OTHER_STATES = [started_record, draft_intake_steps, consent_to_sign]


@pytest.mark.parametrize("state", OTHER_STATES, ids=lambda state: state.__name__)
def test_no_hostile_input_makes_a_server_error_in_other_states(state, cast):
    failures, seen = [], set()
    for who, url in state(cast):
        prober = Prober(sign_in(Client(), cast.user(who)), who)
        probe(prober, url, seen)
        failures += prober.failures
    assert seen, "the page showed no form to post: the state is not what this test expects"
    assert not failures, "\n".join(failures)


def test_the_walk_posts_forms_it_finds(cast):
    """Guards the walk itself: the enrol page's fields are found and sent."""
    client = sign_in(Client(), cast.front_desk)
    forms = forms_of(client.get(reverse("intake:couple_enrol")))
    posted = [f for f in forms if f["method"] == "post"]
    assert posted and len(posted[-1]["names"]) >= 4
