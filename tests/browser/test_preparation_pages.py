"""Preparing together on a phone: a partner ticks the setting checklist and confirms the ride
home, with a refused phone number first (the error by the field, nothing typed lost)."""

import pytest

from intake.models import Partner
from sessions.preparation.models import ChecklistTick, RideHomeConfirmation
from tests.browser.conftest import assert_no_sideways_scroll, signed_in_page

pytestmark = pytest.mark.browser


def _shot(page, screenshots_dir, name: str) -> None:
    assert_no_sideways_scroll(page, name)
    page.screenshot(path=screenshots_dir / f"preparation-{name}-phone.png", full_page=True)


def test_a_partner_on_a_phone_ticks_the_checklist_and_confirms_the_ride_home(
    demo_site, browser, screenshots_dir
):
    jamie = Partner.objects.get(email="jamie.brooks@demo.kap")
    context, page = signed_in_page(browser, demo_site, jamie.email, "phone")
    page.get_by_role("link", name="Preparing together: agenda, checklist and ride home").click()
    page.wait_for_load_state()
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
    assert "Your checklist is saved." in page.content()
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
    assert "your ride home is confirmed" in page.content()

    page.get_by_role("link", name="Checklist and ride home").first.click()
    page.wait_for_load_state()
    _shot(page, screenshots_dir, "session-after")
    page.set_viewport_size({"width": 320, "height": 700})
    assert_no_sideways_scroll(page, "session preparation at 320 px")
    context.close()

    session = RideHomeConfirmation.objects.get(partner=jamie).medicine_session
    assert ChecklistTick.objects.filter(medicine_session=session, done=True).count() == 4
