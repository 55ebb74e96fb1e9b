"""The public discovery-call page on a phone (375×812): a missing field is named beside it
and everything typed stays; once complete, the thank-you page says what happens next."""

import pytest

from discovery.models import DiscoveryRequest
from kapcouples.models import Role
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import SCREENS, assert_no_sideways_scroll
from tests.discovery.helpers import make_request
from tests.factories import ClinicFactory, StaffFactory

pytestmark = pytest.mark.browser
PASSWORD = "a long demo password 42"


@pytest.fixture
def clinic(transactional_db):
    return ClinicFactory(name="Harbor KAP Clinic", slug="harbor")


def fill_all_but_the_times(page) -> None:
    page.get_by_label("Your name").fill("Robin")
    page.get_by_label("Your partner's name").fill("Kai")
    page.get_by_role("textbox", name="Email").fill("robin.kai@example.com")
    page.get_by_label("Phone (optional)").fill("+1 555 0100 222")
    page.get_by_label("Phone call").check()
    page.get_by_label("What brings you to us?").fill("We keep having the same argument.")
    page.get_by_label("We agree that the clinic may contact us").check()


def test_a_couple_asks_for_a_call_on_a_phone(clinic, live_server, browser, screenshots_dir):
    width, height = SCREENS["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_server.url}/c/harbor/discovery-call/")
    assert page.get_by_role("heading", name="Ask for a free call").is_visible()
    # The honeypot: a 1-pixel clip nobody sees, and out of what screen readers announce.
    shown_area = page.locator("input[name=website]").evaluate(
        "el => { const box = el.closest('[aria-hidden=true]').getBoundingClientRect();"
        " return box.width * box.height; }"
    )
    assert shown_area <= 1
    assert page.get_by_role("textbox", name="Website").count() == 0
    check_on_phones(
        page, "discovery request", lambda size: screenshots_dir / f"discovery-{size}.png"
    )

    fill_all_but_the_times(page)
    page.get_by_role("button", name="Ask for a call").click()
    page.wait_for_load_state()
    assert page.get_by_text("Tell us when we may call, even roughly.").is_visible()
    assert page.get_by_label("Your name").input_value() == "Robin"
    assert page.get_by_label("Your partner's name").input_value() == "Kai"
    assert page.get_by_role("textbox", name="Email").input_value() == "robin.kai@example.com"
    assert page.get_by_label("Phone (optional)").input_value() == "+1 555 0100 222"
    assert page.get_by_label("Phone call").is_checked()
    assert page.get_by_label("What brings you to us?").input_value().strip() == (
        "We keep having the same argument."
    )
    assert page.get_by_label("We agree that the clinic may contact us").is_checked()
    assert not DiscoveryRequest.objects.exists()
    check_on_phones(
        page,
        "discovery request errors",
        lambda size: screenshots_dir / f"discovery-error-{size}.png",
    )

    page.get_by_label("When suits you for a call?").fill("Weekday evenings after 6")
    page.get_by_role("button", name="Ask for a call").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="What happens next").is_visible()
    assert_no_sideways_scroll(page, "discovery thanks")
    page.screenshot(path=screenshots_dir / "discovery-thanks-375.png", full_page=True)
    stored = DiscoveryRequest.objects.get()
    assert (stored.first_name, stored.preferred_times) == ("Robin", "Weekday evenings after 6")
    context.close()


def test_the_page_reads_in_spanish_after_the_language_switch(
    clinic, live_server, browser, screenshots_dir
):
    width, height = SCREENS["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_server.url}/c/harbor/discovery-call/")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.url.endswith("/c/harbor/discovery-call/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.screenshot(path=screenshots_dir / "discovery-es-375.png", full_page=True)
    context.close()


def test_the_front_desk_answers_a_request_on_a_phone(
    clinic, live_server, browser, screenshots_dir, settings
):
    settings.KAP_REQUIRE_STAFF_2FA = False
    desk = StaffFactory(clinic=clinic, role=Role.FRONT_DESK, email="desk@example.com")
    desk.set_password(PASSWORD)
    desk.save()
    found = make_request(clinic, phone="+1 555 0100 222", preferred_contact="phone")
    width, height = SCREENS["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Email").fill("desk@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/discovery/")
    assert_no_sideways_scroll(page, "discovery inbox")
    page.screenshot(path=screenshots_dir / "discovery-inbox-375.png", full_page=True)
    page.get_by_role("link", name="Robin & Kai").click()
    page.wait_for_load_state()
    assert_no_sideways_scroll(page, "discovery request")
    page.screenshot(path=screenshots_dir / "discovery-detail-375.png", full_page=True)
    page.get_by_role("button", name="Declined or no answer").click()
    page.wait_for_load_state()
    found.refresh_from_db()
    assert found.status == DiscoveryRequest.Status.DECLINED
    context.close()
