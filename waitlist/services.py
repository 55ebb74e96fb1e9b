"""Writes of the waitlist: entries, offers of a cancelled time, and their answers.

Accepting books through `sessions.services.appointment_book`, under a row lock on the
offer, so every booking rule (overlaps, opening hours, readiness, clinicians) is checked
at that moment and two couples accepting at once cannot both get the time. The booking is
made in the name of the staff member who offered the time to this couple (the booking
service asks the policy whether they may still book for them); the partner's acceptance is recorded
on their offer row.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import Couple, Partner
from integration.models import Reminder
from integration.outbox import Message, messaging_settings_for, reminders_schedule_many
from kapcouples import policy
from kapcouples.models import User
from kapcouples.services import DomainError
from sessions import services as booking
from sessions.models import Appointment
from waitlist.models import OfferRecipient, SlotOffer, WaitlistEntry, bits_of


class WaitlistError(DomainError):
    """An entry or offer cannot be written as asked; `field` names the form field to blame."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class OfferGone(DomainError):
    """The offered time was taken by another couple, withdrawn, or has passed."""


class OfferCannotBook(DomainError):
    """A booking rule refuses the offered time for this couple now; the offer stays open."""


# --- Entries ----------------------------------------------------------------------------------
@transaction.atomic
def entry_add(
    *,
    couple: Couple,
    kind: str,
    weekdays: list[int],
    times_of_day: list[int],
    earliest_date: datetime.date,
    note: str = "",
    by: User,
) -> WaitlistEntry:
    """Put the couple on the waitlist for a kind of appointment (one open entry per kind)."""
    policy.ensure(policy.can_manage_waitlist, by, couple, to="put a couple on the waitlist")
    if not weekdays:
        raise WaitlistError("Choose at least one weekday.", field="weekdays")
    if not times_of_day:
        raise WaitlistError("Choose at least one time of day.", field="times_of_day")
    Couple.objects.select_for_update().filter(pk=couple.pk).first()
    if WaitlistEntry.objects.open().filter(couple=couple, kind=kind).exists():
        raise WaitlistError(
            "This couple is already waiting for this kind of appointment: change or withdraw "
            "that entry instead.",
            field="kind",
        )
    return WaitlistEntry.objects.create(
        clinic_id=couple.clinic_id,
        couple=couple,
        kind=kind,
        weekdays=bits_of(weekdays),
        times_of_day=bits_of(times_of_day),
        earliest_date=earliest_date,
        note=note.strip(),
        created_by=by,
    )


@transaction.atomic
def entry_withdraw(*, entry: WaitlistEntry, by: User) -> WaitlistEntry:
    """Take the couple off the waitlist for this kind; times offered to them are withdrawn
    (the other couples offered the same time keep their chance)."""
    _lock_pending_offers(entry)
    entry = WaitlistEntry.objects.select_for_update().select_related("couple").get(pk=entry.pk)
    policy.ensure(policy.can_withdraw_from_waitlist, by, entry, to="leave the waitlist")
    if not entry.is_open:
        raise WaitlistError(_("This waiting-list entry is already closed."))
    entry.status = WaitlistEntry.Status.WITHDRAWN
    entry.withdrawn_by, entry.withdrawn_at = by, timezone.now()
    entry.save()
    _withdraw_pending_offers(entry)
    return entry


def _lock_pending_offers(entry: WaitlistEntry) -> None:
    """Lock the offers still open to this entry before the entry itself: the order in which
    accepting locks them (offer, then entries), so the two cannot deadlock."""
    offers = OfferRecipient.objects.filter(
        entry=entry, outcome=OfferRecipient.Outcome.PENDING
    ).values("offer_id")
    list(SlotOffer.objects.select_for_update().filter(pk__in=offers).order_by("pk").values("pk"))


# --- Offering a cancelled time ------------------------------------------------------------------
@transaction.atomic
def offer_send(*, appointment: Appointment, entries: list[WaitlistEntry], by: User) -> SlotOffer:
    """Offer a cancelled appointment's time to the chosen waiting couples, by message to both
    partners of each (in their language, with a link to the offer in their portal). Offering
    it again to more couples adds them to the same open offer."""
    policy.ensure(policy.can_offer_slots, by, appointment.clinic_id, to="offer a cancelled time")
    # Couples still marked offered a time that has passed are waiting (the page lists them).
    offers_expire(clinic_id=appointment.clinic_id)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _check_offerable(appointment)
    offer = _open_offer(appointment, by)
    already = set(offer.recipients.values_list("entry_id", flat=True))
    chosen = [entry for entry in _locked_entries(entries) if entry.pk not in already]
    if not chosen:
        raise WaitlistError("Choose at least one waiting couple who has not been offered it.")
    for entry in chosen:
        _check_recipient(entry, appointment, by)
    recipients = OfferRecipient.objects.bulk_create(
        [OfferRecipient(offer=offer, entry=entry, offered_by=by) for entry in chosen]
    )
    for entry in chosen:
        entry.status = WaitlistEntry.Status.OFFERED
        entry.save(update_fields=["status"])
    _message_partners(offer, recipients, kind=Reminder.Kind.WAITLIST_OFFER)
    return offer


