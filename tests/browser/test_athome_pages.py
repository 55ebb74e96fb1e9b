"""An at-home session on two phones (375×812): Morgan measures, Lee (the chaperone) confirms
being there, Morgan takes the medicine; then a hold reading tells Morgan not to take more."""

import pytest

from athome.models import (
    LINK_VALID_AFTER_END,
    ChaperoneCheck,
    HomeChaperone,
    new_link_token,
    token_digest,
)
from intake.models import Partner
from integration.models import Alert
from sessions.models import DoseAdministration, MedicineSession, Setting
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import signed_in_page

pytestmark = pytest.mark.browser


def _shot(page, screenshots_dir, name: str) -> None:
    check_on_phones(page, name)
    page.screenshot(path=screenshots_dir / f"athome-{name}-phone.png", full_page=True)


def _measure(page, systolic: str, diastolic: str) -> None:
    page.get_by_label("Blood pressure: upper number (systolic)").fill(systolic)
    page.get_by_label("Blood pressure: lower number (diastolic)").fill(diastolic)
    page.get_by_label("Pulse (beats a minute)").fill("72")
    page.get_by_label("Oxygen (SpO₂ %) from the finger clip").fill("98")
    page.get_by_role("button", name="Save my reading").click()
    page.wait_for_load_state()


def test_the_partner_and_the_chaperone_go_through_an_at_home_session_on_phones(
    demo_site, browser, screenshots_dir
):
    morgan = Partner.objects.get(email="morgan.chen@demo.kap")
    session = MedicineSession.objects.get(couple=morgan.couple, setting=Setting.AT_HOME)

    partner_context, partner = signed_in_page(browser, demo_site, morgan.email, "phone")
    partner.get_by_role("link", name="Open my at-home session").click()
    partner.wait_for_load_state()
    assert partner.get_by_role("heading", level=1).inner_text() == "Your at-home session"
    _measure(partner, "122", "78")
    assert "122/78" in partner.content()
    assert "Your chaperone confirms on their phone that they are with you." in partner.content()
    _shot(partner, screenshots_dir, "partner-waits-for-chaperone")

    chaperone_context, chaperone = signed_in_page(browser, demo_site, "lee.chen@demo.kap", "phone")
    chaperone.get_by_role("link", name="Open the chaperone checks").click()
    chaperone.wait_for_load_state()
    assert "122/78" not in chaperone.content()  # the chaperone never sees the readings
    _shot(chaperone, screenshots_dir, "chaperone-before")
    chaperone.get_by_label("I am with Morgan now and will stay with them").check()
    chaperone.get_by_role("button", name="Confirm I am here").click()
    chaperone.wait_for_load_state()
    presence = ChaperoneCheck.objects.get(medicine_session=session, kind="presence")
    assert presence.reported_by_user == Partner.objects.get(email="lee.chen@demo.kap").user

    partner.reload()
    partner.get_by_label("How much you took (mg), as on your prescription").fill("50")
    partner.get_by_label("I have taken the medicine now").check()
    partner.get_by_role("button", name="Record that I took it").click()
    partner.wait_for_load_state()
    assert "You took 50 mg" in partner.content()
    dose = DoseAdministration.objects.get(medicine_session=session)
    assert dose.given_by == morgan.user
    _shot(partner, screenshots_dir, "partner-took-dose")

    chaperone.reload()
    assert "open from" in chaperone.content()  # the 40-minute check is not open yet
    _shot(chaperone, screenshots_dir, "chaperone-after-dose")

    _measure(partner, "168", "102")
    assert "Do not take the medicine." in partner.content()
    assert Alert.objects.filter(couple=morgan.couple, kind=Alert.Kind.HOME_HOLD).exists()
    _shot(partner, screenshots_dir, "partner-hold")
    partner_context.close()
    chaperone_context.close()


def test_a_named_adult_confirms_on_a_phone_through_their_link_and_the_care_team_sees_it(
    demo_site, browser, screenshots_dir
):
    morgan = Partner.objects.get(email="morgan.chen@demo.kap")
    session = MedicineSession.objects.get(couple=morgan.couple, setting=Setting.AT_HOME)
    # As if the care team had named a neighbour instead of Lee before the session began.
    token = new_link_token()
    HomeChaperone.objects.filter(medicine_session=session).update(
        partner=None,
        name="Jordan Rivers",
        phone="+1 555 010 2030",
        token_digest=token_digest(token),
        link_expires_at=session.appointment.end + LINK_VALID_AFTER_END,
    )
    context = browser.new_context(viewport={"width": 375, "height": 812})
    phone = context.new_page()
    phone.goto(f"{demo_site}/chaperone/{token}/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Thank you, Jordan Rivers"
    _shot(phone, screenshots_dir, "named-adult-link")
    phone.get_by_label("I am with Morgan now and will stay with them").check()
    phone.get_by_role("button", name="Confirm I am here").click()
    phone.wait_for_load_state()
    presence = ChaperoneCheck.objects.get(medicine_session=session, kind="presence")
    assert presence.reported_by_chaperone.name == "Jordan Rivers"
    context.close()

    other = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    assert other.goto(f"{demo_site}/chaperone/{token}/").status == 404  # single-use link

    staff_context, staff = signed_in_page(browser, demo_site, "clinician@demo.kap", "phone")
    staff.goto(f"{demo_site}/medicine-sessions/{session.pk}/at-home/")
    assert "Reported by Jordan Rivers (chaperone's link)" in staff.content()
    _shot(staff, screenshots_dir, "care-team-record")
    staff_context.close()
