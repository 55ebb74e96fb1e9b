"""The waitlist on a phone: the front desk offers a cancelled time to another waiting couple,
Alex accepts it from the portal's next step; every page fits 375 and 320 px and is accessible."""

import pytest

from sessions.models import Appointment
from tests.browser.a11y import check_on_phones
from tests.browser.conftest import signed_in_page
from waitlist.models import SlotOffer

pytestmark = pytest.mark.browser


def test_the_desk_offers_a_cancelled_time_and_a_partner_accepts_it(
    demo_site, browser, screenshots_dir
):
    offer = SlotOffer.objects.get()
    desk_ctx, desk = signed_in_page(browser, demo_site, "frontdesk@demo.kap", "phone")
    desk.goto(f"{demo_site}/appointments/{offer.cancelled_appointment_id}/")
    assert "2 waitlisted couples match this slot" in desk.content()
    desk.get_by_role("link", name="Offer the time").click()
    desk.wait_for_load_state()
    check_on_phones(desk, "the slot's matches")
    desk.screenshot(path=screenshots_dir / "waitlist-slot-phone.png", full_page=True)
    desk.get_by_role("button", name="Offer the time").click()
    desk.wait_for_load_state()
    assert "Choose at least one couple" in desk.content()
    desk.get_by_label("Morgan Chen", exact=False).check()
    desk.get_by_role("button", name="Offer the time").click()
    desk.wait_for_load_state()
    assert offer.recipients.count() == 2
    desk_ctx.close()

    alex_ctx, alex = signed_in_page(browser, demo_site, "alex@demo.kap", "phone")
    alex.get_by_role("link", name="See the offered time").click()
    alex.wait_for_load_state()
    check_on_phones(alex, "the offered time")
    alex.screenshot(path=screenshots_dir / "waitlist-offer-phone.png", full_page=True)
    assert "Morgan" not in alex.content()
    alex.get_by_role("button", name="Accept this time").click()
    alex.wait_for_load_state()
    assert "Booked: it is in your appointments." in alex.content()
    booked = Appointment.objects.get(start=offer.start, status=Appointment.Status.BOOKED)
    assert booked.couple.partners.filter(email="alex@demo.kap").exists()
    alex_ctx.close()
