"""Screening pages: a partner's private answers reach only that partner and the care team."""

import pytest
from django.urls import reverse

from intake import services
from kapcouples.models import AccessLog
from tests.intake.factories import (
    IntakeFormFactory,
    PrescriptionFactory,
    ReviewFactory,
    complete_answers,
)

MARKER = "SCREENING-MARKER-9931"


@pytest.fixture
def planted(cast):
    """Partner A's intake, questionnaire, review and prescription all carry the marker."""
    answers = complete_answers()
    answers["goals"]["goals"] = MARKER
    intake = IntakeFormFactory(partner=cast.partner_a, submitted=True, answers=answers)
    response = services.questionnaire_submit(
        partner=cast.partner_a, user=cast.partner_a.user, code="GAD-7", answers=[1] * 7
    )
    review = ReviewFactory(
        partner=cast.partner_a, intake=intake, reviewer=cast.prescriber, reason=MARKER
    )
    PrescriptionFactory(partner=cast.partner_a, prescriber=cast.prescriber, instructions=MARKER)
    services.intentions_update(
        couple=cast.couple,
        user=cast.partner_b.user,
        intentions="Shared words",
        themes="",
        base_revision=0,
    )
    return {"intake": intake, "response": response, "review": review}


def private_urls(cast, planted) -> list[str]:
    partner = {"partner_id": cast.partner_a.pk}
    return [
        reverse("intake:intake_overview", kwargs=partner),
        reverse("intake:intake_version", kwargs={"intake_id": planted["intake"].pk}),
        reverse("intake:partner_screening", kwargs=partner),
        reverse("intake:questionnaire_detail", kwargs={"response_id": planted["response"].pk}),
    ]


@pytest.mark.parametrize("viewer", ["partner_a", "clinician", "prescriber"])
def test_the_partner_and_the_care_team_see_the_private_screening(viewer, cast, planted, client_for):
    client = client_for(cast.user(viewer))
    for url in private_urls(cast, planted)[:2]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER in response.content.decode()
    assert client.get(private_urls(cast, planted)[3]).status_code == 200


@pytest.mark.parametrize(
    "viewer",
    ["partner_b", "other_partner", "front_desk", "clinician_outside", "other_clinic_clinician"],
)
def test_everyone_else_is_refused_every_private_page_and_never_sees_the_marker(
    viewer, cast, planted, client_for
):
    client = client_for(cast.user(viewer))
    for url in private_urls(cast, planted):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert MARKER not in response.content.decode()
    assert AccessLog.objects.filter(user=cast.user(viewer), action="denied").count() == 4


@pytest.mark.parametrize("viewer", ["partner_b", "front_desk", "other_partner"])
def test_the_marker_appears_on_no_page_the_others_may_open(viewer, cast, planted, client_for):
    client = client_for(cast.user(viewer))
    pages = [reverse("home"), reverse("intake:couple_detail", kwargs={"couple_id": cast.couple.pk})]
    if viewer == "partner_b":
        pages += [
            reverse("portal"),
            reverse("portal:next") + "?done=intake",
            reverse("portal:profile"),
            reverse("intake:intentions_edit", kwargs={"couple_id": cast.couple.pk}),
            reverse("intake:partner_screening", kwargs={"partner_id": cast.partner_b.pk}),
        ]
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 403, 404)
        assert MARKER not in response.content.decode(), url


def test_reviews_are_for_the_care_team_only(cast, planted, client_for):
    url = reverse("intake:review_detail", kwargs={"review_id": planted["review"].pk})
    assert client_for(cast.clinician).get(url).status_code == 200
    for viewer in ("partner_a", "partner_b", "front_desk", "clinician_outside"):
        response = client_for(cast.user(viewer)).get(url)
        assert response.status_code in (403, 404)
        assert MARKER not in response.content.decode()


def test_front_desk_sees_statuses_but_no_content_on_the_couple_page(cast, planted, client_for):
    url = reverse("intake:couple_detail", kwargs={"couple_id": cast.couple.pk})
    page = client_for(cast.front_desk).get(url).content.decode()
    assert "submitted" in page and "1 of 5 done" in page and "cleared" in page
    assert MARKER not in page and "GAD-7" not in page and "mild" not in page


def test_both_partners_see_the_shared_intentions(cast, planted, client_for):
    url = reverse("intake:intentions_edit", kwargs={"couple_id": cast.couple.pk})
    for viewer in ("partner_a", "partner_b", "clinician"):
        assert "Shared words" in client_for(cast.user(viewer)).get(url).content.decode()
    for viewer in ("other_partner", "front_desk"):
        response = client_for(cast.user(viewer)).get(url)
        assert response.status_code in (403, 404)
        assert "Shared words" not in response.content.decode()
