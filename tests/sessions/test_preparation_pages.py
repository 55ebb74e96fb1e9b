"""The preparation pages: both partners and the care team open them, nobody else; forms keep
what was typed on an error; the session record shows the partner's confirmation."""

import pytest
from django.urls import reverse

from intake import services as intake
from kapcouples.models import AccessLog
from sessions.models import Approach
from sessions.preparation import services
from sessions.preparation.models import ChecklistTick, CoupleAgendaItem, RideHomeConfirmation
from tests.sessions.factories import make_plan
from tests.sessions.preparation_helpers import ESCORT, checklist, upcoming_session


def _couple_page(cast) -> str:
    return reverse("clinic_sessions:preparation", kwargs={"couple_id": cast.couple.pk})


def _session_page(session) -> str:
    return reverse("clinic_sessions:preparation_session", kwargs={"session_id": session.pk})


def _ride_url(session) -> str:
    return reverse("clinic_sessions:ride_home_confirm", kwargs={"session_id": session.pk})


def _ride_post(**changes) -> dict:
    values = {"will_not_drive": "on", **ESCORT, **changes}
    return {f"ride-{name}": value for name, value in values.items()}


@pytest.mark.parametrize("viewer", ["partner_a", "partner_b", "clinician", "prescriber"])
def test_both_partners_and_the_care_team_open_the_pages(viewer, cast, client_for):
    session = upcoming_session(cast, Approach.EXTENDED)
    client = client_for(cast.user(viewer))
    expected = {
        _couple_page(cast): "We begin with gratitude.",  # the approved plan's reflection
        _session_page(session): checklist(cast)[0],
    }
    for url, text in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode()


@pytest.mark.parametrize(
    "viewer,status",
    [
        ("other_partner", 404),
        ("other_clinic_clinician", 404),
        ("clinician_outside", 403),
        ("front_desk", 403),
        ("clinic_admin", 403),
    ],
)
def test_everyone_else_is_refused_and_the_refusal_logged(viewer, status, cast, client_for):
    session = upcoming_session(cast)
    user = cast.user(viewer)
    client = client_for(user)
    for url in (_couple_page(cast), _session_page(session)):
        before = AccessLog.objects.filter(user=user, action=AccessLog.Action.DENIED).count()
        assert client.get(url).status_code == status
        after = AccessLog.objects.filter(user=user, action=AccessLog.Action.DENIED).count()
        assert after == before + 1


def test_the_other_couples_partner_cannot_tick_confirm_or_add(cast, client_for):
    session = upcoming_session(cast, Approach.EXTENDED)
    client = client_for(cast.other_partner.user)
    tick = reverse("clinic_sessions:checklist_save", kwargs={"session_id": session.pk})
    agenda = reverse("clinic_sessions:agenda_item_add", kwargs={"couple_id": cast.couple.pk})
    assert client.post(tick, {"checklist-done": checklist(cast)[0]}).status_code == 404
    assert client.post(_ride_url(session), _ride_post()).status_code == 404
    assert client.post(agenda, {"agenda-text": "Sneaky"}).status_code == 404
    assert not ChecklistTick.objects.exists()
    assert not RideHomeConfirmation.objects.exists()
    assert not CoupleAgendaItem.objects.exists()


def test_the_care_team_reads_but_gets_no_forms_and_cannot_post(cast, client_for):
    session = upcoming_session(cast)
    client = client_for(cast.clinician)
    page = client.get(_session_page(session)).content.decode()
    assert "Save the checklist" not in page and "Confirm my ride home" not in page
    assert client.post(_ride_url(session), _ride_post()).status_code == 403
    assert not RideHomeConfirmation.objects.exists()


def test_a_partner_ticks_the_checklist_and_goes_onward(cast, client_for):
    session = upcoming_session(cast)
    first = checklist(cast)[0]
    client = client_for(cast.partner_a.user)
    url = reverse("clinic_sessions:checklist_save", kwargs={"session_id": session.pk})
    response = client.post(url, {"checklist-done": [first]})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:next") + "?done=preparation"
    page = client_for(cast.partner_b.user).get(_session_page(session)).content.decode()
    assert f"ticked by {cast.partner_a.first_name}" in page


