"""Two couples accept the same offered time at once on PostgreSQL: exactly one gets it."""

import threading

import pytest
from django.db import connections

from integration.delivery import reminders_deliver_due
from integration.models import Reminder
from sessions.models import Appointment
from tests.waitlist.helpers import cancelled_slot, no_quiet_hours, second_couple, wait
from waitlist import services
from waitlist.models import OfferRecipient, SlotOffer, WaitlistEntry


def _race(attempts) -> tuple[list, list]:
    barrier = threading.Barrier(len(attempts))
    won, gone, crashed = [], [], []

    def run(attempt):
        try:
            barrier.wait()
            won.append(attempt())
        except services.OfferGone as error:
            gone.append(error)
        except Exception as error:
            crashed.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not crashed, crashed
    return won, gone


@pytest.mark.django_db(transaction=True)
def test_two_couples_accepting_at_once_leave_one_appointment_and_tell_the_other(cast):
    no_quiet_hours(cast)
    slot = cancelled_slot(cast)
    entries = [wait(cast), wait(cast, couple=second_couple(cast))]
    offer = services.offer_send(appointment=slot, entries=entries, by=cast.front_desk)
    reminders_deliver_due()
    recipients = list(OfferRecipient.objects.filter(offer=offer).select_related("entry"))

    def accept(recipient):
        partner = recipient.entry.couple.partners.order_by("slot").first()
        return lambda: services.offer_accept(recipient=recipient, by=partner.user)

    won, gone = _race([accept(recipient) for recipient in recipients])

    assert len(won) == 1 and len(gone) == 1
    booked = Appointment.objects.filter(start=slot.start, status=Appointment.Status.BOOKED)
    assert list(booked) == won
    offer.refresh_from_db()
    assert offer.status == SlotOffer.Status.TAKEN and offer.booked_appointment == won[0]
    outcomes = sorted(OfferRecipient.objects.filter(offer=offer).values_list("outcome", flat=True))
    assert outcomes == [OfferRecipient.Outcome.ACCEPTED, OfferRecipient.Outcome.GONE]
    loser = next(r.entry for r in recipients if r.entry.couple_id != won[0].couple_id)
    assert WaitlistEntry.objects.get(pk=loser.pk).status == WaitlistEntry.Status.WAITING
    told = Reminder.objects.filter(kind=Reminder.Kind.WAITLIST_OFFER_GONE)
    assert {r.partner.couple_id for r in told} == {loser.couple_id}


@pytest.mark.django_db(transaction=True)
def test_one_partner_leaving_while_the_other_accepts_ends_one_way_or_the_other(cast):
    no_quiet_hours(cast)
    slot = cancelled_slot(cast)
    entry, rival = wait(cast), wait(cast, couple=second_couple(cast))
    offer = services.offer_send(appointment=slot, entries=[entry, rival], by=cast.front_desk)
    recipient = OfferRecipient.objects.get(offer=offer, entry=entry)
    barrier = threading.Barrier(2)
    crashed = []

    def run(attempt):
        try:
            barrier.wait()
            attempt()
        except services.DomainError:
            pass  # the one that came second is refused in words
        except Exception as error:
            crashed.append(error)
        finally:
            connections.close_all()

    attempts = [
        lambda: services.offer_accept(recipient=recipient, by=cast.partner_a.user),
        lambda: services.entry_withdraw(entry=entry, by=cast.partner_b.user),
    ]
    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not crashed, crashed
    entry.refresh_from_db()
    booked = Appointment.objects.filter(couple=cast.couple, status=Appointment.Status.BOOKED)
    if entry.status == WaitlistEntry.Status.BOOKED:
        assert booked.count() == 1
    else:
        assert entry.status == WaitlistEntry.Status.WITHDRAWN and not booked.exists()
        assert SlotOffer.objects.get().status == SlotOffer.Status.OPEN
