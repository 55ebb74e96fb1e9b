"""The shared reflection on a phone: both partners write their part, one shares it, and the
clinician reads it only then."""

import pytest

from integration.models import SharedReflection
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import assert_no_sideways_scroll, signed_in_page

pytestmark = pytest.mark.browser
QUINN = "Jamie listened to the whole story without fixing it."
JAMIE = "Ten minutes each evening, phones in the other room."


def brooks_reflection() -> SharedReflection:
    return SharedReflection.objects.filter(couple__partners__email="jamie.brooks@demo.kap").get()


def narrow_check(page, what: str) -> None:
    """No sideways scrolling at 375 px, nor on the narrowest phones (320 px)."""
    assert_no_sideways_scroll(page, f"{what} at 375 px")
    page.set_viewport_size({"width": 320, "height": 700})
    assert_no_sideways_scroll(page, f"{what} at 320 px")
    page.set_viewport_size({"width": 375, "height": 812})


def test_both_partners_write_one_shares_and_the_clinician_then_reads_it(
    demo_site, browser, screenshots_dir
):
    url = f"{demo_site}/reflections/{brooks_reflection().pk}/"

    context, page = signed_in_page(browser, demo_site, "quinn.brooks@demo.kap", "phone")
    page.goto(f"{demo_site}/portal/")
    check_on_phones(page, "the portal with the reflection to write")
    page.screenshot(path=screenshots_dir / "reflection-portal-phone.png", full_page=True)
    page.get_by_role("link", name="Write your part").click()
    assert "Quinn reached for my hand first." in page.content()  # Jamie’s part, couple-shared
    page.get_by_label("What did you notice about each other?").fill(QUINN)
    page.get_by_role("button", name="Save my part").click()
    page.wait_for_load_state()
    assert "Your reflection is saved." in page.content()  # what happens next
    page.goto(url)
    check_on_phones(page, "the reflection")
    page.screenshot(path=screenshots_dir / "reflection-written-phone.png", full_page=True)
    context.close()

    context, page = signed_in_page(browser, demo_site, "jamie.brooks@demo.kap", "phone")
    page.goto(url)
    assert QUINN in page.content()
    page.get_by_label("What do you want to practise together?").fill(JAMIE)
    page.get_by_role("button", name="Save my part").click()
    page.wait_for_load_state()
    page.goto(url)
    page.get_by_role("button", name="Share with our care team").click()
    assert "Your care team can now read this reflection." in page.content()
    check_on_phones(page, "the shared reflection")
    page.screenshot(path=screenshots_dir / "reflection-shared-phone.png", full_page=True)
    context.close()

    context, page = signed_in_page(browser, demo_site, "clinician@demo.kap", "phone")
    page.goto(url)
    assert QUINN in page.content() and JAMIE in page.content()
    narrow_check(page, "the reflection read by the clinician")
    page.screenshot(path=screenshots_dir / "reflection-clinician-phone.png", full_page=True)
    page.goto(f"{demo_site}/couples/{brooks_reflection().couple_id}/")
    card = page.locator(".card", has_text="Shared reflections")
    assert "shared with the care team: read it" in card.inner_text()
    narrow_check(page, "the couple page with its reflections")
    card.screenshot(path=screenshots_dir / "reflection-couple-card-phone.png")
    context.close()
