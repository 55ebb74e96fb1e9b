"""Input no person types gets a 400 or a field error, never a 500; `next` is only ever a path."""

import logging

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapcouples.models import AccessLog
from tests.conftest import sign_in
from tests.factories import TEST_PASSWORD

LOGIN = reverse("login")
FORM_BODY = "application/x-www-form-urlencoded"


def denials():
    return AccessLog.objects.filter(action=AccessLog.Action.DENIED)


@pytest.mark.parametrize(
    "query,problem",
    [
        ("q=a%00b", "NUL character in the query string"),
        ("q=a\x00b", "NUL character in the query string"),
        ("q=%ff%fe", "query string is not UTF-8"),
    ],
)
def test_the_front_desk_search_answers_400_to_an_unreadable_query(cast, query, problem, caplog):
    client = sign_in(Client(), cast.front_desk)
    with caplog.at_level(logging.WARNING, logger="kapcouples.access"):
        response = client.get(f"{reverse('desk_dashboard')}?{query}")
    assert response.status_code == 400
    assert "That request could not be understood" in response.content.decode()
    assert problem in caplog.text
    entry = denials().get()
    assert (entry.user, entry.clinic, entry.detail) == (
        cast.front_desk,
        cast.clinic,
        f"malformed request: {problem}",
    )


def test_a_nul_in_the_path_is_refused_and_logged_without_breaking_the_log(db, client):
    response = client.get("/invitations/accept/abc%00def/")
    assert response.status_code == 400
    entry = denials().get()
    assert entry.user is None
    assert entry.path == "/invitations/accept/abc\ufffddef/"


def test_a_form_body_that_is_not_utf8_is_refused_and_nothing_is_signed_in(cast, client):
    body = f"username=%ff%fe&password={TEST_PASSWORD}"
    response = client.post(LOGIN, body, content_type=FORM_BODY)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert denials().get().detail == "malformed request: form body is not UTF-8"


def test_ordinary_accents_and_search_terms_still_pass(cast):
    client = sign_in(Client(), cast.front_desk)
    response = client.get(reverse("desk_dashboard"), {"q": "Zoë Müller+1"})
    assert response.status_code == 200
    assert not denials().exists()


def test_a_nul_in_a_form_field_gets_the_forms_own_field_error(cast, client):
    response = client.post(LOGIN, {"username": "a\x00b@example.org", "password": "x"})
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()


def test_a_10000_character_email_gets_a_field_error_that_keeps_what_was_typed(cast, client):
    email = "a" * 10_000 + "@example.org"
    response = client.post(LOGIN, {"username": email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    page = response.content.decode()
    assert "An email address has at most 254 characters (this one has 10012)" in page
    assert email in page
    assert "_auth_user_id" not in client.session


def test_an_over_long_email_is_not_counted_against_anyone_by_the_lock_out(cast, client):
    from axes.models import AccessAttempt

    client.post(LOGIN, {"username": "a" * 300, "password": "wrong"})
    assert not AccessAttempt.objects.exists()


def staff_with_a_device(cast, client):
    """Signed in with a password only; the device's current code."""
    device = TOTPDevice.objects.create(user=cast.clinician, name="phone", confirmed=True)
    client.post(LOGIN, {"username": cast.clinician.email, "password": TEST_PASSWORD})
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


@pytest.mark.parametrize(
    "next_value",
    [
        "not-a-page",  # was a 500: taken for a URL name that does not exist
        "intake:partner_detail",  # reads as a scheme
        "care_dashboard",  # a URL name that exists is still not a path
        "javascript:alert(1)",
        "//evil.example/",
        "https://evil.example/",
    ],
)
def test_verifying_with_a_next_that_is_not_a_local_path_lands_on_the_home_page(
    cast, client, next_value
):
    code = staff_with_a_device(cast, client)
    response = client.post(reverse("two_factor_verify"), {"token": code, "next": next_value})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_verifying_with_a_local_path_as_next_goes_there(cast, client):
    code = staff_with_a_device(cast, client)
    target = reverse("care_dashboard") + "?q=x"
    response = client.post(f"{reverse('two_factor_verify')}?next={target}", {"token": code})
    assert response["Location"] == target


def test_enrolling_with_a_next_that_is_not_a_path_lands_on_the_home_page(cast, client):
    client.post(LOGIN, {"username": cast.clinician.email, "password": TEST_PASSWORD})
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=cast.clinician, confirmed=False)
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    response = client.post(reverse("two_factor_setup"), {"token": code, "next": "not-a-page"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("too_much", ["fields", "bytes"])
def test_djangos_own_400_renders_the_clinic_page(db, client, too_much):
    if too_much == "fields":
        body = "&".join(f"f{i}=x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    else:
        body = "username=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(LOGIN, body, content_type=FORM_BODY)
    assert response.status_code == 400
    assert "That request could not be understood" in response.content.decode()


def test_a_session_cookie_holding_a_nul_counts_as_signed_out_and_is_deleted(db, client, caplog):
    client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefghijklmnop\x00qrstuvwxyz"
    with caplog.at_level(logging.WARNING, logger="kapcouples.access"):
        response = client.get(reverse("desk_dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""
    assert "NUL character in the session cookie" in caplog.text
