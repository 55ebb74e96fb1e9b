"""Every partner page of the portal, questionnaires, preparation, the shared reflection and
secure messages, in English and Spanish at 375 and 320 px: axe finds no serious or critical
WCAG 2 A/AA violation, nothing scrolls sideways, main actions are full-width and at least
44 px tall, errors are tied to their fields, and a questionnaire can be answered with the
keyboard alone. Screenshots are saved as `a11y-partner-*` in `artifacts/screenshots/`."""

import pytest
from playwright.sync_api import expect

from intake.models import Partner, QuestionnaireResponse
from integration.models import SharedReflection
from messaging.models import Conversation
from sessions.models import MedicineSession
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import signed_in_page

pytestmark = pytest.mark.browser
LANGUAGES = ["en", "es"]
# The smallest comfortable touch target for a page's main action.
TOUCH_PX = 44

# Buttons that submit or lead on, shorter than a touch target, or which (with the buttons
# beside them, as Back and Next) do not span their form or card.
_CRAMPED_ACTIONS = """(touch) => Array.from(document.querySelectorAll(
    "main .btn-primary, main .btn-outline-primary, main input[type=submit]"))
  .filter((button) => button.getClientRects().length)
  .filter((button) => {
    const row = Array.from(button.parentElement.querySelectorAll(":scope > .btn"))
      .filter((one) => one.getClientRects().length).map((one) => one.getBoundingClientRect());
    const span = Math.max(...row.map((box) => box.right)) - Math.min(...row.map((box) => box.left));
    const holder = button.closest("form, .card-body, main").getBoundingClientRect();
    const padding = button.closest("form") ? 0 : 40;
    return button.getBoundingClientRect().height < touch || span < holder.width - padding;
  })
  .map((button) => (button.innerText || button.value).trim())"""

# Fields marked invalid whose aria-describedby (or their fieldset's) names no error text.
_UNTIED_ERRORS = r"""() => Array.from(document.querySelectorAll(".is-invalid, [aria-invalid=true]"))
  .filter((field) => {
    const fieldset = field.closest("fieldset[aria-describedby]");
    const ids = [field.getAttribute("aria-describedby"), fieldset && fieldset.getAttribute(
      "aria-describedby")].join(" ").split(/\s+/).filter((id) => id && id !== "null");
    return !ids.some((id) => {
      const described = document.getElementById(id);
      return described && !id.endsWith("helptext") && described.innerText.trim();
    });
  })
  .map((field) => field.name || field.id)"""


def shots(screenshots_dir, name: str, language: str):
    return lambda size: screenshots_dir / f"a11y-partner-{name}-{language}-{size}.png"


def look(page, name: str, language: str, screenshots_dir) -> None:
    """axe and no sideways scroll at both phone widths, roomy main actions, screenshots."""
    assert page.locator("html").get_attribute("lang") == language
    check_on_phones(page, f"{name} ({language})", shots(screenshots_dir, name, language))
    for width in (375, 320):
        page.set_viewport_size({"width": width, "height": 640})
        cramped = page.evaluate(_CRAMPED_ACTIONS, TOUCH_PX)
        assert not cramped, f"{name} ({language}) at {width} px: cramped buttons {cramped}"
    page.set_viewport_size({"width": 375, "height": 812})


def look_at_errors(page, name: str, language: str, screenshots_dir) -> None:
    assert page.locator(".is-invalid, [aria-invalid=true]").count(), f"{name}: no error shown"
    assert page.evaluate(_UNTIED_ERRORS) == [], f"{name} ({language}): errors not tied"
    look(page, name, language, screenshots_dir)


def walk(page, site: str, pages: dict[str, str], language: str, screenshots_dir) -> None:
    for name, path in pages.items():
        page.goto(f"{site}{path}")
        look(page, name, language, screenshots_dir)


def signed_in_in(browser, site: str, email: str, language: str):
    Partner.objects.filter(email=email).update(language=language)
    return signed_in_page(browser, site, email, "phone")


def alex_pages() -> dict[str, str]:
    """The Riveras are fully screened and have written to their care team in the demo."""
    alex = Partner.objects.get(email="alex@demo.kap")
    response = QuestionnaireResponse.objects.filter(partner=alex, code="PHQ-9").latest("pk")
    conversation = Conversation.objects.filter(couple=alex.couple, partner=alex).get()
    return {
        "portal": "/portal/",
        "history": "/portal/history/",
        "next-questionnaire": "/portal/next/?done=questionnaire",
        "next-message": "/portal/next/?done=message",
        "profile": "/portal/profile/",
        "questionnaire-result": f"/questionnaires/{response.pk}/",
        "conversations": "/conversations/",
        "conversation-new": "/conversations/new/",
        "conversation": f"/conversations/{conversation.pk}/",
    }


