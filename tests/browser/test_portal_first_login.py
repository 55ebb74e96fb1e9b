"""A new partner on a phone: from the invitation link to a submitted intake, ending on
"what happens next", with no sideways scrolling at 375 px (nor at 320 px)."""

import pytest

from intake import services
from kapcouples.models import Clinic, Role, StaffMembership
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import SCREENS, assert_no_sideways_scroll

pytestmark = pytest.mark.browser

PASSWORD = "a-long-phone-passphrase-42"


def invited_partner() -> str:
    """A couple enrolled at the demo clinic; the first partner's invitation token."""
    clinic = Clinic.objects.get(slug="demo")
    desk = StaffMembership.objects.get(clinic=clinic, role=Role.FRONT_DESK).user
    clinician = StaffMembership.objects.filter(clinic=clinic, role=Role.CLINICIAN).first().user
    couple = services.couple_enrol(
        clinic=clinic,
        primary_clinician=clinician,
        partners=[
            {"first_name": "Robin", "last_name": "Ash", "email": "robin.ash@example.test"},
            {"first_name": "Kit", "last_name": "Ash", "email": "kit.ash@example.test"},
        ],
    )
    _, token = services.invitation_send(partner=couple.partners.get(slot=1), sent_by=desk)
    return token


def look(page, name: str, screenshots_dir) -> None:
    check_on_phones(page, name)
    page.screenshot(path=screenshots_dir / f"portal-{name}-phone.png", full_page=True)


def fill_step(page) -> None:
    """Answer whichever intake step is on the page, then save and continue."""
    fields = {
        "date_of_birth": "1988-02-14",
        "phone": "555 0142 100",
        "address": "4 Harbor Lane",
        "emergency_contact_name": "Sam Ash",
        "emergency_contact_relationship": "Brother",
        "emergency_contact_phone": "555 0142 200",
        "allergies": "None known",
        "goals": "Talk without fighting.",
        "driver_name": "Sam Ash",
        "driver_phone": "555 0142 200",
    }
    for name, value in fields.items():
        field = page.locator(f"[name={name}]")
        if field.count() == 1:
            field.fill(value)
    for radio in page.locator("input[type=radio][value=no]").all():
        radio.check()
    for value in ("never", "driven"):
        radio = page.locator(f"input[type=radio][value={value}]")
        for one in radio.all()[:2]:
            one.check()
    none = page.get_by_label("I take no medicines or supplements")
    if none.count():
        none.check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()


def test_a_new_partner_goes_from_the_invitation_to_a_submitted_intake_on_a_phone(
    demo_site, browser, screenshots_dir
):
    token = invited_partner()
    width, height = SCREENS["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{demo_site}/invitations/accept/{token}/")
    look(page, "invitation", screenshots_dir)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type it again").fill(PASSWORD)
    page.get_by_role("button", name="Set password and open my portal").click()
    page.wait_for_load_state()
    assert page.url.endswith("/portal/")
    look(page, "first-login", screenshots_dir)
    card = page.locator("#next-step-heading")
    assert card.get_attribute("data-next-step") == "consent"  # the demo clinic has one
    page.get_by_role("link", name="Start your intake form").first.click()
    for number in range(1, 9):
        assert f"Step {number} of 8" in page.content()
        if number == 1:
            look(page, "intake-step-1", screenshots_dir)
        fill_step(page)
    look(page, "intake-overview", screenshots_dir)
    page.get_by_role("button", name="Submit my intake").click()
    page.wait_for_load_state()
    assert "/portal/next/?done=intake" in page.url
    assert "Thank you: your intake form is submitted." in page.content()
    assert "What happens next:" in page.content()
    look(page, "after-intake", screenshots_dir)
    page.set_viewport_size({"width": 320, "height": 720})
    assert_no_sideways_scroll(page, "what happens next at 320 px")
    page.goto(f"{demo_site}/portal/")
    assert_no_sideways_scroll(page, "portal at 320 px")
    page.set_viewport_size({"width": width, "height": height})
    look(page, "after-intake-home", screenshots_dir)
    page.goto(f"{demo_site}/portal/profile/")
    look(page, "profile", screenshots_dir)
    page.set_viewport_size({"width": 320, "height": 720})
    assert_no_sideways_scroll(page, "profile at 320 px")
    context.close()
