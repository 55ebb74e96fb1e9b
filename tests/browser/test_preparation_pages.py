"""Preparing together on a phone: a partner ticks the setting checklist and confirms the ride
home, with a refused phone number first (the error by the field, nothing typed lost)."""

import pytest

from intake.models import Partner
from sessions.models import Approach, MedicineSession, TreatmentPlan
from sessions.preparation import services
from sessions.preparation.models import ChecklistTick, CoupleAgendaItem, RideHomeConfirmation
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import assert_no_sideways_scroll, signed_in_page

pytestmark = pytest.mark.browser


def _shot(page, screenshots_dir, name: str) -> None:
    check_on_phones(page, name)
    page.screenshot(path=screenshots_dir / f"preparation-{name}-phone.png", full_page=True)


def test_a_partner_on_a_phone_ticks_the_checklist_and_confirms_the_ride_home(
    demo_site, browser, screenshots_dir
):
    jamie = Partner.objects.get(email="jamie.brooks@demo.kap")
    context, page = signed_in_page(browser, demo_site, jamie.email, "phone")
    page.get_by_role("link", name="Preparing together", exact=True).click()
    page.wait_for_load_state()
    preparation = page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Preparing together"
    assert "Setting checklist: 2 of 4 ready" in page.content()  # the demo's half preparation
    _shot(page, screenshots_dir, "couple")

    page.get_by_role("link", name="Checklist and ride home").first.click()
    page.wait_for_load_state()
    assert "ticked by Quinn" in page.content()
    _shot(page, screenshots_dir, "session-before")
    page.get_by_label("Headphones").check()  # already ticked by Quinn: stays ticked
    page.get_by_label("Music playlist ready").check()
    page.get_by_label("Blanket and pillow").check()
    page.get_by_role("button", name="Save the checklist").click()
    page.wait_for_load_state()
    assert "Your preparation is saved." in page.content()  # what happens next
    page.goto(preparation)
    assert "Setting checklist: 4 of 4 ready" in page.content()

    page.get_by_role("link", name="Checklist and ride home").first.click()
    page.wait_for_load_state()
    page.get_by_label("I will not drive today").check()
    page.get_by_label("Full name of the person taking you home").fill("Robin Okoro")
    page.get_by_label("Their phone number").fill("555")
    page.get_by_label("How they are related to you").fill("friend")
    page.get_by_role("button", name="Confirm my ride home").click()
    page.wait_for_load_state()
    assert "at least 7 digits" in page.content()
    assert page.get_by_label("Full name of the person taking you home").input_value() == (
        "Robin Okoro"
    )
    _shot(page, screenshots_dir, "ride-error")
    page.get_by_label("Their phone number").fill("+1 415 555 0101")
    page.get_by_role("button", name="Confirm my ride home").click()
    page.wait_for_load_state()
    assert "Your ride home is confirmed." in page.content()  # what happens next

    page.goto(preparation)
    page.get_by_role("link", name="Checklist and ride home").first.click()
    page.wait_for_load_state()
    _shot(page, screenshots_dir, "session-after")
    page.set_viewport_size({"width": 320, "height": 700})
    assert_no_sideways_scroll(page, "session preparation at 320 px")
    context.close()

    session = RideHomeConfirmation.objects.get(partner=jamie).medicine_session
    assert ChecklistTick.objects.filter(medicine_session=session, done=True).count() == 4


def test_a_partner_on_a_phone_adds_and_withdraws_an_agenda_item(
    demo_site, browser, screenshots_dir
):
    alex = Partner.objects.get(email="alex@demo.kap")
    # The demo's Rivera plan is dual half dose; make it an approved extended discussion.
    TreatmentPlan.objects.filter(couple=alex.couple).update(
        approach=Approach.EXTENDED,
        discussion_topics="What we avoid saying; how we ask for help.",
        discussion_questions="What do I want my partner to understand about me?",
        opening_reflection="A moment of gratitude for one thing the other did.",
    )
    context, page = signed_in_page(browser, demo_site, alex.email, "phone")
    page.goto(f"{demo_site}/couples/{alex.couple_id}/preparation/")
    page.get_by_role("button", name="Add to our agenda").click()
    page.wait_for_load_state()
    assert "Write the topic you would like to talk about." in page.content()
    page.get_by_label("A topic we would like to talk about").fill("How we share the chores")
    page.get_by_role("button", name="Add to our agenda").click()
    page.wait_for_load_state()
    assert "added by Alex" in page.get_by_test_id("our-agenda").inner_text()
    _shot(page, screenshots_dir, "agenda")
    page.get_by_role("button", name="Withdraw").click()
    page.wait_for_load_state()
    assert "withdrawn" in page.get_by_test_id("our-agenda").inner_text()
    page.set_viewport_size({"width": 320, "height": 700})
    assert_no_sideways_scroll(page, "couple preparation at 320 px")
    context.close()
    assert CoupleAgendaItem.objects.get(couple=alex.couple).withdrawn_at is not None


def test_the_care_team_sees_the_confirmation_on_the_session_record(
    demo_site, browser, screenshots_dir
):
    jamie = Partner.objects.get(email="jamie.brooks@demo.kap")
    session = MedicineSession.objects.get(couple=jamie.couple, status="planned")
    services.ride_home_confirm(
        session=session,
        by=jamie.user,
        will_not_drive=True,
        escort_name="Robin Okoro",
        escort_phone="+1 415 555 0101",
        escort_relationship="friend",
    )
    context, page = signed_in_page(browser, demo_site, "prescriber@demo.kap", "phone")
    page.goto(f"{demo_site}/medicine-sessions/{session.pk}/")
    confirmations = page.get_by_test_id("ride-home-confirmations").inner_text()
    assert "Jamie: confirmed" in confirmations and "Quinn: not confirmed" in confirmations
    page.get_by_test_id("ride-home-confirmations").scroll_into_view_if_needed()
    assert_no_sideways_scroll(page, "session record")
    page.screenshot(path=screenshots_dir / "preparation-record-phone.png")
    context.close()
