"""The controlled-substance pages as a prescriber sees them on a phone and a desk: the lots
with their balances and the printable log. Screenshots go to artifacts/screenshots/."""

import datetime

import pytest
from django.urls import reverse

from tests.browser.conftest import SCREENS, assert_no_sideways_scroll, signed_in_page


@pytest.mark.parametrize("screen", SCREENS)
def test_lots_and_the_log(screen, demo_site, browser, screenshots_dir):
    context, page = signed_in_page(browser, demo_site, "prescriber@demo.kap", screen)

    page.goto(f"{demo_site}{reverse('stock:lot_list')}")
    assert "KT-24117" in page.content()
    assert_no_sideways_scroll(page, "lots")
    page.screenshot(path=screenshots_dir / f"stock-lots-{screen}.png", full_page=True)

    # The last 60 days, whatever the day of the month (the default range starts on the 1st).
    today = datetime.date.today()
    since = today - datetime.timedelta(days=60)
    page.goto(f"{demo_site}{reverse('stock:log')}?from={since:%Y-%m-%d}&to={today:%Y-%m-%d}")
    assert "KT-24117" in page.content()
    assert_no_sideways_scroll(page, "stock log")
    page.screenshot(path=screenshots_dir / f"stock-log-{screen}.png", full_page=True)
    context.close()
