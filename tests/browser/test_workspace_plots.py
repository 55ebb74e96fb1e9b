"""The outcome plots in a real browser, on a phone and a desktop: styled by the plots'
stylesheet under the strict CSP, no sideways scrolling; and Alex's own history."""

import pytest

from intake.models import Partner
from tests.browser.conftest import SCREENS, assert_no_sideways_scroll, signed_in_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", SCREENS)
def test_the_care_team_sees_the_riveras_plots(screen, demo_site, browser, screenshots_dir):
    alex = Partner.objects.get(email="alex@demo.kap")
    context, page = signed_in_page(browser, demo_site, "prescriber@demo.kap", screen)
    blocked = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content" in message.text else None,
    )
    page.goto(f"{demo_site}/couples/{alex.couple_id}/outcomes/")
    assert page.locator("svg.outcome-svg").count() == 7
    dashed = page.locator(".plot-series-1 .plot-line").first
    assert dashed.evaluate("line => getComputedStyle(line).strokeDasharray") != "none"
    assert blocked == []
    assert_no_sideways_scroll(page, "outcomes")
    page.screenshot(path=screenshots_dir / f"workspace-outcomes-{screen}.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=screenshots_dir / f"workspace-outcomes-print-{screen}.png", full_page=True)
    context.close()


def test_alex_reads_their_own_history_on_the_portal(demo_site, browser, screenshots_dir):
    context, page = signed_in_page(browser, demo_site, "alex@demo.kap", "phone")
    page.goto(f"{demo_site}/portal/")
    page.get_by_role("link", name="My program history").click()
    page.wait_for_url("**/portal/history/")
    assert page.get_by_text("Your PHQ-9 (mood) score went from 16").is_visible()
    assert_no_sideways_scroll(page, "portal history")
    page.screenshot(path=screenshots_dir / "workspace-portal-history-phone.png", full_page=True)
    context.close()
