"""The audit log's filters, written out by hand, work on a phone and a desk: a backwards
date range is named next to its field, keeps what was typed, and the page passes axe.
Screenshots go to artifacts/screenshots/."""

import pytest
from django.urls import reverse

from tests.browser.a11y import assert_accessible
from tests.browser.conftest import SCREENS, assert_no_sideways_scroll, signed_in_page


@pytest.mark.parametrize("screen", SCREENS)
def test_the_filters_name_a_wrong_range_next_to_the_field(
    screen, demo_site, browser, screenshots_dir
):
    context, page = signed_in_page(browser, demo_site, "admin@demo.kap", screen)
    page.goto(f"{demo_site}{reverse('audit_log')}")
    page.fill("#id_date_from", "2026-11-30")
    page.fill("#id_date_to", "2026-11-02")
    page.click("button[name=filter]")

    error = page.locator("#id_date_to_error")
    assert "The last day is before the first" in error.inner_text()
    assert page.locator("#id_date_to").get_attribute("aria-describedby") == "id_date_to_error"
    assert page.input_value("#id_date_from") == "2026-11-30"
    assert page.input_value("#id_date_to") == "2026-11-02"
    assert_no_sideways_scroll(page, f"audit log at {screen} size")
    assert_accessible(page, "audit log filters with an error")
    page.screenshot(path=screenshots_dir / f"audit-filters-error-{screen}.png", full_page=True)
    context.close()
