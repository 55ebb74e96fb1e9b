"""The at-home pages: who may open them, the partner's flow, the chaperone's link, the care
team's record, and the portal's next step."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from athome.models import ChaperoneCheck
from integration.models import Alert
from kapcouples.models import AccessLog
from portal.next_step import home_session_step
from portal.selectors import portal_snapshot
from sessions.models import MedicineSession
from tests.athome.helpers import dosed_at_home, home_session, present, reading, texts_on


def _page(session):
    return reverse("athome:home_session", kwargs={"session_id": session.pk})


def test_the_dosing_partner_and_the_chaperone_partner_open_the_page(cast, client_for):
    session, _ = home_session(cast)
    assert client_for(cast.partner_a.user).get(_page(session)).status_code == 200
    assert client_for(cast.partner_b.user).get(_page(session)).status_code == 200


def test_another_couples_partner_gets_a_logged_404(cast, client_for):
    session, _ = home_session(cast)
    user = cast.other_partner.user
    response = client_for(user).get(_page(session))
    assert response.status_code == 404
    assert AccessLog.objects.filter(action=AccessLog.Action.DENIED, user=user).exists()


def test_the_chaperone_partner_never_sees_the_readings(cast, client_for):
    session, _ = home_session(cast)
    reading(cast, session, 131, 83)
    text = client_for(cast.partner_b.user).get(_page(session)).content.decode()
    assert "131/83" not in text
    assert "131/83" in client_for(cast.partner_a.user).get(_page(session)).content.decode()


def test_a_hold_reading_tells_the_partner_not_to_take_the_medicine(cast, client_for):
    session, _ = home_session(cast)
    client = client_for(cast.partner_a.user)
    post = {
        "reading-systolic": "170",
        "reading-diastolic": "95",
        "reading-heart_rate": "80",
        "reading-spo2": "97",
    }
    response = client.post(
        reverse("athome:home_reading", kwargs={"session_id": session.pk}), post, follow=True
    )
    assert "Do not take the medicine." in response.content.decode()
    assert Alert.objects.filter(kind=Alert.Kind.HOME_HOLD).exists()


def test_a_bad_reading_is_shown_next_to_its_field_and_kept(cast, client_for):
    session, _ = home_session(cast)
    post = {
        "reading-systolic": "80",
        "reading-diastolic": "120",
        "reading-heart_rate": "70",
        "reading-spo2": "98",
    }
    response = client_for(cast.partner_a.user).post(
        reverse("athome:home_reading", kwargs={"session_id": session.pk}), post
    )
    assert response.status_code == 400
    assert "The lower number must be below the upper one" in response.content.decode()
    assert 'value="120"' in response.content.decode()


def test_the_chaperone_partner_confirms_presence_on_the_page(cast, client_for):
    session, _ = home_session(cast)
    client_for(cast.partner_b.user).post(
        reverse("athome:home_check", kwargs={"session_id": session.pk}),
        {"check-kind": "presence", "check-present": "on"},
    )
    presence = session.chaperone_checks.get(kind=ChaperoneCheck.Kind.PRESENCE)
    assert presence.reported_by_user == cast.partner_b.user


def test_a_named_adults_link_opens_in_one_browser_only(cast):
    session, token = home_session(cast, chaperone="adult")
    url = reverse("athome:chaperone_link", kwargs={"token": token})
    first = Client()
    response = first.get(url)
    assert response.status_code == 200
    assert "Jordan Rivers" in response.content.decode()
    assert first.get(url).status_code == 200  # the same browser again
    assert Client().get(url).status_code == 404  # another browser
    first.post(url, {"check-kind": "presence", "check-present": "on"})
    assert session.chaperone_checks.get(kind="presence").reported_by_chaperone is not None


def test_an_unknown_link_answers_404(cast, client):
    assert client.get(reverse("athome:chaperone_link", kwargs={"token": "nope"})).status_code == 404


def test_the_care_team_sees_who_reported_what(cast, client_for):
    session, _ = dosed_at_home(cast)
    response = client_for(cast.clinician).get(
        reverse("athome:team_view", kwargs={"session_id": session.pk})
    )
    text = response.content.decode()
    assert "Self-measured by Alexa (self-reported)" in text
    assert "Taken by Alexa (self-reported)" in text
    assert "(chaperone, signed in)" in text


def test_the_care_team_page_is_refused_to_another_clinics_clinician(cast, client_for):
    session, _ = home_session(cast)
    url = reverse("athome:team_view", kwargs={"session_id": session.pk})
    assert client_for(cast.other_clinic_clinician).get(url).status_code in (403, 404)
    assert client_for(cast.clinician_outside).get(url).status_code == 403


def test_the_care_team_names_an_adult_whose_link_goes_out_unseen(cast, client_for):
    session, _ = home_session(cast)
    texts_on(cast)
    url = reverse("athome:chaperone_setup", kwargs={"session_id": session.pk})
    post = {"partner": "", "name": "Sam Okafor", "phone": "+1 555 222 3333", "email": ""}
    response = client_for(cast.clinician).post(url, post, follow=True)
    text = response.content.decode()
    assert response.status_code == 200
    assert not re.search(r"/chaperone/[\w-]{20,}/", text)  # no link on the page
    assert "Link queued to go by text to +1 555 222 3333" in text
    session.refresh_from_db()
    assert session.home_chaperone.name == "Sam Okafor"


def test_the_care_team_page_lists_in_a_bounded_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    session, given = dosed_at_home(cast)
    client = client_for(cast.clinician)
    url = reverse("athome:team_view", kwargs={"session_id": session.pk})
    client.get(url)
    for minute in (3, 5, 7):
        reading(cast, session, at=given + timezone.timedelta(minutes=minute))
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200


def test_the_portal_offers_the_at_home_session_to_both_partners(cast):
    session, _ = home_session(cast)
    now = timezone.now()
    step = home_session_step(portal_snapshot(cast.partner_a, now=now))
    assert step is not None and step.link == _page(session)
    chaperone_step = home_session_step(portal_snapshot(cast.partner_b, now=now))
    assert chaperone_step.title.startswith("You are the chaperone")


@pytest.mark.parametrize("status", [MedicineSession.Status.COMPLETED])
def test_the_portal_no_longer_offers_an_ended_session(cast, status):
    session, _ = home_session(cast)
    present(cast, session)
    MedicineSession.objects.filter(pk=session.pk).update(status=status)
    assert home_session_step(portal_snapshot(cast.partner_a, now=timezone.now())) is None
