"""Reads of the waitlist, scoped to the user: lists per kind, the couples a slot matches,
a partner's own entries and open offers."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import formats, timezone

from intake import selectors as intake_selectors
from intake.models import Partner
from kapcouples import policy
from kapcouples.prepared import PreparedRows
from sessions.models import Appointment, Weekday
from waitlist.models import (
    KIND_PHRASES,
    OfferRecipient,
    SlotOffer,
    TimeOfDay,
    WaitlistEntry,
    time_of_day,
)

MATCHES_MOST = 50


def offer_kind_words(reminder) -> str:
    """An offer message's words for the kind (rendering calls it in the partner's language)."""
    recipient = OfferRecipient.objects.select_related("offer").filter(pk=reminder.about_id).first()
    return str(KIND_PHRASES[recipient.offer.kind]) if recipient else ""


def entries_for_user(user, *, kind: str = "") -> QuerySet[WaitlistEntry]:
    """Open entries of the couples the user may list (front desk: the clinic's; clinicians:
    their own couples), longest waiting first. `offered_now`: a time offered to them is still
    open and to come (an entry offered a time that has passed is waiting, sweep or not)."""
    couples = intake_selectors.couples_for_user(user)
    entries = (
        WaitlistEntry.objects.open()
        .filter(clinic_id=policy.staff_clinic_id(user), couple__in=couples.values("pk"))
        .annotate(offered_now=_offered_now())
        .select_related("couple")
        .prefetch_related("couple__partners")
        .order_by("created_at", "pk")
    )
    return entries.filter(kind=kind) if kind else entries


def _offered_now() -> Exists:
    """The entry has an answer pending on an offer still open and to come."""
    return Exists(
        OfferRecipient.objects.filter(
            entry=OuterRef("pk"),
            outcome=OfferRecipient.Outcome.PENDING,
            offer__status=SlotOffer.Status.OPEN,
            offer__start__gt=timezone.now(),
        )
    )


@dataclass(frozen=True)
class Match:
    entry: WaitlistEntry
    reasons: list[str]


def slot_facts(appointment: Appointment) -> tuple[datetime.date, int, TimeOfDay]:
    """The slot's clinic-local day, weekday and window of the day."""
    local = appointment.start.astimezone(appointment.clinic.zone)
    return local.date(), local.weekday(), time_of_day(local.time())


def matching_entries(appointment: Appointment, user) -> list[Match]:
    """Couples waiting for this slot's kind, on its weekday and time of day, from its day on
    (not the couple who cancelled), that `user` may offer it to: longest waiting first, each
    with why it matches. One query."""
    day, weekday, window = slot_facts(appointment)
    found = (
        entries_for_user(user, kind=appointment.kind)
        .filter(offered_now=False, earliest_date__lte=day)
        .exclude(couple_id=appointment.couple_id)
        .annotate(day_bit=F("weekdays").bitand(1 << weekday))
        .annotate(time_bit=F("times_of_day").bitand(1 << int(window)))
        .filter(Q(day_bit__gt=0) & Q(time_bit__gt=0))
    )
    zone = appointment.clinic.zone
    return [
        Match(entry, _reasons(entry, weekday, window, day, zone)) for entry in found[:MATCHES_MOST]
    ]


def _reasons(entry: WaitlistEntry, weekday: int, window: TimeOfDay, day, zone) -> list[str]:
    joined = timezone.localtime(entry.created_at, zone).date()
    waited = max((day - joined).days, 0)
    return [
        f"waiting since {formats.date_format(joined, 'j M Y')} ({waited} days by the slot)",
        "any weekday"
        if len(entry.weekday_list) == 7
        else f"{Weekday(weekday).label} is one of their days",
        "any time of day"
        if len(entry.time_list) == len(TimeOfDay)
        else f"the {_window_name(window)} suits them",
        f"from {formats.date_format(entry.earliest_date, 'j M')}",
    ]


def _window_name(window: TimeOfDay) -> str:
    return {TimeOfDay.MORNING: "morning", TimeOfDay.AFTERNOON: "afternoon"}.get(window, "evening")


def offers_of_appointment(appointment: Appointment) -> list[SlotOffer]:
    """The offers made of a cancelled appointment's time, latest first, with recipients."""
    return list(
        SlotOffer.objects.filter(cancelled_appointment=appointment)
        .select_related("booked_appointment__couple")
        .prefetch_related("recipients__entry__couple__partners")
    )


def recipient_for_partner(recipient_id: int) -> OfferRecipient | None:
    return (
        OfferRecipient.objects.select_related(
            "offer__room", "offer__clinic", "entry__couple", "offer__booked_appointment"
        )
        .filter(pk=recipient_id)
        .first()
    )


def open_offers_for(partner: Partner, *, now: datetime.datetime) -> list[OfferRecipient]:
    """Times offered to the partner's couple that are still open and in the future."""
    return _OPEN_OFFERS.rows(None, couple_id=partner.couple_id, now=now)


# On every portal page: its SQL built once per process (kapcouples.prepared).
_OPEN_OFFERS = PreparedRows(
    lambda _shape, couple_id, now: (
        OfferRecipient.objects.filter(
            entry__couple_id=couple_id,
            outcome=OfferRecipient.Outcome.PENDING,
            offer__status=SlotOffer.Status.OPEN,
            offer__start__gt=now,
        )
        .select_related("offer")
        .order_by("offer__start")
    )
)


def entries_of_couple(partner: Partner) -> list[WaitlistEntry]:
    entries = WaitlistEntry.objects.open().filter(couple_id=partner.couple_id)
    return list(entries.annotate(offered_now=_offered_now()))
