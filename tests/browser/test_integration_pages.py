"""The integration pages on a phone and a desktop: outbox, check-ins, the couple panel."""

import pytest

from intake.models import Partner
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import SCREENS, assert_no_sideways_scroll, signed_in_page

pytestmark = pytest.mark.browser
SHARED = "A memory of how we met"
PRIVATE = "Ten minutes of listening"


def open_as(browser, site, email, path, screen):
    context, page = signed_in_page(browser, site, email, screen)
    page.goto(f"{site}{path}")
    assert_no_sideways_scroll(page, f"{path} at {screen} size")
    return context, page


@pytest.mark.parametrize("screen", SCREENS)
def test_the_integration_pages_read_well_on_phone_and_desktop(
    screen, demo_site, browser, screenshots_dir
):
    chen = Partner.objects.get(email="morgan.chen@demo.kap").couple_id
    views = [
        ("frontdesk@demo.kap", "/messages/outbox/", "outbox", ["Failed", "Sent", "Pending"]),
        ("morgan.chen@demo.kap", "/portal/history/", "checkin-own", [SHARED, PRIVATE, "private"]),
        ("lee.chen@demo.kap", "/portal/history/", "checkin-shared", [SHARED]),
        ("clinician@demo.kap", f"/couples/{chen}/", "couple-panel", [SHARED, PRIVATE]),
    ]
    for email, path, name, expected in views:
        context, page = open_as(browser, demo_site, email, path, screen)
        content = page.content()
        for text in expected:
            assert text in content, f"{name}: {text!r} missing"
        if name == "checkin-shared":
            assert PRIVATE not in content  # Morgan kept that answer private
        if email.endswith(".chen@demo.kap") and screen == "phone":
            check_on_phones(page, f"{name} ({email})")
        page.screenshot(path=screenshots_dir / f"integration-{name}-{screen}.png", full_page=True)
        context.close()
