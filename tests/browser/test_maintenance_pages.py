"""Boosters on a phone: the partner of a completed program sees when their next booster is
due; the prescriber opens the maintenance plan and is told next to the field when the
review date comes before the first booster (nothing typed is lost)."""

import pytest

from intake.models import Partner
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import signed_in_page

pytestmark = pytest.mark.browser


def test_the_partner_sees_the_next_booster_and_the_prescriber_edits_the_plan(
    demo_site, browser, screenshots_dir
):
    taylor = Partner.objects.get(email="taylor.nguyen@demo.kap")
    context, page = signed_in_page(browser, demo_site, taylor.email, "phone")
    card = page.get_by_test_id("portal-booster")
    assert "Your next booster session is due around" in card.inner_text()
    check_on_phones(page, "maintenance-portal")
    context.close()

    context, page = signed_in_page(browser, demo_site, "prescriber@demo.kap", "phone")
    page.goto(f"{demo_site}/couples/{taylor.couple_id}/maintenance/")
    assert "Next booster due" in page.get_by_test_id("next-booster").inner_text()
    page.get_by_label("Prescriber reviews the plan by").fill("2020-01-01")
    page.get_by_label("Notes").fill("Kept after the error")
    page.get_by_role("button", name="Save maintenance plan").click()
    page.wait_for_load_state()
    assert "The review date must be after the start." in page.content()
    assert page.get_by_label("Notes").input_value() == "Kept after the error"
    check_on_phones(page, "maintenance-plan")
    page.screenshot(path=screenshots_dir / "maintenance-plan-phone.png", full_page=True)
    context.close()
