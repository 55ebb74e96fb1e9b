"""Sign-in, lock-out, sessions, passwords and the staff second factor."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

import kapcouples.settings as production_settings
from kapcouples.models import AccessLog
from tests.conftest import sign_in
from tests.factories import TEST_PASSWORD

LOGIN = reverse("login")


def post_login(client: Client, email: str, password: str = TEST_PASSWORD):
    return client.post(LOGIN, {"username": email, "password": password})


def test_production_hashes_passwords_with_argon2():
    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_partner_signs_in_with_their_email_in_any_case(cast, client):
    response = post_login(client, cast.partner_a.user.email.upper())
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).request["PATH_INFO"] == reverse("portal")


def test_a_wrong_password_says_what_to_check_and_keeps_the_email(cast, client):
    response = post_login(client, cast.partner_a.user.email, "wrong-password")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert cast.partner_a.user.email in response.content.decode()


def test_signing_in_issues_a_new_session_id(cast, client):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    post_login(client, cast.partner_a.user.email)
    assert client.session.session_key != before
    assert client.session[SESSION_KEY] == str(cast.partner_a.user.pk)


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(cast, client, caplog):
    email = cast.partner_a.user.email
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, email, "wrong-password").status_code == 200
    with caplog.at_level(logging.WARNING, logger="kapcouples.access"):
        locked = post_login(client, email, "wrong-password")
    assert locked.status_code == 429
    assert "This account is locked for now" in locked.content.decode()
    assert "account locked out" in caplog.text
    entry = AccessLog.objects.get(action=AccessLog.Action.LOCKOUT)
    assert entry.user == cast.partner_a.user
    assert entry.clinic == cast.clinic
    # Even the right password is refused while the lock lasts.
    assert post_login(client, email).status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lock_lifts_after_the_cool_off(cast, client):
    email = cast.partner_a.user.email
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, email, "wrong-password")
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert post_login(client, email).status_code == 302


def test_signing_out_ends_the_sessions_on_other_devices(cast):
    phone, laptop = Client(), Client()
    for device in (phone, laptop):
        post_login(device, cast.partner_a.user.email)
    assert phone.get(reverse("portal")).status_code == 200
    laptop.post(reverse("logout"))
    assert phone.get(reverse("portal")).status_code == 302
    assert laptop.get(reverse("portal")).status_code == 302


def test_changing_the_password_keeps_this_session_and_ends_the_others(cast):
    phone, laptop = Client(), Client()
    for device in (phone, laptop):
        post_login(device, cast.partner_a.user.email)
    response = laptop.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-new-long-passphrase-7",
            "new_password2": "a-new-long-passphrase-7",
        },
    )
    assert response.status_code == 302
    assert laptop.get(reverse("portal")).status_code == 200
    assert phone.get(reverse("portal")).status_code == 302


def test_password_reset_sends_a_text_and_html_email_with_a_working_link(cast, client):
    client.post(reverse("password_reset"), {"email": cast.partner_a.user.email})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your KAP Couples password"
    assert message.alternatives[0][1] == "text/html"
    link = next(line for line in message.body.splitlines() if "/password/reset/" in line)
    form_page = client.get(link.strip().split("testserver")[1], follow=True)
    assert "Choose a new password" in form_page.content.decode()


def test_password_reset_does_not_reveal_whether_an_account_exists(db, client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize(
    "user_name,idle_minutes", [("front_desk", 15), ("clinician", 15), ("partner_a", 30)]
)
def test_sessions_end_after_the_idle_limit_of_the_role(user_name, idle_minutes, cast, client):
    user = cast.user(user_name)
    home = reverse("home")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, user)
        assert client.get(home).status_code == 302  # to the role's landing page
        clock.shift(timedelta(minutes=idle_minutes - 1))
        assert reverse("login") not in client.get(home)["Location"]
        clock.shift(timedelta(minutes=idle_minutes, seconds=1))
        response = client.get(home, follow=True)
    assert response.request["PATH_INFO"] == reverse("login")
    assert f"after {idle_minutes} minutes without activity" in response.content.decode()


def test_every_session_ends_after_twelve_hours_however_active(cast, client):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, cast.partner_a.user)
        for _ in range(12 * 4):
            clock.shift(timedelta(minutes=15))
            client.get(reverse("portal"))
        clock.shift(timedelta(minutes=1))
        response = client.get(reverse("portal"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_form_posted_after_a_timeout_is_given_back_after_signing_in(cast, client):
    partner = cast.partner_a
    url = reverse("intake:partner_contact_edit", kwargs={"partner_id": partner.pk})
    typed = {"phone": "+1 555 0100", "emergency_contact_name": "Jamie Typed-Before-Timeout"}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, partner.user)
        client.get(url)
        clock.shift(timedelta(minutes=31))
        expired = client.post(url, {**typed, "preferred_channel": "email", "timezone": "UTC"})
        assert expired.status_code == 302
        assert reverse("login") in expired["Location"]
        partner.refresh_from_db()
        assert partner.emergency_contact_name == ""  # nothing was saved without a session
        post_login(client, partner.user.email)
        page = client.get(url).content.decode()
    assert "Jamie Typed-Before-Timeout" in page
    assert "+1 555 0100" in page
    assert "We kept what you typed" in page


def test_kept_form_data_is_not_given_to_a_different_user(cast, client):
    url = reverse("intake:partner_contact_edit", kwargs={"partner_id": cast.partner_a.pk})
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client, cast.partner_a.user)
        clock.shift(timedelta(minutes=31))
        client.post(url, {"emergency_contact_name": "Private Marker 7731"})
        post_login(client, cast.clinician.email)
        sign_in(client, cast.clinician)
        page = client.get(url).content.decode()
    assert "Private Marker 7731" not in page


def test_staff_must_enrol_a_second_factor_before_any_clinic_page(cast, client):
    post_login(client, cast.front_desk.email)
    response = client.get(reverse("desk_dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))


def test_partners_do_not_need_a_second_factor(cast, client):
    post_login(client, cast.partner_a.user.email)
    assert client.get(reverse("portal")).status_code == 200


def test_enrolling_an_authenticator_opens_the_clinic_pages(cast, client):
    post_login(client, cast.front_desk.email)
    setup = client.get(reverse("two_factor_setup") + "?next=/desk/")
    assert "data:image/svg+xml" in setup.content.decode()
    device = TOTPDevice.objects.get(user=cast.front_desk, confirmed=False)
    wrong = client.post(setup.request["PATH_INFO"] + "?next=/desk/", {"token": "000000"})
    assert "did not match" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    response = client.post(reverse("two_factor_setup"), {"token": code, "next": "/desk/"})
    assert response.status_code == 302
    assert response["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200


def test_staff_with_a_device_verify_a_code_at_each_sign_in(cast, client):
    device = TOTPDevice.objects.create(user=cast.clinician, name="phone", confirmed=True)
    post_login(client, cast.clinician.email)
    redirect = client.get(reverse("care_dashboard"))["Location"]
    assert redirect.startswith(reverse("two_factor_verify"))
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    client.post(reverse("two_factor_verify"), {"token": code})
    assert client.get(reverse("care_dashboard")).status_code == 200


def test_the_second_factor_can_be_switched_off_for_the_demo(cast, client, settings):
    settings.KAP_REQUIRE_STAFF_2FA = False
    post_login(client, cast.front_desk.email)
    assert client.get(reverse("desk_dashboard")).status_code == 200
