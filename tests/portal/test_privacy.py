"""The portal's pages show a partner their own private rows and the couple's shared ones,
never the other partner's: a marker planted in partner A's private data is absent from
every portal page partner B (and anyone else) can open."""

import pytest
from django.urls import reverse

from intake import services as intake_services
from intake.forms import INTAKE_STEPS
from integration import followups
from portal.done import DONE, next_url
from sessions.models import Appointment
from tests.intake.factories import complete_answers
from tests.portal import helpers

MARKER = "PORTAL-MARKER-6183"


@pytest.fixture
def planted(cast):
    """Partner A's intake (ride home, emergency contact), a private check-in answer, a
    questionnaire reason, all carrying the marker; a medicine session is two days away."""
    answers = complete_answers()
    answers["transport"]["driver_name"] = MARKER
    answers["emergency"]["emergency_contact_name"] = MARKER
    for step in INTAKE_STEPS:
        intake_services.intake_save_step(
            partner=cast.partner_a, by=cast.partner_a.user, step=step, answers=answers[step]
        )
    intake_services.intake_submit(
        partner=cast.partner_a, by=cast.partner_a.user, required_steps=list(INTAKE_STEPS)
    )
    helpers.submit_intake(cast.partner_b)
    checkin = helpers.open_checkin(cast, cast.partner_a)
    followups.checkin_answer(checkin=checkin, by=cast.partner_a.user, values={"came_up": MARKER})
    due = helpers.scheduled_questionnaire(cast.partner_a, "CSI-4")
    due.reason = MARKER
    due.save()
    helpers.upcoming(cast, Appointment.Kind.MEDICINE, days=2)
    return cast


def portal_pages() -> list[str]:
    return [
        reverse("portal"),
        reverse("portal:profile"),
        reverse("portal:history"),
        *(next_url(key) for key in DONE),
    ]


def test_partner_a_sees_their_own_private_data_on_their_portal(planted, client_for):
    client = client_for(planted.partner_a.user)
    home = client.get(reverse("portal")).content.decode()
    assert MARKER in home  # their ride home on the card, their questionnaire
    assert MARKER in client.get(reverse("portal:history")).content.decode()  # their check-in
    assert MARKER in client.get(reverse("portal:profile")).content.decode()


@pytest.mark.parametrize("viewer", ["partner_b", "other_partner"])
def test_no_portal_page_of_another_partner_shows_the_marker(viewer, planted, client_for):
    client = client_for(planted.user(viewer))
    for url in portal_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER not in response.content.decode(), url


def test_partner_b_sees_the_shared_session_with_their_own_ride_home(planted, client_for):
    helpers.answer_screening(planted.partner_b)  # nothing left for B to do before it
    home = client_for(planted.partner_b.user).get(reverse("portal")).content.decode()
    assert "Medicine session" in home and "Pat Example takes you home" in home


@pytest.mark.parametrize(
    "viewer,status",
    [("front_desk", 403), ("clinician", 403), ("clinic_admin", 403), ("prescriber", 403)],
)
def test_staff_are_refused_the_portal_pages_and_the_refusal_is_logged(
    viewer, status, planted, client_for
):
    client = client_for(planted.user(viewer))
    for url in portal_pages()[:3]:
        response = client.get(url)
        assert response.status_code == status
        assert MARKER not in response.content.decode()
