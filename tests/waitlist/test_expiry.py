"""Offers whose time has passed: the hourly sweep closes them and the couples wait again;
before it runs, every page already reads them as closed."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from integration.models import Reminder
from tests.waitlist.helpers import cancelled_slot, no_quiet_hours, second_couple, wait
from waitlist import selectors, services, tasks
from waitlist.models import OfferRecipient, SlotOffer, WaitlistEntry

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _no_quiet_hours(cast):
    no_quiet_hours(cast)


def _offer(cast, slot, *entries):
    return services.offer_send(appointment=slot, entries=list(entries), by=cast.front_desk)


def _after(offer):
    """The clock a minute after the offered time began."""
    return time_machine.travel(offer.start + MINUTE, tick=False)


def test_the_sweep_expires_a_passed_offer_and_its_couples_wait_again(cast):
    asked, declined = wait(cast), wait(cast, couple=second_couple(cast))
    offer = _offer(cast, cancelled_slot(cast), asked, declined)
    no = OfferRecipient.objects.get(offer=offer, entry=declined)
    services.offer_decline(recipient=no, by=no.entry.couple.partners.first().user)
    with _after(offer):
        assert tasks.expire_passed_offers() == 1
        assert services.offers_expire() == 0  # safe to run twice
    offer.refresh_from_db()
    assert offer.status == SlotOffer.Status.EXPIRED
    assert offer.closed_at == offer.start + MINUTE
    outcomes = dict(offer.recipients.values_list("entry_id", "outcome"))
    assert outcomes == {
        asked.pk: OfferRecipient.Outcome.EXPIRED,
        declined.pk: OfferRecipient.Outcome.DECLINED,
    }
    asked.refresh_from_db()
    assert asked.status == WaitlistEntry.Status.WAITING
    statuses = list(asked.history.order_by("history_id").values_list("status", flat=True))
    assert statuses == ["waiting", "offered", "waiting"]


def test_the_sweep_leaves_offers_still_to_come_and_taken_ones(cast):
    taker, later = wait(cast), wait(cast, couple=second_couple(cast))
    taken = _offer(cast, cancelled_slot(cast, hour=10), taker)
    services.offer_accept(recipient=OfferRecipient.objects.get(offer=taken), by=cast.partner_a.user)
    to_come = _offer(cast, cancelled_slot(cast, hour=15), later)
    with _after(taken):
        assert services.offers_expire() == 0
    assert SlotOffer.objects.get(pk=taken.pk).status == SlotOffer.Status.TAKEN
    assert SlotOffer.objects.get(pk=to_come.pk).status == SlotOffer.Status.OPEN
    assert WaitlistEntry.objects.get(pk=later.pk).status == WaitlistEntry.Status.OFFERED


def test_an_unsent_offer_message_is_cancelled_and_no_gone_message_follows(cast):
    entry = wait(cast)
    offer = _offer(cast, cancelled_slot(cast), entry)
    with _after(offer):
        services.offers_expire()
    to_couple = Reminder.objects.filter(partner__couple=entry.couple)
    assert set(to_couple.values_list("status", flat=True)) == {Reminder.Status.CANCELLED}
    assert not to_couple.filter(kind=Reminder.Kind.WAITLIST_OFFER_GONE).exists()


def test_accepting_after_the_time_began_says_it_has_passed(cast):
    entry = wait(cast)
    offer = _offer(cast, cancelled_slot(cast), entry)
    recipient = OfferRecipient.objects.get(offer=offer)
    with _after(offer), pytest.raises(services.OfferGone, match="has passed"):
        services.offer_accept(recipient=recipient, by=cast.partner_a.user)
    assert SlotOffer.objects.get(pk=offer.pk).booked_appointment is None


def test_the_staff_pages_read_a_passed_offer_as_closed_before_the_sweep(cast, client_for):
    entry = wait(cast)
    slot = cancelled_slot(cast)
    offer = _offer(cast, slot, entry)
    with _after(offer):
        client = client_for(cast.front_desk)  # signed in then: an idle session times out
        page = client.get(reverse("waitlist:slot", kwargs={"appointment_id": slot.pk}))
        listed = client.get(reverse("waitlist:entry_list"), {"kind": entry.kind})
    html = page.content.decode()
    assert "expired: its time passed" in html
    assert "the time passed unanswered, still waiting" in html
    assert "Withdraw the offer" not in html
    assert f'data-testid="entry-{entry.pk}"' in listed.content.decode()
    assert "offered a time" not in listed.content.decode()
    assert SlotOffer.objects.get(pk=offer.pk).status == SlotOffer.Status.OPEN  # no sweep yet


def test_a_couple_offered_a_passed_time_matches_and_is_offered_a_new_one(cast):
    entry = wait(cast)
    first = _offer(cast, cancelled_slot(cast), entry)
    with _after(first):
        slot = cancelled_slot(cast)  # the day after the first
        assert [m.entry.pk for m in selectors.matching_entries(slot, cast.front_desk)] == [entry.pk]
        second = _offer(cast, slot, entry)
    assert SlotOffer.objects.get(pk=first.pk).status == SlotOffer.Status.EXPIRED
    assert second.recipients.get().outcome == OfferRecipient.Outcome.PENDING
    assert WaitlistEntry.objects.get(pk=entry.pk).status == WaitlistEntry.Status.OFFERED


def test_the_partners_list_says_waiting_once_the_offered_time_passed(cast, client_for):
    entry = wait(cast)
    offer = _offer(cast, cancelled_slot(cast), entry)
    with _after(offer):
        page = client_for(cast.partner_a.user).get(reverse("waitlist:mine"))
    html = page.content.decode()
    assert "Offered a time" not in html
    assert "· Waiting" in html


def test_the_database_refuses_an_expired_offer_without_its_closing_time(cast):
    offer = _offer(cast, cancelled_slot(cast), wait(cast))
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE waitlist_slotoffer SET status = 'expired', closed_at = NULL WHERE id = %s",
            [offer.pk],
        )
