"""Secure messages on a phone: a partner writes, the clinician replies, the partner reads;
every page fits 375 and 320 pixels without sideways scrolling."""

import re

import pytest

from intake.models import ScreeningSettings
from integration.models import Alert
from messaging.models import Conversation
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import assert_no_sideways_scroll, signed_in_page

pytestmark = pytest.mark.browser
QUESTION = "Is it normal to feel tired two days after the session?"
REPLY = "Yes, tiredness for a few days is common. Rest, and tell us on Friday how it went."


def check_fit(page, what: str) -> None:
    assert_no_sideways_scroll(page, f"{what} at 375 px")
    page.set_viewport_size({"width": 320, "height": 812})
    assert_no_sideways_scroll(page, f"{what} at 320 px")
    page.set_viewport_size({"width": 375, "height": 812})


def shoot(page, screenshots_dir, name: str) -> None:
    page.screenshot(path=screenshots_dir / f"messaging-{name}-phone.png", full_page=True)


def test_a_partner_writes_the_clinician_replies_and_the_partner_reads(
    demo_site, browser, screenshots_dir
):
    alex_ctx, alex = signed_in_page(browser, demo_site, "alex@demo.kap", "phone")
    alex.goto(f"{demo_site}/conversations/")
    check_on_phones(alex, "the partner's messages")
    shoot(alex, screenshots_dir, "partner-list")
    alex.get_by_role("link", name="New message").click()
    alex.get_by_label("Subject").fill("Tired after the session")
    alex.get_by_role("button", name="Send message").click()
    alex.wait_for_load_state()
    assert "Choose who should read it." in alex.content()
    assert "Write your message before sending." in alex.content()
    assert alex.get_by_label("Subject").input_value() == "Tired after the session"
    check_on_phones(alex, "a new message refused")
    shoot(alex, screenshots_dir, "partner-new-refused")
    alex.get_by_label("Only me and my care team").check()
    alex.get_by_label("Subject").fill("Tired after the session")
    alex.get_by_label("Your message").fill(QUESTION)
    check_on_phones(alex, "a new message")
    shoot(alex, screenshots_dir, "partner-new")
    alex.get_by_role("button", name="Send message").click()
    alex.wait_for_load_state()
    assert QUESTION in alex.content()
    conversation = Conversation.objects.get(subject="Tired after the session")

    casey_ctx, casey = signed_in_page(browser, demo_site, "clinician@demo.kap", "phone")
    casey.get_by_role("button", name="Open the menu").click()
    messages_link = casey.get_by_role("link", name=re.compile("^Messages"))
    assert messages_link.get_by_test_id("nav-count").inner_text().split()[0] == "2"
    shoot(casey, screenshots_dir, "clinician-menu")
    messages_link.click()
    casey.wait_for_load_state()
    check_fit(casey, "the care team's inbox")
    shoot(casey, screenshots_dir, "inbox")
    casey.get_by_role("link", name="Tired after the session").click()
    casey.wait_for_load_state()
    assert QUESTION in casey.content()
    casey.get_by_label("Your message").fill(REPLY)
    casey.get_by_role("button", name="Send reply").click()
    casey.wait_for_load_state()
    check_fit(casey, "the clinician's conversation")
    shoot(casey, screenshots_dir, "clinician-conversation")
    casey.get_by_role("link", name="Couple page").click()
    casey.wait_for_load_state()
    block = casey.locator("#conversations")
    assert "Tired after the session" in block.inner_text()
    check_fit(casey, "the couple page with its conversations")
    block.screenshot(path=screenshots_dir / "messaging-couple-block-phone.png")
    casey_ctx.close()

    alex.goto(f"{demo_site}/conversations/")
    link = alex.get_by_role("link", name=re.compile("Tired after the session"))
    assert "1 new" in link.inner_text()
    link.click()
    alex.wait_for_load_state()
    assert REPLY in alex.content() and "care team" in alex.content()
    check_on_phones(alex, "the partner's conversation")
    shoot(alex, screenshots_dir, "partner-conversation")
    assert alex.url.endswith(f"/conversations/{conversation.pk}/")
    alex_ctx.close()


def test_a_partner_in_crisis_sees_the_crisis_line_after_sending(
    demo_site, browser, screenshots_dir
):
    crisis = ScreeningSettings.objects.get(clinic__slug="demo")
    context, sam = signed_in_page(browser, demo_site, "sam@demo.kap", "phone")
    sam.goto(f"{demo_site}/conversations/new/")
    sam.get_by_label("Only me and my care team").check()
    sam.get_by_label("Subject").fill("Tonight")
    sam.get_by_label("Your message").fill("I don't want to live any more")
    sam.get_by_role("button", name="Send message").click()
    sam.wait_for_load_state()
    help_box = sam.locator("#crisis-help")
    assert "Your care team has been alerted" in help_box.inner_text()
    assert crisis.crisis_line in help_box.inner_text()
    assert Alert.objects.filter(kind=Alert.Kind.MESSAGE_CRISIS_WORDS, urgency="urgent").exists()
    check_on_phones(sam, "the crisis line after sending")
    shoot(sam, screenshots_dir, "partner-crisis")
    context.close()
