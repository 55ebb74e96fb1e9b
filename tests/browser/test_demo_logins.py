"""Every demo login lands on its role's page, on a phone and on a desktop screen."""

import re

import pytest
from playwright.sync_api import expect

from kapcouples.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import SCREENS

pytestmark = pytest.mark.browser

LANDINGS = {
    "clinician@demo.kap": ("/care/", "My couples"),
    "prescriber@demo.kap": ("/care/", "My couples"),
    "frontdesk@demo.kap": ("/desk/", "Couples"),
    "admin@demo.kap": ("/clinic-admin/", "Harbor KAP Clinic (demo)"),
    "alex@demo.kap": ("/portal/", "Welcome, Alex"),
    "sam@demo.kap": ("/portal/", "Welcome, Sam"),
    "jordan@demo.kap": ("/portal/", "Welcome, Jordan"),
    "riley@demo.kap": ("/portal/", "Welcome, Riley"),
}


@pytest.mark.parametrize("screen", SCREENS)
def test_each_demo_login_lands_on_its_role_page(screen, demo_site, browser, screenshots_dir):
    width, height = SCREENS[screen]
    for email, (path, heading) in LANDINGS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{demo_site}/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{demo_site}{path}")
        assert page.get_by_role("heading", level=1).inner_text() == heading
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{email} page scrolls sideways by {overflow}px at {width}px"
        name = email.split("@")[0]
        page.screenshot(path=screenshots_dir / f"{name}-{screen}.png", full_page=True)
        if path == "/portal/" and screen == "phone":
            check_on_phones(page, f"{email}'s portal")
        context.close()


def test_the_phone_menu_opens_and_signs_out(demo_site, browser):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(f"{demo_site}/account/login/")
    page.get_by_label("Email").fill("frontdesk@demo.kap")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{demo_site}/desk/")
    page.get_by_role("button", name="Open the menu").click()
    # Click only once the menu has finished opening (Bootstrap adds "show" after its
    # transition): a click while it still moves sometimes submitted nothing under load.
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_role("button", name="Sign out").click()
    # The navigation itself, not the login page's "load" event: after the sign-out
    # redirect that event sometimes never came from the test server.
    page.wait_for_url(re.compile(r"/account/login/"), wait_until="commit")
    page.get_by_text("You are signed out on all your devices.").wait_for()
    context.close()
