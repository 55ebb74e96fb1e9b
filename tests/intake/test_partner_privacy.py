"""Partner-private pages: the partner and the care team see them; nobody else does."""

import pytest
from django.urls import reverse

from intake import services

MARKER = "PRIVATE-MARKER-4417"


@pytest.fixture
def planted(cast):
    """Partner A's private details carry a marker that must never reach anyone else."""
    services.partner_update_contact(
        partner=cast.partner_a, by=cast.partner_a.user, changes={"emergency_contact_name": MARKER}
    )
    return cast


def private_urls(partner) -> list[str]:
    return [
        reverse("intake:partner_detail", kwargs={"partner_id": partner.pk}),
        reverse("intake:partner_contact_edit", kwargs={"partner_id": partner.pk}),
    ]


@pytest.mark.parametrize("viewer", ["partner_a", "clinician", "prescriber"])
def test_the_partner_and_the_care_team_see_the_private_details(viewer, planted, client_for):
    client = client_for(planted.user(viewer))
    for url in private_urls(planted.partner_a):
        response = client.get(url)
        assert response.status_code == 200
        assert MARKER in response.content.decode()


@pytest.mark.parametrize(
    "viewer,status",
    [
        ("partner_b", 404),
        ("other_partner", 404),
        ("front_desk", 403),
        ("clinic_admin", 403),
        ("clinician_outside", 404),
        ("other_clinic_clinician", 404),
    ],
)
def test_everyone_else_is_refused(viewer, status, planted, client_for):
    client = client_for(planted.user(viewer))
    for url in private_urls(planted.partner_a):
        response = client.get(url)
        assert response.status_code == status
        assert MARKER not in response.content.decode()


@pytest.mark.parametrize(
    "viewer", ["partner_b", "other_partner", "front_desk", "clinic_admin", "clinician_outside"]
)
def test_the_marker_appears_in_no_page_the_others_can_open(viewer, planted, client_for):
    client = client_for(planted.user(viewer))
    pages = [
        reverse("home"),
        reverse("portal"),
        reverse("portal:next") + "?done=profile",
        reverse("portal:profile"),
        reverse("desk_dashboard"),
        reverse("care_dashboard"),
        reverse("admin_dashboard"),
        reverse("intake:couple_detail", kwargs={"couple_id": planted.couple.pk}),
    ]
    for url in pages:
        assert MARKER not in client.get(url, follow=True).content.decode()


def test_the_partner_sees_their_private_details_on_their_own_profile(planted, client_for):
    page = client_for(planted.partner_a.user).get(reverse("portal:profile")).content.decode()
    assert MARKER in page


def test_a_refused_edit_writes_nothing(planted, client_for):
    client = client_for(planted.partner_b.user)
    url = reverse("intake:partner_contact_edit", kwargs={"partner_id": planted.partner_a.pk})
    response = client.post(url, {"emergency_contact_name": "overwritten", "timezone": "UTC"})
    assert response.status_code == 404
    planted.partner_a.refresh_from_db()
    assert planted.partner_a.emergency_contact_name == MARKER


def test_front_desk_sees_the_couple_statuses_but_no_link_to_private_pages(planted, client_for):
    page = client_for(planted.front_desk).get(
        reverse("intake:couple_detail", kwargs={"couple_id": planted.couple.pk})
    )
    assert page.status_code == 200
    assert "Assessment" in page.content.decode()
    assert "Partner details" not in page.content.decode()


def test_a_couple_of_another_clinic_does_not_exist_for_a_clinician(planted, client_for):
    url = reverse("intake:couple_detail", kwargs={"couple_id": planted.couple.pk})
    assert client_for(planted.other_clinic_clinician).get(url).status_code == 404