def jamie_pages() -> dict[str, str]:
    """The Brookses prepare for a medicine session and have a reflection to write."""
    jamie = Partner.objects.get(email="jamie.brooks@demo.kap")
    session = MedicineSession.objects.get(couple=jamie.couple, status="planned")
    reflection = SharedReflection.objects.get(couple=jamie.couple)
    return {
        "portal-preparing": "/portal/",
        "preparation": f"/couples/{jamie.couple_id}/preparation/",
        "preparation-session": f"/medicine-sessions/{session.pk}/preparation/",
        "reflection": f"/reflections/{reflection.pk}/",
        "next-ride-home": "/portal/next/?done=ride_home",
    }


def submit(page) -> None:
    page.locator("main form[method=post] [type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_portal_messages_and_their_errors_pass_on_phones(
    language, demo_site, browser, screenshots_dir
):
    context, page = signed_in_in(browser, demo_site, "alex@demo.kap", language)
    pages = alex_pages()
    walk(page, demo_site, pages, language, screenshots_dir)

    page.goto(f"{demo_site}{pages['profile']}")
    page.locator("[name=quiet_start]").fill("21:30")
    page.locator("[name=quiet_end]").fill("")
    submit(page)
    look_at_errors(page, "profile-errors", language, screenshots_dir)
    assert page.locator("[name=quiet_start]").input_value() == "21:30"

    page.goto(f"{demo_site}{pages['conversation-new']}")
    page.locator("[name=subject]").fill("Sleep")
    submit(page)
    look_at_errors(page, "conversation-new-errors", language, screenshots_dir)
    assert page.locator("[name=subject]").input_value() == "Sleep"

    page.goto(f"{demo_site}{pages['conversation']}")
    page.locator("main form[method=post] [type=submit]").last.click()
    page.wait_for_load_state()
    look_at_errors(page, "conversation-errors", language, screenshots_dir)
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_preparation_pages_the_reflection_and_their_errors_pass_on_phones(
    language, demo_site, browser, screenshots_dir
):
    context, page = signed_in_in(browser, demo_site, "jamie.brooks@demo.kap", language)
    pages = jamie_pages()
    walk(page, demo_site, pages, language, screenshots_dir)

    page.goto(f"{demo_site}{pages['preparation-session']}")
    page.locator("[name=ride-escort_name]").fill("Robin Okoro")
    page.locator("[name=ride-escort_phone]").fill("555")
    submit(page)
    look_at_errors(page, "ride-home-errors", language, screenshots_dir)
    assert page.locator("[name=ride-escort_name]").input_value() == "Robin Okoro"
    context.close()


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Tab from wherever focus is until it reaches an element matching `selector`."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached {selector}")


def legend_focused(page, number: int) -> None:
    expect(page.locator(f"#question-{number}-legend")).to_be_focused()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_questionnaire_is_answered_with_the_keyboard_alone_and_passes_on_phones(
    language, demo_site, browser, screenshots_dir
):
    context, page = signed_in_in(browser, demo_site, "alex@demo.kap", language)
    alex = Partner.objects.get(email="alex@demo.kap")
    page.goto(f"{demo_site}/partners/{alex.pk}/questionnaires/gad-7/")
    look(page, "questionnaire-question", language, screenshots_dir)

    tab_to(page, "#question-1 input[type=radio]")
    page.keyboard.press("ArrowDown")  # the second answer, "Several days"
    page.keyboard.press("Enter")  # on the answer: Next, not the whole form's submit
    legend_focused(page, 2)
    tab_to(page, "[data-back]")  # back to question 1: its answer is kept
    page.keyboard.press("Enter")
    legend_focused(page, 1)
    expect(page.locator("#question-1 input[value='1']")).to_be_checked()
    tab_to(page, "[data-next]")
    page.keyboard.press("Enter")
    legend_focused(page, 2)
    tab_to(page, "[data-next]")  # Next without an answer: the error, tied to the question
    page.keyboard.press("Enter")
    expect(page.locator("#question-2 fieldset")).to_have_attribute("aria-describedby", "error-2")
    expect(page.locator("#error-2")).not_to_be_empty()
    legend_focused(page, 2)
    look(page, "questionnaire-unanswered", language, screenshots_dir)
    for number in range(2, 7):
        tab_to(page, f"#question-{number} input[type=radio]")
        page.keyboard.press("Space")
        tab_to(page, "[data-next]")
        page.keyboard.press("Enter")
        legend_focused(page, number + 1)
    tab_to(page, "#question-7 input[type=radio]")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # on the answer: the last question's Next, to the summary

    page.locator("#check-heading").wait_for()
    look(page, "questionnaire-summary", language, screenshots_dir)
    tab_to(page, "button[value=submit]", limit=60)
    page.keyboard.press("Enter")
    page.wait_for_url("**/portal/**")
    saved = QuestionnaireResponse.objects.filter(partner=alex, code="GAD-7").latest("pk")
    assert saved.answers == [1, 0, 0, 0, 0, 0, 0]
    context.close()