def _check_offerable(appointment: Appointment) -> None:
    if appointment.status != Appointment.Status.CANCELLED:
        raise WaitlistError("Only a cancelled appointment's time can be offered.")
    if appointment.start <= timezone.now():
        raise WaitlistError("This time has already begun: it can no longer be offered.")
    if SlotOffer.objects.filter(
        cancelled_appointment=appointment, status=SlotOffer.Status.TAKEN
    ).exists():
        raise WaitlistError("This time has already been taken by a waiting couple.")


def _open_offer(appointment: Appointment, by: User) -> SlotOffer:
    offer = SlotOffer.objects.filter(
        cancelled_appointment=appointment, status=SlotOffer.Status.OPEN
    ).first()
    if offer is not None:
        return offer
    offer = SlotOffer.objects.create(
        clinic_id=appointment.clinic_id,
        cancelled_appointment=appointment,
        kind=appointment.kind,
        start=appointment.start,
        end=appointment.end,
        room_id=appointment.room_id,
        outside_hours_reason=appointment.outside_hours_reason,
        offered_by=by,
    )
    offer.clinicians.set(appointment.clinician_slots.values_list("clinician_id", flat=True))
    return offer


def _locked_entries(entries: list[WaitlistEntry]) -> list[WaitlistEntry]:
    found = WaitlistEntry.objects.select_for_update(of=("self",)).select_related("couple")
    return list(found.filter(pk__in=[entry.pk for entry in entries]).order_by("pk"))


def _check_recipient(entry: WaitlistEntry, appointment: Appointment, by: User) -> None:
    policy.ensure(policy.can_manage_waitlist, by, entry.couple, to="offer a time to this couple")
    if entry.status != WaitlistEntry.Status.WAITING:
        raise WaitlistError(f"Entry #{entry.pk} is not waiting ({entry.get_status_display()}).")
    if entry.kind != appointment.kind or entry.couple_id == appointment.couple_id:
        raise WaitlistError(f"Entry #{entry.pk} does not wait for this kind of appointment.")


# --- Answering an offer ------------------------------------------------------------------------
@transaction.atomic
def offer_accept(*, recipient: OfferRecipient, by: User) -> Appointment:
    """The partner takes the offered time: the first to accept books it, with every booking
    rule checked now. Refused (`OfferCannotBook`), nothing changes and the offer stays open
    for the others; accepted, the other couples offered it are told it has gone."""
    recipient = _locked(recipient)
    policy.ensure(policy.can_answer_offer, by, recipient, to="accept this time")
    offer = recipient.offer
    _refuse_closed(offer, recipient)
    appointment = _book(offer, recipient.entry.couple, by=recipient.offered_by)
    now = timezone.now()
    offer.status, offer.booked_appointment, offer.closed_at = (
        SlotOffer.Status.TAKEN,
        appointment,
        now,
    )
    offer.save()
    _answer(recipient, OfferRecipient.Outcome.ACCEPTED, by=by, at=now)
    entry = recipient.entry
    entry.status, entry.booked_appointment = WaitlistEntry.Status.BOOKED, appointment
    entry.save()
    _close_for_others(offer, outcome=OfferRecipient.Outcome.GONE)
    _close_entry_elsewhere(entry)
    return appointment


@transaction.atomic
def offer_decline(*, recipient: OfferRecipient, by: User) -> OfferRecipient:
    """The couple does not want this time; they stay on the waitlist."""
    recipient = _locked(recipient)
    policy.ensure(policy.can_answer_offer, by, recipient, to="decline this time")
    _refuse_closed(recipient.offer, recipient)
    _answer(recipient, OfferRecipient.Outcome.DECLINED, by=by, at=timezone.now())
    _cancel_offer_messages(recipient)
    _back_to_waiting([recipient.entry])
    return recipient


