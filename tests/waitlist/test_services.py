"""The waitlist's services: entries, matching a cancelled time, offering it and answering."""

import datetime

import pytest

from integration.delivery import reminders_deliver_due
from integration.models import Reminder
from integration.rendering import render_reminder, render_sms
from kapcouples.policy import NotAllowed
from sessions.models import Appointment
from tests.sessions.factories import book, local, room, tomorrow
from tests.waitlist.helpers import cancelled_slot, no_quiet_hours, second_couple, wait
from waitlist import selectors, services
from waitlist.models import OfferRecipient, SlotOffer, TimeOfDay, WaitlistEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_quiet_hours(cast):
    no_quiet_hours(cast)


def _offer(cast, slot, *entries):
    return services.offer_send(appointment=slot, entries=list(entries), by=cast.front_desk)


def _recipient(offer, entry) -> OfferRecipient:
    return OfferRecipient.objects.get(offer=offer, entry=entry)


# --- Entries ---------------------------------------------------------------------------------
def test_it_puts_a_couple_on_the_waitlist_once_per_kind(cast):
    entry = wait(cast)
    assert entry.status == WaitlistEntry.Status.WAITING
    assert entry.weekday_list == list(range(7))
    with pytest.raises(services.WaitlistError) as refused:
        wait(cast)
    assert refused.value.field == "kind"
    assert wait(cast, kind=Appointment.Kind.INTEGRATION).pk != entry.pk


def test_it_refuses_an_entry_without_a_day_or_time(cast):
    with pytest.raises(services.WaitlistError) as refused:
        wait(cast, weekdays=[])
    assert refused.value.field == "weekdays"
    with pytest.raises(services.WaitlistError) as refused:
        wait(cast, times_of_day=[])
    assert refused.value.field == "times_of_day"


def test_staff_of_another_clinic_and_partners_may_not_add_entries(cast):
    for user in (cast.other_clinic_clinician, cast.partner_a.user, cast.clinician_outside):
        with pytest.raises(NotAllowed):
            services.entry_add(
                couple=cast.couple,
                kind=Appointment.Kind.PREPARATION,
                weekdays=[0],
                times_of_day=[0],
                earliest_date=datetime.date(2030, 1, 1),
                by=user,
            )
    assert not WaitlistEntry.objects.exists()


def test_a_partner_leaves_the_waitlist_and_the_time_offered_is_withdrawn_for_them(cast):
    entry = wait(cast)
    offer = _offer(cast, cancelled_slot(cast), entry)
    services.entry_withdraw(entry=entry, by=cast.partner_b.user)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WITHDRAWN
    assert entry.withdrawn_by == cast.partner_b.user
    assert _recipient(offer, entry).outcome == OfferRecipient.Outcome.WITHDRAWN
    pending = Reminder.objects.filter(kind=Reminder.Kind.WAITLIST_OFFER, status="pending")
    assert not pending.exists()


def test_another_couple_may_not_withdraw_an_entry(cast):
    entry = wait(cast)
    with pytest.raises(NotAllowed):
        services.entry_withdraw(entry=entry, by=cast.other_partner.user)


# --- Matching --------------------------------------------------------------------------------
def test_it_matches_waiting_couples_by_kind_day_time_and_date_longest_waiting_first(cast):
    slot = cancelled_slot(cast, hour=10)
    weekday = slot.start.astimezone(cast.clinic.zone).weekday()
    later = second_couple(cast)
    first = wait(cast)
    second = wait(cast, couple=later, times_of_day=[TimeOfDay.MORNING])
    other_days = [d for d in range(7) if d != weekday]
    not_that_day = wait(cast, couple=second_couple(cast), weekdays=other_days)
    afternoons = wait(cast, couple=second_couple(cast), times_of_day=[TimeOfDay.AFTERNOON])
    too_early = wait(
        cast, couple=second_couple(cast), earliest_date=tomorrow(cast).replace(year=2099)
    )
    other_kind = wait(cast, couple=second_couple(cast), kind=Appointment.Kind.INTEGRATION)
    the_cancelling_couple = wait(cast, couple=slot.couple)

    matches = selectors.matching_entries(slot, cast.front_desk)

    assert [m.entry for m in matches] == [first, second]
    excluded = {not_that_day, afternoons, too_early, other_kind, the_cancelling_couple}
    assert excluded.isdisjoint(m.entry for m in matches)
    assert "the morning suits them" in matches[1].reasons


def test_a_clinician_sees_only_their_own_couples_among_the_matches(cast):
    slot = cancelled_slot(cast)
    wait(cast)
    assert [m.entry.couple for m in selectors.matching_entries(slot, cast.clinician)] == [
        cast.couple
    ]
    assert selectors.matching_entries(slot, cast.clinician_outside) == []


