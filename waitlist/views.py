"""Waitlist pages: staff list per kind, adding a couple, offering a cancelled time; the
partner's own entries and the offer they answer. Objects come through the helpers below."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kapcouples import policy
from kapcouples.models import Role
from kapcouples.services import DomainError
from sessions.models import Appointment
from sessions.views.common import get_appointment_for_staff, get_couple_for_staff
from waitlist import selectors, services
from waitlist.forms import EntryForm, OfferForm
from waitlist.models import KIND_LABELS, OfferRecipient, SlotOffer, WaitlistEntry

PAGE_SIZE = 25
PARTNERS_AND_WAITLIST_STAFF = (*policy.WAITLIST_STAFF, Role.PARTNER)


def _get_entry(request: HttpRequest, entry_id: int) -> WaitlistEntry:
    """An entry its couple's partners or the staff managing it may close; 404 to others."""
    entry = get_object_or_404(WaitlistEntry.objects.select_related("couple"), pk=entry_id)
    if not policy.can_withdraw_from_waitlist(request.user, entry):
        policy.deny(request, reason="waitlist entry of another couple", obj=entry, hide=True)
    return entry


def _get_recipient(request: HttpRequest, recipient_id: int) -> OfferRecipient:
    """An offer as its couple received it; 404 to anyone else (others' offers are private)."""
    recipient = selectors.recipient_for_partner(recipient_id)
    if recipient is None or not policy.can_answer_offer(request.user, recipient):
        policy.deny(request, reason="offer made to another couple", obj=recipient, hide=True)
    return recipient


def _get_offer(request: HttpRequest, offer_id: int) -> SlotOffer:
    offer = get_object_or_404(SlotOffer, pk=offer_id)
    if not policy.can_offer_slots(request.user, offer.clinic_id):
        policy.deny(request, reason="offer of another clinic", obj=offer, hide=True)
    return offer


def _error(form, error: DomainError) -> None:
    form.add_error(getattr(error, "field", None), str(error))


# --- Staff --------------------------------------------------------------------------------------
@policy.allow(*policy.WAITLIST_STAFF)
def entry_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in Appointment.Kind.values else ""
    entries = selectors.entries_for_user(request.user, kind=kind)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "kind": kind, "kinds": Appointment.Kind.choices}
    return render(request, "waitlist/entry_list.html", context)


@policy.allow(*policy.WAITLIST_STAFF)
def entry_add(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = get_couple_for_staff(request, couple_id)
    today = timezone.localdate(timezone=couple.clinic.zone)
    initial = {"weekdays": list(range(5)), "times_of_day": [0, 1, 2], "earliest_date": today}
    form = EntryForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_add(couple=couple, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _error(form, error)
        else:
            messages.success(request, "The couple is on the waitlist.")
            return redirect("waitlist:entry_list")
    return render(request, "waitlist/entry_form.html", {"couple": couple, "form": form})


@policy.allow(*PARTNERS_AND_WAITLIST_STAFF)
@require_POST
def entry_withdraw(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _get_entry(request, entry_id)
    try:
        services.entry_withdraw(entry=entry, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Taken off the waiting list."))
    if policy.role_of(request.user) == Role.PARTNER:
        return redirect("waitlist:mine")
    return redirect("waitlist:entry_list")


@policy.allow(*policy.WAITLIST_STAFF)
def slot(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """A cancelled appointment's time: the waiting couples it matches, and offering it."""
    appointment = get_appointment_for_staff(request, appointment_id)
    matches = selectors.matching_entries(appointment, request.user)
    form = OfferForm(request.POST if request.method == "POST" else None, matches=matches)
    if request.method == "POST" and form.is_valid():
        chosen = [m.entry for m in matches if m.entry.pk in form.cleaned_data["entries"]]
        try:
            services.offer_send(appointment=appointment, entries=chosen, by=request.user)
        except DomainError as error:
            _error(form, error)
        else:
            messages.success(
                request, f"Offered to {len(chosen)} couple(s); first to accept gets it."
            )
            return redirect("waitlist:slot", appointment_id=appointment.pk)
    context = {
        "appointment": appointment,
        "matches": matches,
        "form": form,
        "offers": selectors.offers_of_appointment(appointment),
        "offerable": appointment.status == Appointment.Status.CANCELLED
        and appointment.start > timezone.now(),
    }
    return render(request, "waitlist/slot.html", context)


@policy.allow(*policy.WAITLIST_STAFF)
@require_POST
def offer_withdraw(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = _get_offer(request, offer_id)
    try:
        services.offer_withdraw(offer=offer, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The offer is withdrawn; the couples were told.")
    return redirect("waitlist:slot", appointment_id=offer.cancelled_appointment_id)


# --- Partners -----------------------------------------------------------------------------------
@policy.allow(*policy.PARTNERS)
def mine(request: HttpRequest) -> HttpResponse:
    partner = request.user.partner_profile
    context = {
        "entries": selectors.entries_of_couple(partner),
        "offers": selectors.open_offers_for(partner, now=timezone.now()),
    }
    return render(request, "waitlist/mine.html", context)


@policy.allow(*policy.PARTNERS)
def offer(request: HttpRequest, recipient_id: int) -> HttpResponse:
    recipient = _get_recipient(request, recipient_id)
    problem = ""
    if request.method == "POST":
        answer = services.offer_accept if "accept" in request.POST else services.offer_decline
        try:
            answer(recipient=recipient, by=request.user)
        except DomainError as error:
            problem = str(error)
            recipient = _get_recipient(request, recipient_id)
        else:
            done = (
                _("Booked: it is in your appointments.")
                if "accept" in request.POST
                else _("Thank you: you stay on the waiting list.")
            )
            messages.success(request, done)
            return redirect("portal")
    context = {
        "recipient": recipient,
        "offer": recipient.offer,
        "kind_label": KIND_LABELS[recipient.offer.kind],
        "answerable": recipient.is_pending
        and recipient.offer.is_open
        and recipient.offer.start > timezone.now(),
        "problem": problem,
    }
    return render(request, "waitlist/offer.html", context)
