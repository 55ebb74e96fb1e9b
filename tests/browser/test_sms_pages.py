"""A stopped partner's texts as the clinic and the partner see them, on phones."""

import pytest

from intake.models import Partner
from tests.browser.conftest import assert_no_sideways_scroll, signed_in_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [375, 320])
def test_the_opt_out_and_delivery_reports_read_well_on_a_phone(
    width,
    demo_site,
    browser,
    screenshots_dir,
):
    sam = Partner.objects.get(email="sam@demo.kap").pk
    outbox = "/messages/outbox/?kind=questionnaire_due"
    views = [
        ("sam@demo.kap", f"/partners/{sam}/", "partner-own", "You stopped text messages on"),
        ("clinician@demo.kap", f"/partners/{sam}/", "partner-staff", "Text messages stopped on"),
        ("frontdesk@demo.kap", outbox, "outbox", "Text delivered"),
        ("frontdesk@demo.kap", outbox, "outbox", "(STOP)"),
    ]
    for email, path, name, expected in views:
        context, page = signed_in_page(browser, demo_site, email, "phone")
        page.set_viewport_size({"width": width, "height": 812})
        page.goto(f"{demo_site}{path}")
        assert expected in page.content(), f"{name}: {expected!r} missing"
        assert_no_sideways_scroll(page, f"{path} at {width} px")
        page.screenshot(path=screenshots_dir / f"sms-{name}-{width}.png", full_page=True)
        context.close()
