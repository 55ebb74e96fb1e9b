"""The reflection's pages: who opens them, what each reader sees, and the privacy canary."""

import pytest
from django.urls import reverse

from integration import reflection
from integration.models import ReflectionEntry, SharedReflection
from kapcouples.models import AccessLog
from tests.integration.helpers import completed_medicine_session

MARKER = "REFLECTION-MARKER-9123"


@pytest.fixture
def planted(cast):
    """Partner A's part of the couple's reflection carries a marker."""
    session = completed_medicine_session(cast, days_ago=2)
    shared = SharedReflection.objects.create(couple=cast.couple, medicine_session=session)
    reflection.reflection_entry_save(
        reflection=shared, by=cast.partner_a.user, values={"noticed": MARKER}
    )
    cast.reflection = shared
    return cast


def page_of(shared) -> str:
    return reverse("integration:reflection_detail", args=[shared.pk])


def share(cast, by="partner_a", share=True):
    reflection.reflection_sharing_set(reflection=cast.reflection, by=cast.user(by), share=share)


def test_the_other_partner_reads_the_part_attributed_to_its_writer(planted, client_for):
    response = client_for(planted.partner_b.user).get(page_of(planted.reflection))
    page = response.content.decode()
    assert response.status_code == 200
    assert MARKER in page and "Alexa’s part" in page
    assert "Write your part" in page


def test_a_partner_saves_their_part_and_is_sent_onward(planted, client_for):
    client = client_for(planted.partner_b.user)
    data = {"noticed": "", "agreement": "Walk on Sundays", "practise": ""}
    response = client.post(page_of(planted.reflection), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:next") + "?done=reflection"
    entry = ReflectionEntry.objects.get(partner=planted.partner_b)
    assert entry.agreement == "Walk on Sundays"


def test_bad_input_is_named_next_to_the_field_and_the_typing_is_kept(planted, client_for):
    client = client_for(planted.partner_b.user)
    data = {"noticed": "Kept words", "agreement": "x" * 3001, "practise": ""}
    response = client.post(page_of(planted.reflection), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Keep this to 3000 characters (it has 3001)" in page
    assert "Kept words" in page
    assert not ReflectionEntry.objects.filter(partner=planted.partner_b).exists()


def test_an_empty_part_is_refused_with_a_clear_message(planted, client_for):
    client = client_for(planted.partner_b.user)
    response = client.post(page_of(planted.reflection), {"noticed": " ", "agreement": ""})
    assert "Write something for at least one of the prompts" in response.content.decode()


def test_the_care_team_sees_only_that_it_exists_until_the_couple_shares_it(planted, client_for):
    client = client_for(planted.clinician)
    page = client.get(page_of(planted.reflection)).content.decode()
    assert MARKER not in page and "have not shared it with the care team" in page
    share(planted, by="partner_b")
    page = client.get(page_of(planted.reflection)).content.decode()
    assert MARKER in page and "Shared with the care team by" in page
    share(planted, by="partner_a", share=False)
    assert MARKER not in client.get(page_of(planted.reflection)).content.decode()


def test_the_care_team_cannot_post_into_it(planted, client_for):
    share(planted)
    response = client_for(planted.clinician).post(page_of(planted.reflection), {"noticed": "x"})
    assert response.status_code == 403
    assert not ReflectionEntry.objects.filter(noticed="x").exists()


@pytest.mark.parametrize(
    "viewer,status",
    [
        ("other_partner", 404),
        ("clinician_outside", 404),
        ("other_clinic_clinician", 404),
        ("front_desk", 403),
        ("clinic_admin", 403),
    ],
)
def test_everyone_else_is_refused_and_the_refusal_is_logged(viewer, status, planted, client_for):
    share(planted)
    user = planted.user(viewer)
    response = client_for(user).get(page_of(planted.reflection))
    assert response.status_code == status
    assert MARKER not in response.content.decode()
    assert AccessLog.objects.filter(user=user, action=AccessLog.Action.DENIED).exists()


def test_another_couple_cannot_share_or_withdraw_it(planted, client_for):
    url = reverse("integration:reflection_share", args=[planted.reflection.pk])
    response = client_for(planted.other_partner.user).post(url, {"share": "yes"})
    assert response.status_code == 404
    planted.reflection.refresh_from_db()
    assert not planted.reflection.shared_with_care_team


def test_a_partner_shares_and_the_other_withdraws_from_the_page(planted, client_for):
    url = reverse("integration:reflection_share", args=[planted.reflection.pk])
    client_for(planted.partner_b.user).post(url, {"share": "yes"})
    planted.reflection.refresh_from_db()
    assert planted.reflection.shared_with_care_team
    page = client_for(planted.partner_a.user).get(page_of(planted.reflection)).content.decode()
    assert "Shared with your care team by" in page
    client_for(planted.partner_a.user).post(url, {"share": "no"})
    planted.reflection.refresh_from_db()
    assert not planted.reflection.shared_with_care_team


def test_the_couple_page_shows_the_reflection_but_links_its_words_only_once_shared(
    planted, client_for
):
    couple_page = reverse("intake:couple_detail", args=[planted.couple.pk])
    client = client_for(planted.clinician)
    page = client.get(couple_page).content.decode()
    assert "Shared reflections" in page and "written by Alexa" in page
    assert "not shared" in page and page_of(planted.reflection) not in page
    share(planted)
    assert page_of(planted.reflection) in client.get(couple_page).content.decode()


def test_the_portal_invites_the_partner_who_has_not_written(planted, client_for):
    portal_b = client_for(planted.partner_b.user).get(reverse("portal")).content.decode()
    assert "Write your part" in portal_b and page_of(planted.reflection) in portal_b
    portal_a = client_for(planted.partner_a.user).get(reverse("portal")).content.decode()
    assert "Read your shared reflection" in portal_a


# --- The privacy canary -----------------------------------------------------------------------
def pages_anyone_may_try(cast) -> list[str]:
    couple = cast.couple.pk
    return [
        reverse("home"),
        reverse("portal"),
        reverse("desk_dashboard"),
        reverse("care_dashboard"),
        reverse("admin_dashboard"),
        reverse("integration:outbox"),
        reverse("integration:alerts_inbox"),
        reverse("intake:couple_detail", kwargs={"couple_id": couple}),
        reverse("workspace:chart", kwargs={"couple_id": couple}),
        page_of(cast.reflection),
    ]


@pytest.mark.parametrize(
    "viewer", ["other_partner", "front_desk", "clinic_admin", "clinician_outside"]
)
def test_the_marker_reaches_no_page_of_another_couple_or_the_front_desk(
    viewer, planted, client_for
):
    share(planted)  # shared with the care team: still nobody else's
    client = client_for(planted.user(viewer))
    for url in pages_anyone_may_try(planted):
        assert MARKER not in client.get(url, follow=True).content.decode(), url


@pytest.mark.parametrize("viewer", ["clinician", "prescriber"])
def test_the_marker_reaches_no_care_team_page_until_shared(viewer, planted, client_for):
    client = client_for(planted.user(viewer))
    for url in pages_anyone_may_try(planted):
        assert MARKER not in client.get(url, follow=True).content.decode(), url
    share(planted)
    assert MARKER in client.get(page_of(planted.reflection)).content.decode()
