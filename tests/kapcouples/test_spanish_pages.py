"""A Spanish-speaking partner's pages show no English: a string left unmarked fails here.

Each page is rendered for a partner who chose Spanish, with its errors where it has a form;
its visible text (text, button labels, accessible names, options) is searched for common
English words. What the clinic or the partner wrote themselves (the consent text, the
crisis line, names) is shown as written, so it is taken out first.
"""

import re
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from intake import instruments, services
from intake.models import QuestionnaireResponse, ScreeningSettings
from integration.models import CheckIn, SharedReflection
from portal import done
from sessions.models import Approach
from tests.intake.factories import ConsentTextFactory
from tests.integration.helpers import completed_medicine_session
from tests.messaging.helpers import private_of_a
from tests.sessions.preparation_helpers import ESCORT, checklist, upcoming_session

ENGLISH = re.compile(
    r"\b(the|you|your|and|with|this|that|please|of|to|is|are|will|not|can|for|have|my|we|"
    r"our|it|be|on|or|an|at|if|in|by|from|all|yes|back|next|save|saved|sign|steps?|answers?|"
    r"password)\b",
    re.IGNORECASE,
)
SHOWN_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}


class VisibleText(HTMLParser):
    """The text a reader meets: text nodes (not scripts), button values, accessible names."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "textarea"):
            self._hidden += 1
        self.parts += [value for name, value in attrs.items() if name in SHOWN_ATTRIBUTES]
        if tag == "input" and attrs.get("type") in ("submit", "button"):
            self.parts.append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def english_in(html: str, written_by_others: list[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    for kept in written_by_others:
        text = text.replace(kept, " ")
    return sorted({line.strip() for line in text.splitlines() if ENGLISH.search(line)})


@pytest.fixture
def spanish(cast, client_for):
    partner = cast.partner_a
    partner.language = "es"
    partner.save()
    services.intake_save_step(
        partner=partner, by=partner.user, step="about", answers={"pronouns": ""}
    )
    consent = ConsentTextFactory(clinic=cast.clinic)
    session = completed_medicine_session(cast, days_ago=3)
    checkin = CheckIn.objects.create(
        partner=partner,
        couple=cast.couple,
        medicine_session=session,
        day=1,
        due_at=session.completed_at,
    )
    crisis = ScreeningSettings.for_clinic(cast.clinic.pk)
    others = [
        consent.title,
        consent.body,
        crisis.crisis_line,
        cast.clinic.name,
        partner.full_name,
        partner.first_name,
        partner.last_name,
        partner.email,
        "KAP Couples",
    ]
    return client_for(partner.user), partner, checkin, others


def partner_pages(partner, checkin) -> list[tuple[str, dict | None]]:
    """(path, posted form or None): every page of this kind a partner opens, errors included."""
    own = {"partner_id": partner.pk}
    steps = [
        "about",
        "emergency",
        "medical",
        "medications",
        "experience",
        "mental_health",
        "goals",
        "transport",
    ]
    pages = [(reverse("intake:intake_overview", kwargs=own), None)]
    for step in steps:
        url = reverse("intake:intake_step", kwargs={**own, "step": step})
        pages += [(url, None), (url, {"phone": "12", "emergency_contact_phone": "x"})]
    consent = reverse("intake:consent_sign", kwargs=own)
    contact = reverse("intake:partner_contact_edit", kwargs=own)
    checkin_url = reverse("integration:checkin_answer", kwargs={"checkin_id": checkin.pk})
    return [
        *pages,
        (consent, None),
        (consent, {"consent_text_id": "0", "typed_name": "Someone Else", "agree": "on"}),
        (contact, None),
        (contact, {"phone": "call me", "preferred_channel": "sms", "timezone": "UTC"}),
        (checkin_url, None),
        (checkin_url, {"connection": "11"}),
        (reverse("password_change"), None),
        (reverse("password_change"), {"old_password": "wrong", "new_password1": "x"}),
        ("/no-such-page/", None),
    ]


def test_a_spanish_partners_pages_show_no_english(spanish):
    client, partner, checkin, others = spanish
    found = {}
    for path, posted in partner_pages(partner, checkin):
        response = client.post(path, posted) if posted else client.get(path)
        assert response.status_code in (200, 404), f"{path}: {response.status_code}"
        leftover = english_in(response.content.decode(), others)
        if leftover:
            found[f"{'POST' if posted else 'GET'} {path}"] = leftover
    assert found == {}


@pytest.mark.parametrize("name", ["login", "password_reset"])
def test_signed_out_pages_in_spanish_show_no_english(name, client, db):
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="es")
    assert english_in(response.content.decode(), ["KAP Couples"]) == []
    form = {"username": "x@example.org", "password": "nope", "email": "not an address"}
    posted = client.post(reverse(name), form, HTTP_ACCEPT_LANGUAGE="es")
    assert english_in(posted.content.decode(), ["KAP Couples", "x@example.org"]) == []


def test_the_english_detector_finds_an_unmarked_string():
    assert english_in("<p>Guardar</p><button>Save my answers</button>", []) == [
        "Guardar Save my answers"
    ]


def instrument_wording(code: str) -> list[str]:
    """A validated questionnaire's published English wording, shown as written."""
    instrument = instruments.INSTRUMENTS[code]
    wording = [instrument.title, *instrument.instructions.splitlines(), instrument.source]
    for item in instrument.items:
        wording += [item.text, item.hint, *(option.label for option in item.options)]
    return sorted((text for text in wording if text), key=len, reverse=True)


