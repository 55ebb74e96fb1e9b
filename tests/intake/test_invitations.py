"""Enrolment and invitations: a single-use, expiring link that sets the partner's password."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.models import Couple, Invitation
from kapcouples.models import User

NEW_PASSWORD = "a-long-enough-passphrase-91"


@pytest.fixture
def fresh_partner(cast):
    """Partner A as just enrolled: a login without a usable password."""
    user = cast.partner_a.user
    user.set_unusable_password()
    user.save()
    return cast.partner_a


def _token_from_email() -> str:
    return re.search(r"/invitations/accept/([^/\s]+)/", mail.outbox[-1].body).group(1)


def _send(client, partner):
    url = reverse("intake:invitation_send", kwargs={"partner_id": partner.pk})
    return client.post(url)


def test_front_desk_enrols_a_couple_with_two_logins(cast, client_for):
    response = client_for(cast.front_desk).post(
        reverse("intake:couple_enrol"),
        {
            "primary_clinician": cast.clinician.pk,
            "care_team": [cast.prescriber.pk],
            "p1_first_name": "Noa",
            "p1_last_name": "Lee",
            "p1_email": "noa@example.test",
            "p2_first_name": "Kai",
            "p2_last_name": "Lee",
            "p2_email": "kai@example.test",
        },
    )
    couple = Couple.objects.get(partners__email="noa@example.test")
    assert response.status_code == 302
    assert couple.clinic == cast.clinic and couple.partners.count() == 2
    assert not User.objects.get(email="kai@example.test").has_usable_password()


def test_enrolling_with_an_email_already_in_use_says_so_next_to_the_form(cast, client_for):
    response = client_for(cast.front_desk).post(
        reverse("intake:couple_enrol"),
        {
            "primary_clinician": cast.clinician.pk,
            "p1_first_name": "Noa",
            "p1_last_name": "Lee",
            "p1_email": cast.partner_a.email,
            "p2_first_name": "Kai",
            "p2_last_name": "Lee",
            "p2_email": "kai@example.test",
        },
    )
    assert response.status_code == 200
    assert "already has an account" in response.content.decode()
    assert not User.objects.filter(email="kai@example.test").exists()


def test_an_invitation_link_sets_the_password_and_opens_the_portal(
    fresh_partner, cast, client_for, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _send(client_for(cast.front_desk), fresh_partner)
    assert mail.outbox[-1].to == [fresh_partner.email]
    url = reverse("intake:invitation_accept", kwargs={"token": _token_from_email()})
    assert client.get(url).status_code == 200
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal")
    fresh_partner.user.refresh_from_db()
    assert fresh_partner.user.check_password(NEW_PASSWORD)


def test_a_used_link_is_refused_with_a_clear_page(fresh_partner, cast, client):
    _, token = services.invitation_send(partner=fresh_partner, sent_by=cast.front_desk)
    url = reverse("intake:invitation_accept", kwargs={"token": token})
    client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    response = client.post(url, {"password1": "other-passphrase-77x", "password2": "x"})
    assert response.status_code == 410
    page = response.content.decode()
    assert "already been used" in page and cast.front_desk.full_name in page


def test_an_expired_link_is_refused_and_names_whom_to_contact(fresh_partner, cast, client):
    _, token = services.invitation_send(partner=fresh_partner, sent_by=cast.front_desk)
    url = reverse("intake:invitation_accept", kwargs={"token": token})
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1)):
        response = client.get(url)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert cast.clinic.name in response.content.decode()
    fresh_partner.user.refresh_from_db()
    assert not fresh_partner.user.has_usable_password()


def test_a_link_still_works_on_its_last_day(fresh_partner, cast, client):
    _, token = services.invitation_send(partner=fresh_partner, sent_by=cast.front_desk)
    url = reverse("intake:invitation_accept", kwargs={"token": token})
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6, hours=23)):
        assert client.get(url).status_code == 200


def test_resending_revokes_the_earlier_link(fresh_partner, cast, client):
    _, first = services.invitation_send(partner=fresh_partner, sent_by=cast.front_desk)
    services.invitation_send(partner=fresh_partner, sent_by=cast.front_desk)
    response = client.get(reverse("intake:invitation_accept", kwargs={"token": first}))
    assert response.status_code == 410 and "replaced or withdrawn" in response.content.decode()


def test_a_revoked_link_is_refused(fresh_partner, cast, client, client_for):
    invitation, token = services.invitation_send(partner=fresh_partner, sent_by=cast.front_desk)
    client_for(cast.front_desk).post(
        reverse("intake:invitation_revoke", kwargs={"invitation_id": invitation.pk})
    )
    assert (
        client.get(reverse("intake:invitation_accept", kwargs={"token": token})).status_code == 410
    )


def test_an_unknown_link_is_refused(db, client):
    response = client.get(reverse("intake:invitation_accept", kwargs={"token": "made-up"}))
    assert response.status_code == 410 and "not valid" in response.content.decode()


def test_a_weak_password_is_refused_next_to_the_field(fresh_partner, cast, client):
    _, token = services.invitation_send(partner=fresh_partner, sent_by=cast.front_desk)
    url = reverse("intake:invitation_accept", kwargs={"token": token})
    response = client.post(url, {"password1": "short", "password2": "short"})
    assert response.status_code == 200 and "too short" in response.content.decode()
    assert Invitation.objects.get(partner=fresh_partner).used_at is None


def test_only_the_hash_of_the_token_is_stored(fresh_partner, cast):
    invitation, token = services.invitation_send(partner=fresh_partner, sent_by=cast.front_desk)
    assert token not in invitation.token_hash


@pytest.mark.parametrize("sender", ["other_clinic_clinician", "partner_b", "clinic_admin"])
def test_outsiders_cannot_send_an_invitation(sender, fresh_partner, cast, client_for):
    response = _send(client_for(cast.user(sender)), fresh_partner)
    assert response.status_code in (403, 404)
    assert not Invitation.objects.exists()