def test_a_refused_ride_home_shows_the_error_by_the_field_and_keeps_what_was_typed(
    cast, client_for
):
    session = upcoming_session(cast)
    client = client_for(cast.partner_a.user)
    response = client.post(_ride_url(session), _ride_post(escort_phone="12"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "at least 7 digits" in page
    assert 'value="Robin Okoro"' in page and 'value="friend"' in page
    assert not RideHomeConfirmation.objects.exists()


def test_a_partner_confirms_the_ride_home(cast, client_for):
    session = upcoming_session(cast)
    response = client_for(cast.partner_a.user).post(_ride_url(session), _ride_post())
    assert response.status_code == 302
    confirmation = RideHomeConfirmation.objects.get(medicine_session=session)
    assert confirmation.partner == cast.partner_a and confirmation.escort_name == "Robin Okoro"


def test_a_partner_adds_and_withdraws_an_agenda_item_on_the_page(cast, client_for):
    make_plan(cast, Approach.EXTENDED)
    client = client_for(cast.partner_a.user)
    add = reverse("clinic_sessions:agenda_item_add", kwargs={"couple_id": cast.couple.pk})
    assert client.post(add, {"agenda-text": "How we share chores"}).status_code == 302
    item = CoupleAgendaItem.objects.get()
    page = client_for(cast.partner_b.user).get(_couple_page(cast)).content.decode()
    assert "How we share chores" in page and "Withdraw" not in page
    withdraw = reverse("clinic_sessions:agenda_item_withdraw", kwargs={"agenda_item_id": item.pk})
    assert client_for(cast.partner_b.user).post(withdraw).status_code == 302
    item.refresh_from_db()
    assert item.withdrawn_at is None  # B did not add it
    assert client.post(withdraw).status_code == 302
    item.refresh_from_db()
    assert item.withdrawn_at is not None


def test_the_couple_page_shows_the_approved_agenda_and_never_a_draft(cast, client_for):
    make_plan(cast, Approach.EXTENDED, discussion_questions="What do I need from you?")
    make_plan(cast, Approach.EXTENDED, approved=False, discussion_questions="CLINICIAN DRAFT")
    page = client_for(cast.partner_a.user).get(_couple_page(cast)).content.decode()
    assert "What do I need from you?" in page
    assert "CLINICIAN DRAFT" not in page


@pytest.mark.parametrize(
    "approach,expected",
    [
        (Approach.SOLO, "The sitter"),
        (Approach.DUAL_FULL, "turn inward"),
        (Approach.DUAL_HALF, "stay in conversation"),
        (Approach.EXTENDED, "a quarter of each"),
    ],
)
def test_the_guide_matches_the_plans_approach(approach, expected, cast, client_for):
    make_plan(cast, approach)
    page = client_for(cast.partner_b.user).get(_couple_page(cast)).content.decode()
    assert expected in page
    assert "“I” statements" in page


def test_the_portal_links_to_the_preparation_page(cast, client_for):
    page = client_for(cast.partner_a.user).get(reverse("portal")).content.decode()
    assert _couple_page(cast) in page


# --- The session record -----------------------------------------------------------------------
def test_the_session_record_shows_each_dosing_partners_confirmation(cast, client_for):
    session = upcoming_session(cast)
    services.ride_home_confirm(
        session=session, by=cast.partner_a.user, will_not_drive=True, **ESCORT
    )
    url = reverse("clinic_sessions:session_record", kwargs={"session_id": session.pk})
    page = client_for(cast.clinician).get(url).content.decode()
    confirmations = page.split('data-testid="ride-home-confirmations"')[1].split("</ul>")[0]
    assert "Robin Okoro (friend), +1 415 555 0101" in confirmations
    assert f"{cast.partner_b.first_name}: <span" in confirmations
    assert "not confirmed" in confirmations


# --- Privacy: nothing partner-private reaches the other partner ---------------------------------
MARKER = "PRIVATE-PREP-MARKER-9021"


def test_the_other_partner_never_sees_partner_private_data_or_the_ride_details(cast, client_for):
    session = upcoming_session(cast, Approach.EXTENDED)
    intake.partner_update_contact(
        partner=cast.partner_a, by=cast.partner_a.user, changes={"emergency_contact_name": MARKER}
    )
    services.ride_home_confirm(
        session=session,
        by=cast.partner_a.user,
        will_not_drive=True,
        escort_name=f"Robin {MARKER}",
        escort_phone="+1 415 555 0199",
        escort_relationship="friend",
    )
    services.checklist_save(
        session=session, tick={checklist(cast)[0]}, untick=set(), by=cast.partner_a.user
    )
    client = client_for(cast.partner_b.user)
    for url in (_couple_page(cast), _session_page(session), reverse("portal")):
        page = client.get(url).content.decode()
        assert MARKER not in page, url
        assert "555 0199" not in page, url
    # B sees that A confirmed, and who ticked what: couple-shared.
    page = client.get(_session_page(session)).content.decode()
    assert "Confirmed" in page and f"ticked by {cast.partner_a.first_name}" in page
    # The partner themselves and the care team see the details.
    for viewer in (cast.partner_a.user, cast.clinician):
        assert "555 0199" in client_for(viewer).get(_session_page(session)).content.decode()


def test_the_care_teams_read_of_the_ride_home_details_is_logged(cast, client_for):
    session = upcoming_session(cast)
    client_for(cast.clinician).get(_session_page(session))
    client_for(cast.partner_a.user).get(_session_page(session))
    reads = AccessLog.objects.filter(action=AccessLog.Action.READ, path=_session_page(session))
    assert list(reads.values_list("user", flat=True)) == [cast.clinician.pk]