# --- Offering --------------------------------------------------------------------------------
def test_offering_writes_one_message_to_each_partner_naming_only_time_kind_and_clinic(cast):
    slot = cancelled_slot(cast)
    entry = wait(cast)
    offer = _offer(cast, slot, entry)

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert offer.start == slot.start and offer.room_id == slot.room_id
    assert list(offer.clinicians.all()) == [cast.clinician]
    rows = Reminder.objects.filter(kind=Reminder.Kind.WAITLIST_OFFER)
    assert {r.partner for r in rows} == {cast.partner_a, cast.partner_b}
    recipient = _recipient(offer, entry)
    assert all(r.link_path == f"/waitlist/offered/{recipient.pk}/" for r in rows)
    message = render_reminder(rows.get(partner=cast.partner_a))
    assert "a preparation session" in message.text
    assert cast.clinic.name in message.text
    for name in [p.last_name for p in slot.couple.partners.all()] + [cast.partner_b.first_name]:
        assert name not in message.text + message.html + message.subject
    assert "preparation" not in render_sms(rows.get(partner=cast.partner_a))


def test_an_offer_message_is_written_in_the_partners_language(cast):
    cast.partner_a.language = "es"
    cast.partner_a.save()
    offer = _offer(cast, cancelled_slot(cast), wait(cast))
    row = Reminder.objects.get(kind=Reminder.Kind.WAITLIST_OFFER, partner=cast.partner_a)
    assert offer.pk
    assert "Hola" in render_reminder(row).text


def test_offering_more_couples_later_adds_them_to_the_same_open_offer(cast):
    slot = cancelled_slot(cast)
    first = _offer(cast, slot, wait(cast))
    again = _offer(cast, slot, wait(cast, couple=second_couple(cast)))
    assert again.pk == first.pk
    assert first.recipients.count() == 2


def test_only_a_cancelled_future_appointment_can_be_offered(cast):
    booked = book(cast, Appointment.Kind.PREPARATION, local(cast, tomorrow(cast), 15))
    with pytest.raises(services.WaitlistError, match="cancelled"):
        _offer(cast, booked, wait(cast, couple=second_couple(cast)))


def test_a_clinician_may_not_offer_a_time_to_a_couple_outside_their_care(cast):
    slot = cancelled_slot(cast)
    entry = wait(cast)
    with pytest.raises(NotAllowed):
        services.offer_send(appointment=slot, entries=[entry], by=cast.clinician_outside)
    assert not SlotOffer.objects.exists()


# --- Answering -------------------------------------------------------------------------------
def test_the_first_to_accept_books_the_time_and_the_others_are_told_it_has_gone(cast):
    slot = cancelled_slot(cast)
    winner, loser = wait(cast), wait(cast, couple=second_couple(cast))
    offer = _offer(cast, slot, winner, loser)
    reminders_deliver_due()
    offers_sent = Reminder.objects.filter(kind=Reminder.Kind.WAITLIST_OFFER, status="sent")
    assert offers_sent.count() == 4

    appointment = services.offer_accept(recipient=_recipient(offer, winner), by=cast.partner_a.user)

    assert (appointment.couple, appointment.start, appointment.end) == (
        cast.couple,
        slot.start,
        slot.end,
    )
    assert appointment.status == Appointment.Status.BOOKED
    offer.refresh_from_db()
    winner.refresh_from_db()
    loser.refresh_from_db()
    assert offer.status == SlotOffer.Status.TAKEN and offer.booked_appointment == appointment
    assert winner.status == WaitlistEntry.Status.BOOKED
    assert winner.booked_appointment == appointment
    assert loser.status == WaitlistEntry.Status.WAITING
    lost = _recipient(offer, loser)
    assert lost.outcome == OfferRecipient.Outcome.GONE
    gone = Reminder.objects.filter(kind=Reminder.Kind.WAITLIST_OFFER_GONE)
    assert {r.partner.couple_id for r in gone} == {loser.couple_id}
    assert gone.count() == 2
    assert "waiting list" in render_reminder(gone.first()).text
    confirmations = Reminder.objects.filter(kind=Reminder.Kind.APPOINTMENT_CONFIRMATION)
    assert confirmations.filter(partner=cast.partner_a).exists()


def test_accepting_after_the_time_was_taken_says_it_has_gone(cast):
    slot = cancelled_slot(cast)
    first, late = wait(cast), wait(cast, couple=second_couple(cast))
    offer = _offer(cast, slot, first, late)
    services.offer_accept(recipient=_recipient(offer, first), by=cast.partner_a.user)
    late_partner = late.couple.partners.first()
    with pytest.raises(services.OfferGone):
        services.offer_accept(recipient=_recipient(offer, late), by=late_partner.user)
    assert Appointment.objects.filter(couple=late.couple).count() == 0


