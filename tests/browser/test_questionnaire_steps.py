"""A questionnaire on a phone: one question per screen with progress, the summary, a change
from the summary, submit; the C-SSRS skip; and the same form without JavaScript."""

import pytest
from playwright.sync_api import expect

from intake.models import Partner, QuestionnaireResponse
from kapcouples.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import assert_no_sideways_scroll, signed_in_page

pytestmark = pytest.mark.browser


def fill(page, site: str, partner: Partner, slug: str) -> None:
    page.goto(f"{site}/partners/{partner.pk}/questionnaires/{slug}/")


def question(page, number: int):
    return page.locator(f"#question-{number}")


def legend(page, number: int):
    return question(page, number).locator("legend")


def answer_and_next(page, number: int, label: str) -> None:
    question(page, number).get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Next").click()


def look(page, name: str, screenshots_dir) -> None:
    check_on_phones(page, name)
    page.screenshot(path=screenshots_dir / f"questionnaire-{name}.png", full_page=True)


def test_a_phq9_one_question_per_screen_then_the_summary_a_change_and_submit(
    demo_site, browser, screenshots_dir
):
    jordan = Partner.objects.get(email="jordan@demo.kap")
    context, page = signed_in_page(browser, demo_site, "jordan@demo.kap", "phone")
    fill(page, demo_site, jordan, "phq-9")
    progress = page.locator(".questionnaire-progress")
    expect(progress).to_have_text("Question 1 of 9")
    assert page.locator("[data-question]:visible").count() == 1
    assert not page.get_by_role("button", name="Back").is_visible()
    look(page, "phq9-phone-question-1", screenshots_dir)

    page.get_by_role("button", name="Next").click()
    assert question(page, 1).get_by_text("Choose one answer for this question.").is_visible()
    expect(progress).to_have_text("Question 1 of 9")
    look(page, "phq9-phone-unanswered", screenshots_dir)

    answer_and_next(page, 1, "Several days")
    expect(progress).to_have_text("Question 2 of 9")
    expect(legend(page, 2)).to_be_focused()
    page.get_by_role("button", name="Back").click()
    assert question(page, 1).get_by_label("Several days", exact=True).is_checked()
    expect(legend(page, 1)).to_be_focused()
    page.get_by_role("button", name="Next").click()
    for number in range(2, 9):
        answer_and_next(page, number, "Not at all")
    expect(progress).to_have_text("Question 9 of 9")
    assert not page.get_by_role("button", name="Next").is_visible()
    question(page, 9).get_by_label("Not at all", exact=True).check()
    look(page, "phq9-phone-question-9", screenshots_dir)
    page.get_by_role("button", name="Check my answers").click()

    page.get_by_role("heading", name="Check your answers").wait_for()
    assert page.get_by_text("Several days").count() == 1
    look(page, "phq9-phone-summary", screenshots_dir)
    page.get_by_role("button", name="Change your answer to question 3").click()
    expect(progress).to_have_text("Question 3 of 9")
    expect(legend(page, 3)).to_be_focused()
    assert question(page, 3).get_by_label("Not at all", exact=True).is_checked()
    look(page, "phq9-phone-change-3", screenshots_dir)
    answer_and_next(page, 3, "Nearly every day")
    page.get_by_role("button", name="Next").click()  # the later answers are kept
    expect(question(page, 5).get_by_label("Not at all", exact=True)).to_be_checked()
    page.get_by_role("button", name="Check my answers").click()  # all answered: back to it
    page.get_by_role("heading", name="Check your answers").wait_for()
    assert page.get_by_text("Nearly every day").count() == 1
    page.get_by_role("button", name="Submit answers").click()

    page.get_by_text("Thank you: your questionnaire is saved.").wait_for()
    assert page.url.endswith("/portal/next/?done=questionnaire")
    saved = QuestionnaireResponse.objects.filter(partner=jordan, code="PHQ-9").get()
    assert saved.answers == [1, 0, 3, 0, 0, 0, 0, 0, 0]
    page.goto(f"{demo_site}/questionnaires/{saved.pk}/")
    page.get_by_text("Your answers suggest few or no symptoms of depression.").wait_for()
    assert page.get_by_text("Total:").count() == 0
    look(page, "phq9-phone-own-result", screenshots_dir)
    context.close()


def test_on_a_wide_screen_cssrs_3_to_5_appear_only_after_a_yes_to_2(
    demo_site, browser, screenshots_dir
):
    jordan = Partner.objects.get(email="jordan@demo.kap")
    context, page = signed_in_page(browser, demo_site, "jordan@demo.kap", "desktop")
    fill(page, demo_site, jordan, "c-ssrs")
    assert page.locator("[data-question]:visible").count() == 3  # 1, 2 and 6
    question(page, 2).get_by_label("Yes", exact=True).check()
    assert page.locator("[data-question]:visible").count() == 6
    look(page, "cssrs-desktop-yes-to-2", screenshots_dir)
    question(page, 2).get_by_label("No", exact=True).check()
    assert not question(page, 3).is_visible()
    context.close()


@pytest.mark.parametrize("width", [375, 320])
def test_the_cssrs_goes_from_a_no_to_question_2_straight_to_question_6(
    width, demo_site, browser, screenshots_dir
):
    jordan = Partner.objects.get(email="jordan@demo.kap")
    context, page = signed_in_page(browser, demo_site, "jordan@demo.kap", "phone")
    page.set_viewport_size({"width": width, "height": 812})
    fill(page, demo_site, jordan, "c-ssrs")
    assert page.get_by_text("Ask questions").count() == 0
    progress = page.locator(".questionnaire-progress")
    expect(progress).to_have_text("Question 1 of 6")
    answer_and_next(page, 1, "Yes")
    answer_and_next(page, 2, "No")
    expect(progress).to_have_text("Question 3 of 3")
    expect(legend(page, 6)).to_be_focused()
    question(page, 6).get_by_label("No", exact=True).check()
    look(page, f"cssrs-phone-{width}-question-6", screenshots_dir)
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    assert page.get_by_text("Not asked (skipped after question 2 was no)").count() == 3
    look(page, f"cssrs-phone-{width}-summary", screenshots_dir)
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_text("Thank you: your questionnaire is saved.").wait_for()
    saved = QuestionnaireResponse.objects.filter(partner=jordan, code="C-SSRS").get()
    assert saved.answers == [1, 0, None, None, None, 0]
    context.close()


def test_without_javascript_the_whole_form_is_one_page_and_the_summary_comes_before_submit(
    demo_site, browser, screenshots_dir
):
    jordan = Partner.objects.get(email="jordan@demo.kap")
    context = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{demo_site}/account/login/")
    page.get_by_label("Email").fill("jordan@demo.kap")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    fill(page, demo_site, jordan, "gad-7")
    assert page.locator("[data-question]:visible").count() == 7
    assert not page.get_by_role("button", name="Next").is_visible()
    for number in range(1, 8):
        question(page, number).get_by_label("Several days", exact=True).check()
    assert_no_sideways_scroll(page, "gad7-phone-no-js")  # axe needs JavaScript in the page
    page.screenshot(path=screenshots_dir / "questionnaire-gad7-phone-no-js.png", full_page=True)
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
    assert not QuestionnaireResponse.objects.filter(partner=jordan, code="GAD-7").exists()
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_text("Thank you: your questionnaire is saved.").wait_for()
    assert QuestionnaireResponse.objects.get(partner=jordan, code="GAD-7").total == 7
    context.close()