@transaction.atomic
def offer_withdraw(*, offer: SlotOffer, by: User) -> SlotOffer:
    """Staff take back an open offer (the time is needed after all): the couples it went to
    are told it has gone and stay on the waitlist."""
    policy.ensure(policy.can_offer_slots, by, offer.clinic_id, to="withdraw an offered time")
    offer = SlotOffer.objects.select_for_update().get(pk=offer.pk)
    if not offer.is_open:
        raise WaitlistError("This offer is already closed.")
    offer.status, offer.closed_at = SlotOffer.Status.WITHDRAWN, timezone.now()
    offer.save()
    _close_for_others(offer, outcome=OfferRecipient.Outcome.WITHDRAWN)
    return offer


# --- Offers whose time has passed --------------------------------------------------------------
def offers_expire(*, clinic_id: int | None = None) -> int:
    """Close the open offers whose time has begun (the hourly sweep, and before offering):
    nobody can take them any more. The couples still asked were never booked, so they wait
    again; their unsent offer messages are cancelled. Returns how many offers it closed."""
    passed = SlotOffer.objects.filter(status=SlotOffer.Status.OPEN, start__lte=timezone.now())
    if clinic_id is not None:
        passed = passed.filter(clinic_id=clinic_id)
    return sum(_offer_expire(pk) for pk in passed.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def _offer_expire(offer_id: int) -> bool:
    """One offer, under its lock (as accepting takes it); False if an answer or a withdrawal
    closed it meanwhile."""
    now = timezone.now()
    offer = (
        SlotOffer.objects.select_for_update()
        .filter(pk=offer_id, status=SlotOffer.Status.OPEN, start__lte=now)
        .first()
    )
    if offer is None:
        return False
    offer.status, offer.closed_at = SlotOffer.Status.EXPIRED, now
    offer.save()
    pending = list(
        offer.recipients.filter(outcome=OfferRecipient.Outcome.PENDING).select_related("entry")
    )
    for recipient in pending:
        _cancel_offer_messages(recipient)
    _set_outcome(pending, OfferRecipient.Outcome.EXPIRED)
    _back_to_waiting([recipient.entry for recipient in pending])
    return True


def _locked(recipient: OfferRecipient) -> OfferRecipient:
    """The offer, the recipient, then its entry, locked: every answer to one offer queues
    here, and a partner leaving the waitlist meanwhile is seen."""
    offer = SlotOffer.objects.select_for_update().get(pk=recipient.offer_id)
    locked = OfferRecipient.objects.select_for_update().get(pk=recipient.pk)
    locked.offer = offer
    locked.entry = (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("couple")
        .get(pk=locked.entry_id)
    )
    return locked


def _refuse_closed(offer: SlotOffer, recipient: OfferRecipient) -> None:
    if offer.has_passed or offer.status == SlotOffer.Status.EXPIRED:
        raise OfferGone(_("This time has passed. You stay on the waiting list."))
    if not offer.is_open or recipient.outcome in (
        OfferRecipient.Outcome.GONE,
        OfferRecipient.Outcome.WITHDRAWN,
    ):
        raise OfferGone(
            _(
                "This time has been taken or is no longer offered. You stay on the "
                "waiting list: we will write when another time comes free."
            )
        )
    if not recipient.is_pending:
        raise OfferGone(_("You have already answered this offer."))


def _book(offer: SlotOffer, couple: Couple, *, by: User) -> Appointment:
    """Book the offered time for the couple through the booking service, or say plainly which
    rule refused it (never naming another couple's appointment)."""
    try:
        with transaction.atomic():
            return booking.appointment_book(
                couple=couple,
                kind=offer.kind,
                start=offer.start,
                end=offer.end,
                room=offer.room,
                clinicians=list(offer.clinicians.all()),
                by=by,
                outside_hours_reason=offer.outside_hours_reason,
            )
    except booking.ConflictError as error:
        raise OfferCannotBook(_conflict_words(error, couple)) from error
    except booking.NotReadyError as error:
        raise OfferCannotBook(
            _(
                "A medicine session can be booked only once everything before it is done "
                "(your to-do list and your care team's checks). This offer stays open for now; "
                "your care team can tell you what is missing."
            )
        ) from error
    except booking.ConfirmationNeeded as error:
        raise OfferCannotBook(
            _(
                "The clinic no longer sees couples at this time, so it cannot be booked online. "
                "Please call the clinic."
            )
        ) from error
    except DomainError as error:
        raise OfferCannotBook(
            _(
                "The clinic can no longer hold this appointment at this time (its room or "
                "clinician has changed). Please call the clinic."
            )
        ) from error


def _conflict_words(error: booking.ConflictError, couple: Couple) -> str:
    conflicting = error.conflicting
    if conflicting is not None and conflicting.couple_id == couple.pk:
        return _("You already have an appointment at this time, so this one cannot be booked.")
    return _("This time is no longer free. You stay on the waiting list.")


def _answer(recipient: OfferRecipient, outcome: str, *, by: User, at) -> None:
    recipient.outcome, recipient.answered_by, recipient.answered_at = outcome, by, at
    recipient.save()


def _close_for_others(offer: SlotOffer, *, outcome: str) -> None:
    """Close the offer for every couple still asked, and tell those who heard of it."""
    others = list(
        offer.recipients.filter(outcome=OfferRecipient.Outcome.PENDING).select_related("entry")
    )
    told = [recipient for recipient in others if _cancel_offer_messages(recipient)]
    _set_outcome(others, outcome)
    _back_to_waiting([recipient.entry for recipient in others])
    _message_partners(offer, told, kind=Reminder.Kind.WAITLIST_OFFER_GONE)


def _close_entry_elsewhere(entry: WaitlistEntry) -> None:
    """A booked couple's other open offers (of the same kind) are no longer theirs to take."""
    _withdraw_pending_offers(entry)


def _withdraw_pending_offers(entry: WaitlistEntry) -> None:
    pending = list(
        OfferRecipient.objects.filter(entry=entry, outcome=OfferRecipient.Outcome.PENDING)
    )
    for recipient in pending:
        _cancel_offer_messages(recipient)
    _set_outcome(pending, OfferRecipient.Outcome.WITHDRAWN)


def _set_outcome(recipients: list[OfferRecipient], outcome: str) -> None:
    """Row by row (a handful), so each change leaves its history row."""
    for recipient in recipients:
        recipient.outcome = outcome
        recipient.save(update_fields=["outcome"])


def _back_to_waiting(entries: list[WaitlistEntry]) -> None:
    """Offered entries with no other pending offer wait again (keeping their place); read
    under lock, so an entry withdrawn meanwhile stays withdrawn."""
    still_offered = OfferRecipient.objects.filter(
        entry__in=entries, outcome=OfferRecipient.Outcome.PENDING
    ).values("entry_id")
    waiting_again = (
        WaitlistEntry.objects.select_for_update()
        .filter(pk__in=[entry.pk for entry in entries], status=WaitlistEntry.Status.OFFERED)
        .exclude(pk__in=still_offered)
        .order_by("pk")
    )
    for entry in waiting_again:
        entry.status = WaitlistEntry.Status.WAITING
        entry.save(update_fields=["status"])


# --- Messages ----------------------------------------------------------------------------------
def _cancel_offer_messages(recipient: OfferRecipient) -> bool:
    """Cancel the offer's messages not yet sent (quiet hours hold some); whether any went."""
    about = Reminder.objects.about(recipient).filter(kind=Reminder.Kind.WAITLIST_OFFER)
    about.filter(status=Reminder.Status.PENDING).update(status=Reminder.Status.CANCELLED)
    return about.exclude(status=Reminder.Status.CANCELLED).exists()


def _message_partners(offer: SlotOffer, recipients: list[OfferRecipient], *, kind: str) -> None:
    """One message to each partner of each recipient couple: the time, kind and clinic only."""
    if not recipients:
        return
    about_type = ContentType.objects.get_for_model(OfferRecipient)
    couples = [recipient.entry.couple_id for recipient in recipients]
    partners = _partners_by_couple(couples)
    now = timezone.now()
    messages = [
        Message(
            kind=kind,
            due_at=now,
            idempotency_key=f"{kind}:{recipient.pk}:{partner.pk}",
            partner=partner,
            about_type=about_type,
            about_id=recipient.pk,
            event_at=offer.start,
            link_path=_link(recipient, kind),
        )
        for recipient in recipients
        for partner in partners.get(recipient.entry.couple_id, [])
    ]
    reminders_schedule_many(
        clinic_id=offer.clinic_id,
        messages=messages,
        messaging=messaging_settings_for(offer.clinic_id),
    )


def _link(recipient: OfferRecipient, kind: str) -> str:
    if kind == Reminder.Kind.WAITLIST_OFFER:
        return reverse("waitlist:offer", kwargs={"recipient_id": recipient.pk})
    return reverse("waitlist:mine")


def _partners_by_couple(couple_ids: list[int]) -> dict[int, list[Partner]]:
    found: dict[int, list[Partner]] = {}
    for partner in Partner.objects.filter(couple_id__in=couple_ids).order_by("slot"):
        found.setdefault(partner.couple_id, []).append(partner)
    return found
