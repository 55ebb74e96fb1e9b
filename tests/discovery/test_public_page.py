"""The public request page: anyone may ask a clinic for a free call; what they typed stays
in the form when something is missing; bots and floods are turned away."""

import re
from html import escape

import pytest
from django.urls import reverse
from django.utils import translation

from discovery import services
from discovery.models import DiscoveryRequest, SubmissionMark
from tests.discovery.helpers import VALID_POST

pytestmark = pytest.mark.django_db


def page_of(clinic) -> str:
    return reverse("discovery:request_call", kwargs={"clinic_slug": clinic.slug})


def test_it_shows_the_form_to_anyone_and_asks_for_no_medical_details(client, cast):
    response = client.get(page_of(cast.clinic))
    assert response.status_code == 200
    assert cast.clinic.name in response.text
    assert "include medical details here" in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text


def test_it_stores_a_valid_request_and_says_what_happens_next(client, cast):
    response = client.post(page_of(cast.clinic), VALID_POST, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "discovery:request_thanks", kwargs={"clinic_slug": cast.clinic.slug}
    )
    assert "What happens next" in response.text
    assert "we delete your request after 90 days" in response.text
    stored = DiscoveryRequest.objects.get()
    assert (stored.clinic, stored.first_name, stored.second_name) == (cast.clinic, "Robin", "Kai")
    assert stored.status == DiscoveryRequest.Status.NEW
    assert stored.preferred_contact == "phone" and stored.phone == "+1 555 0100 222"
    assert stored.consent_to_contact and stored.consent_wording.startswith("We agree that")
    assert stored.language == "en"


def test_an_unknown_clinic_is_not_found(client, cast):
    response = client.get(reverse("discovery:request_call", kwargs={"clinic_slug": "nowhere"}))
    assert response.status_code == 404
    assert (
        client.post(
            reverse("discovery:request_call", kwargs={"clinic_slug": "nowhere"}), VALID_POST
        ).status_code
        == 404
    )
    assert not DiscoveryRequest.objects.exists()


REQUIRED = [
    ("first_name", "Tell us what to call you."),
    ("second_name", "Tell us what to call your partner."),
    ("email", "We need an email address to reply to."),
    ("preferred_contact", "Choose how we should contact you."),
    ("preferred_times", "Tell us when we may call, even roughly."),
    ("reason", "Write a few words about what brings you to us."),
    ("consent_to_contact", "Tick this box so that we may contact you."),
]


@pytest.mark.parametrize("missing,message", REQUIRED, ids=[name for name, _m in REQUIRED])
def test_a_missing_field_is_named_beside_it_and_everything_typed_is_kept(
    client, cast, missing, message
):
    data = {**VALID_POST, missing: ""}
    if missing == "consent_to_contact":
        del data[missing]  # an unticked box is not sent at all
    response = client.post(page_of(cast.clinic), data)
    assert response.status_code == 200
    assert "Everything you typed is still here." in response.text
    form = response.context["form"]
    assert form.errors == {missing: [message]}
    assert_typed_input_kept(response.text, data, missing)
    assert not DiscoveryRequest.objects.exists()


def assert_typed_input_kept(html: str, data: dict, missing: str) -> None:
    texts = ("first_name", "second_name", "email", "phone", "preferred_times", "reason")
    for name in set(texts) - {missing}:
        assert escape(data[name]) in html, f"{name} was not kept"
    if missing != "preferred_contact":
        assert re.search(r'value="phone"[^>]*checked', html), "the chosen channel was lost"
    if missing != "consent_to_contact":
        assert re.search(r'name="consent_to_contact"[^>]*checked', html), "the tick was lost"


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"email": "robin@"}, "email", "Enter a valid email address, e.g. name@example.com."),
        ({"phone": "12"}, "phone", "Enter a phone number with its area code."),
        (
            {"phone": "", "preferred_contact": "text"},
            "phone",
            "Give a phone number, or choose email as the way to contact you.",
        ),
        ({"reason": "x" * 1001}, "reason", None),
        ({"preferred_contact": "pigeon"}, "preferred_contact", None),
    ],
    ids=["bad-email", "short-phone", "text-without-phone", "reason-too-long", "unknown-channel"],
)
def test_bad_input_is_refused_beside_its_field(client, cast, changes, field, message):
    response = client.post(page_of(cast.clinic), {**VALID_POST, **changes})
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert 'value="Robin"' in response.text
    assert not DiscoveryRequest.objects.exists()


def test_email_alone_needs_no_phone(client, cast):
    client.post(page_of(cast.clinic), {**VALID_POST, "phone": "", "preferred_contact": "email"})
    assert DiscoveryRequest.objects.get().phone == ""


def test_a_filled_honeypot_pretends_success_and_stores_nothing(client, cast):
    response = client.post(page_of(cast.clinic), {**VALID_POST, "website": "http://spam.example"})
    assert response.status_code == 302
    assert response["Location"].endswith("/discovery-call/thanks/")
    assert not DiscoveryRequest.objects.exists()


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, cast):
    html = client.get(page_of(cast.clinic)).text
    wrapper_start = html.index('aria-hidden="true"')
    assert 'class="visually-hidden"' in html[wrapper_start - 60 : wrapper_start]
    assert html.index('name="website"') > wrapper_start
    assert 'tabindex="-1"' in html[html.index('name="website"') - 10 :][:120]


def test_the_sixth_request_within_an_hour_from_one_address_is_refused_with_input_kept(client, cast):
    for _n in range(services.RATE_LIMIT):
        assert client.post(page_of(cast.clinic), VALID_POST).status_code == 302
    response = client.post(page_of(cast.clinic), VALID_POST)
    assert response.status_code == 200
    assert "Please try again in an hour" in response.text
    assert "see the field marked in red" not in response.text  # no field is at fault
    assert 'value="Robin"' in response.text
    assert DiscoveryRequest.objects.count() == services.RATE_LIMIT
    # Another address, and the same address at another clinic, are not held back.
    other = client.post(page_of(cast.clinic), VALID_POST, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302
    assert client.post(page_of(cast.other_clinic), VALID_POST).status_code == 302


def test_the_rate_limit_forgets_submissions_older_than_an_hour(client, cast, time_machine):
    time_machine.move_to("2026-03-02 10:00:00+00:00", tick=False)
    for _n in range(services.RATE_LIMIT):
        client.post(page_of(cast.clinic), VALID_POST)
    time_machine.move_to("2026-03-02 11:00:01+00:00", tick=False)
    assert client.post(page_of(cast.clinic), VALID_POST).status_code == 302


def test_the_address_is_kept_only_as_a_keyed_hash(client, cast):
    client.post(page_of(cast.clinic), VALID_POST, REMOTE_ADDR="198.51.100.7")
    mark = SubmissionMark.objects.get()
    assert "198.51.100.7" not in mark.source and len(mark.source) == 64
    assert mark.source == services.source_of("198.51.100.7", cast.clinic)
    assert mark.source != services.source_of("198.51.100.7", cast.other_clinic)


def test_a_spanish_reader_gets_the_page_and_stores_the_wording_they_read(client, cast):
    with translation.override("es"):
        client.post(page_of(cast.clinic), VALID_POST, HTTP_ACCEPT_LANGUAGE="es")
    stored = DiscoveryRequest.objects.get()
    assert stored.language == "es"


def test_csrf_stays_on(cast):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(page_of(cast.clinic), VALID_POST).status_code == 403
    assert not DiscoveryRequest.objects.exists()
