"""Screening pages on a phone and a desktop: no sideways scrolling, a draft step saves."""

import pytest

from intake.models import Partner
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import SCREENS, assert_no_sideways_scroll, signed_in_page

pytestmark = pytest.mark.browser


def look(page, path, name, screenshots_dir):
    assert_no_sideways_scroll(page, path)
    page.screenshot(path=screenshots_dir / f"intake-{name}.png", full_page=True)


def look_as_partner(page, path, name, screenshots_dir, screen):
    """A partner's page: on the phone screen also accessible, at 375 and at 320 px."""
    look(page, path, name, screenshots_dir)
    if screen == "phone":
        check_on_phones(page, path)


@pytest.mark.parametrize("screen", SCREENS)
def test_a_partner_continues_the_draft_intake_on_a_phone(
    screen, demo_site, browser, screenshots_dir
):
    jordan = Partner.objects.get(email="jordan@demo.kap")
    context, page = signed_in_page(browser, demo_site, "jordan@demo.kap", screen)
    look_as_partner(page, "/portal/", f"portal-jordan-{screen}", screenshots_dir, screen)
    page.get_by_role("link", name="Intake form", exact=True).click()
    look_as_partner(page, "intake", f"overview-jordan-{screen}", screenshots_dir, screen)
    page.goto(f"{demo_site}/partners/{jordan.pk}/intake/step/medical/")
    look_as_partner(page, "medical step", f"step-medical-{screen}", screenshots_dir, screen)
    page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_text("Answer yes or no.").first.is_visible()
    name = f"step-medical-errors-{screen}"
    look_as_partner(page, "medical step errors", name, screenshots_dir, screen)
    page.goto(f"{demo_site}/partners/{jordan.pk}/questionnaires/phq-9/")
    look_as_partner(page, "phq-9", f"phq9-{screen}", screenshots_dir, screen)
    context.close()


@pytest.mark.parametrize("screen", SCREENS)
def test_staff_screening_pages_fit_the_screen(screen, demo_site, browser, screenshots_dir):
    alex = Partner.objects.get(email="alex@demo.kap")
    context, page = signed_in_page(browser, demo_site, "prescriber@demo.kap", screen)
    page.goto(f"{demo_site}/couples/{alex.couple_id}/")
    look(page, "couple", f"couple-prescriber-{screen}", screenshots_dir)
    page.goto(f"{demo_site}/partners/{alex.pk}/screening/")
    look(page, "screening", f"screening-{screen}", screenshots_dir)
    page.goto(f"{demo_site}/partners/{alex.pk}/review/")
    look(page, "review", f"review-form-{screen}", screenshots_dir)
    context.close()
    context, page = signed_in_page(browser, demo_site, "frontdesk@demo.kap", screen)
    page.goto(f"{demo_site}/couples/{alex.couple_id}/")
    look(page, "couple", f"couple-frontdesk-{screen}", screenshots_dir)
    context.close()


def test_typing_is_autosaved_without_pressing_a_button(demo_site, browser):
    jordan = Partner.objects.get(email="jordan@demo.kap")
    context, page = signed_in_page(browser, demo_site, "jordan@demo.kap", "phone")
    page.goto(f"{demo_site}/partners/{jordan.pk}/intake/step/goals/")
    page.get_by_label("What do you personally hope").fill("Typed, then the tab was closed")
    page.get_by_text("Draft saved at").wait_for(timeout=10_000)
    context.close()
    context, page = signed_in_page(browser, demo_site, "jordan@demo.kap", "desktop")
    page.goto(f"{demo_site}/partners/{jordan.pk}/intake/step/goals/")
    assert (
        "Typed, then the tab was closed"
        in page.get_by_label("What do you personally hope").input_value()
    )
    context.close()