def zone_names() -> list[str]:
    """The time zones offered on the profile, named as the IANA database names them."""
    names = (zone.replace("_", " ") for zone in zoneinfo.available_timezones())
    return sorted(names, key=len, reverse=True)


@pytest.fixture
def spanish_program(spanish, cast):
    """The Spanish partner's couple with a plan, a medicine session ahead, a shared
    reflection, a conversation and a submitted questionnaire."""
    client, partner, _checkin, others = spanish
    session = upcoming_session(cast, Approach.SOLO)
    plan_texts = ["Communicate more openly.", "To feel close again.", "Trust"]
    plan_texts += ["What do you need?", "We begin with gratitude."]
    past = completed_medicine_session(cast, days_ago=2)
    shared = SharedReflection.objects.create(couple=cast.couple, medicine_session=past)
    conversation = private_of_a(cast, body="Marker body", subject="Sleep")
    fill = reverse("intake:questionnaire_fill", kwargs={"partner_id": partner.pk, "code": "gad-7"})
    client.post(fill, {**{f"item_{n}": 1 for n in range(1, 8)}, "step": "submit"})
    response = QuestionnaireResponse.objects.get(partner=partner, code="GAD-7")
    written = [*others, *plan_texts, *checklist(cast), *ESCORT.values(), "Marker body", "Sleep"]
    for code in ("GAD-7", "PHQ-9", "PCL-5"):
        written += instrument_wording(code)
    written += zone_names()
    pages = {
        "session": session,
        "reflection": shared,
        "conversation": conversation,
        "response": response,
    }
    return client, partner, pages, written


def program_pages(partner, pages) -> list[tuple[str, dict | None]]:
    """The portal, questionnaires, preparation, shared reflection and secure messages."""
    fill = reverse("intake:questionnaire_fill", kwargs={"partner_id": partner.pk, "code": "phq-9"})
    answered = {f"item_{n}": 0 for n in range(1, 10)}
    session = {"session_id": pages["session"].pk}
    result = {"response_id": pages["response"].pk}
    conversation = reverse(
        "messaging:conversation", kwargs={"conversation_id": pages["conversation"].pk}
    )
    start = reverse("messaging:conversation_start")
    profile = reverse("portal:profile")
    return [
        (reverse("portal"), None),
        (reverse("portal:history"), None),
        *((f"{reverse('portal:next')}?done={key}", None) for key in done.DONE),
        (profile, None),
        (profile, {"phone": "call me", "preferred_channel": "sms", "quiet_start": "25:00"}),
        (fill, None),
        (fill.replace("phq-9", "pcl-5"), None),
        (fill, {"item_1": "7", "step": "check"}),
        (fill, {**answered, "step": "check"}),
        (reverse("intake:questionnaire_detail", kwargs=result), None),
        (reverse("clinic_sessions:preparation", kwargs={"couple_id": partner.couple_id}), None),
        (reverse("clinic_sessions:preparation_session", kwargs=session), None),
        (reverse("integration:reflection_detail", args=[pages["reflection"].pk]), None),
        (reverse("messaging:conversation_list"), None),
        (start, None),
        (start, {"subject": "", "body": "", "audience": ""}),
        (conversation, None),
        (conversation, {"body": ""}),
    ]


def test_a_spanish_partners_program_pages_show_no_english(spanish_program):
    client, partner, pages, written = spanish_program
    found = {}
    for path, posted in program_pages(partner, pages):
        response = client.post(path, posted) if posted else client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        leftover = english_in(response.content.decode(), written)
        if leftover:
            found[f"{'POST' if posted else 'GET'} {path}"] = leftover
    assert found == {}