def test_a_booking_rule_failing_at_acceptance_leaves_the_offer_open_for_others(cast):
    slot = cancelled_slot(cast)
    entry, other = wait(cast), wait(cast, couple=second_couple(cast))
    offer = _offer(cast, slot, entry, other)
    # Meanwhile the couple booked something else at that time.
    elsewhere = room(cast, "Willow")
    book(cast, Appointment.Kind.OTHER, slot.start, where=elsewhere, clinicians=[cast.prescriber])

    with pytest.raises(services.OfferCannotBook, match="already have an appointment"):
        services.offer_accept(recipient=_recipient(offer, entry), by=cast.partner_a.user)

    offer.refresh_from_db()
    assert offer.status == SlotOffer.Status.OPEN
    assert _recipient(offer, entry).outcome == OfferRecipient.Outcome.PENDING
    other_partner = other.couple.partners.first()
    services.offer_accept(recipient=_recipient(offer, other), by=other_partner.user)
    offer.refresh_from_db()
    assert offer.status == SlotOffer.Status.TAKEN


def test_a_medicine_session_offered_to_a_couple_not_ready_is_refused_by_the_readiness_gate(cast):
    slot = cancelled_slot(cast, Appointment.Kind.MEDICINE)
    entry = wait(cast, kind=Appointment.Kind.MEDICINE)
    offer = _offer(cast, slot, entry)
    with pytest.raises(services.OfferCannotBook, match="medicine session can be booked only"):
        services.offer_accept(recipient=_recipient(offer, entry), by=cast.partner_a.user)
    assert not Appointment.objects.filter(couple=cast.couple).exists()
    assert SlotOffer.objects.get().status == SlotOffer.Status.OPEN


def test_a_time_taken_by_a_new_booking_of_the_room_is_refused_without_naming_it(cast):
    slot = cancelled_slot(cast)
    entry = wait(cast)
    offer = _offer(cast, slot, entry)
    book(cast, Appointment.Kind.OTHER, slot.start, couple=second_couple(cast))
    with pytest.raises(services.OfferCannotBook) as refused:
        services.offer_accept(recipient=_recipient(offer, entry), by=cast.partner_a.user)
    assert str(refused.value) == "This time is no longer free. You stay on the waiting list."


def test_a_partner_of_another_couple_may_not_accept(cast):
    offer = _offer(cast, cancelled_slot(cast), wait(cast))
    recipient = offer.recipients.get()
    with pytest.raises(NotAllowed):
        services.offer_accept(recipient=recipient, by=cast.other_partner.user)
    assert SlotOffer.objects.get().status == SlotOffer.Status.OPEN


def test_declining_keeps_the_couple_on_the_waitlist(cast):
    entry = wait(cast)
    offer = _offer(cast, cancelled_slot(cast), entry)
    services.offer_decline(recipient=_recipient(offer, entry), by=cast.partner_b.user)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING
    assert _recipient(offer, entry).outcome == OfferRecipient.Outcome.DECLINED
    assert SlotOffer.objects.get().status == SlotOffer.Status.OPEN


def test_staff_withdrawing_an_offer_tell_the_couples_who_heard_of_it(cast):
    entry = wait(cast)
    offer = _offer(cast, cancelled_slot(cast), entry)
    reminders_deliver_due()
    services.offer_withdraw(offer=offer, by=cast.front_desk)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING
    assert Reminder.objects.filter(kind=Reminder.Kind.WAITLIST_OFFER_GONE).count() == 2


def test_an_offer_not_yet_sent_is_cancelled_rather_than_followed_by_a_gone_message(cast):
    winner, quiet = wait(cast), wait(cast, couple=second_couple(cast))
    offer = _offer(cast, cancelled_slot(cast), winner, quiet)
    services.offer_accept(recipient=_recipient(offer, winner), by=cast.partner_a.user)
    to_quiet = Reminder.objects.filter(partner__couple=quiet.couple)
    assert set(to_quiet.values_list("status", flat=True)) == {Reminder.Status.CANCELLED}


def test_a_couple_added_to_an_offer_by_the_front_desk_is_booked_in_the_front_desks_name(cast):
    slot = cancelled_slot(cast)
    services.offer_send(appointment=slot, entries=[wait(cast)], by=cast.prescriber)
    outside_care = second_couple(cast)
    outside_care.primary_clinician = cast.clinician_outside
    outside_care.save()
    late = wait(cast, couple=outside_care)
    offer = _offer(cast, slot, late)
    partner = outside_care.partners.first()
    appointment = services.offer_accept(recipient=_recipient(offer, late), by=partner.user)
    assert appointment.booked_by == cast.front_desk
    assert _recipient(offer, late).answered_by == partner.user
