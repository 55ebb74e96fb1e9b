"""The portal's next step: an open offer comes first, and goes once it is answered."""

import pytest
from django.utils import timezone

from portal.next_step import next_step
from portal.selectors import portal_snapshot
from tests.waitlist.helpers import cancelled_slot, no_quiet_hours, wait
from waitlist import services

pytestmark = pytest.mark.django_db


def test_an_open_offer_is_the_partners_next_step_until_they_answer(cast):
    no_quiet_hours(cast)
    entry = wait(cast)
    offer = services.offer_send(
        appointment=cancelled_slot(cast), entries=[entry], by=cast.front_desk
    )
    step = next_step(portal_snapshot(cast.partner_b, now=timezone.now()))
    recipient = offer.recipients.get()
    assert step.key == "waitlist_offer"
    assert step.link == f"/waitlist/offered/{recipient.pk}/"
    services.offer_decline(recipient=recipient, by=cast.partner_b.user)
    assert next_step(portal_snapshot(cast.partner_a, now=timezone.now())).key != "waitlist_offer"


def test_another_couples_offer_is_never_this_partners_step(cast):
    no_quiet_hours(cast)
    services.offer_send(appointment=cancelled_slot(cast), entries=[wait(cast)], by=cast.front_desk)
    step = next_step(portal_snapshot(cast.other_partner, now=timezone.now()))
    assert step.key != "waitlist_offer"
