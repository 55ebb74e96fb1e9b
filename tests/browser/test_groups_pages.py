"""Group pages on a phone: the clinician's roster and booking form, the partner's group
sessions (times and room, nobody else's name); every page fits 375 and 320 pixels."""

import pytest

from tests.browser.conftest import assert_no_sideways_scroll, signed_in_page

pytestmark = pytest.mark.browser


def check_fit(page, what: str) -> None:
    assert_no_sideways_scroll(page, f"{what} at 375 px")
    page.set_viewport_size({"width": 320, "height": 812})
    assert_no_sideways_scroll(page, f"{what} at 320 px")
    page.set_viewport_size({"width": 375, "height": 812})


def shoot(page, screenshots_dir, name: str) -> None:
    page.screenshot(path=screenshots_dir / f"groups-{name}-phone.png", full_page=True)


def test_the_clinician_reads_the_roster_and_a_refused_medicine_booking_names_each_couple(
    demo_site, browser, screenshots_dir
):
    context, page = signed_in_page(browser, demo_site, "clinician@demo.kap", "phone")
    page.goto(f"{demo_site}/groups/")
    check_fit(page, "the group list")
    page.get_by_role("link", name="Autumn couples retreat").click()
    page.wait_for_load_state()
    roster = page.get_by_test_id("roster").inner_text()
    assert "Robin & Kai" in roster and "Not ready" in roster
    check_fit(page, "the roster")
    shoot(page, screenshots_dir, "roster")
    page.get_by_role("link", name="Book a group session").click()
    page.get_by_label("Kind").select_option("medicine")
    page.get_by_label("Day").fill("2027-01-12")
    page.get_by_label("Starts").fill("10:00")
    page.get_by_label("Ends").fill("14:00")
    page.get_by_role("button", name="Book for every couple").click()
    page.wait_for_load_state()
    refused = page.get_by_test_id("not-ready").inner_text()
    assert "Robin & Kai" in refused and "Maria & Luis" in refused
    check_fit(page, "a refused group booking")
    shoot(page, screenshots_dir, "booking-refused")
    context.close()


def test_the_partner_sees_times_and_room_and_no_other_couple(demo_site, browser, screenshots_dir):
    context, page = signed_in_page(browser, demo_site, "robin.ito@demo.kap", "phone")
    page.goto(f"{demo_site}/portal/groups/")
    text = page.content()
    assert "Circle Room" in text
    for other in ("Maria", "Garcia", "Nour", "Haddad"):
        assert other not in text
    check_fit(page, "the partner's group sessions")
    shoot(page, screenshots_dir, "partner")
    context.close()
