"""The waitlist: couples waiting for a kind of appointment, and cancelled slots offered to them.

Preferred weekdays and times of day are bit sets (bit n = weekday n, Monday 0; bit n = the
n-th `TimeOfDay`), so the database can check them and match a slot with one expression on
PostgreSQL and on the embedded SQLite alike.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from intake.models import Couple
from kapcouples.models import Clinic, Room
from sessions.models import Appointment, Weekday

ALL_WEEKDAYS = 0b1111111

# The kind of an offered appointment in a partner's sentence ("… has come free: a
# preparation session on …"); an offer message names only this, the time and the clinic.
KIND_PHRASES = {
    Appointment.Kind.ASSESSMENT: _("an assessment"),
    Appointment.Kind.PREPARATION: _("a preparation session"),
    Appointment.Kind.MEDICINE: _("a medicine session"),
    Appointment.Kind.INTEGRATION: _("an integration session"),
    Appointment.Kind.OTHER: _("an appointment"),
}
# The same, as a heading or list item of the partner's pages.
KIND_LABELS = {
    Appointment.Kind.ASSESSMENT: _("Assessment"),
    Appointment.Kind.PREPARATION: _("Preparation session"),
    Appointment.Kind.MEDICINE: _("Medicine session"),
    Appointment.Kind.INTEGRATION: _("Integration session"),
    Appointment.Kind.OTHER: _("Appointment"),
}


class TimeOfDay(models.IntegerChoices):
    """Windows of the clinic's day (clinic-local): a slot matches the window it starts in."""

    MORNING = 0, _("Morning (before 12:00)")
    AFTERNOON = 1, _("Afternoon (12:00–17:00)")
    EVENING = 2, _("Evening (from 17:00)")


ALL_TIMES = 0b111
# Where each window starts (clinic-local), latest first for `time_of_day`.
WINDOW_STARTS = [
    (datetime.time(17, 0), TimeOfDay.EVENING),
    (datetime.time(12, 0), TimeOfDay.AFTERNOON),
    (datetime.time(0, 0), TimeOfDay.MORNING),
]


def time_of_day(local: datetime.time) -> TimeOfDay:
    return next(window for starts, window in WINDOW_STARTS if local >= starts)


def bits_of(values) -> int:
    return sum(1 << int(value) for value in set(values))


def values_of(bits: int, count: int) -> list[int]:
    return [n for n in range(count) if bits & (1 << n)]


class WaitlistEntryQuerySet(models.QuerySet):
    def open(self) -> "WaitlistEntryQuerySet":
        return self.filter(status__in=WaitlistEntry.OPEN_STATUSES)


class WaitlistEntry(models.Model):
    """One couple waiting for one kind of appointment: at most one open entry per kind."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a time")
        BOOKED = "booked", _("Booked")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.WAITING, Status.OFFERED)

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="waitlist_entries")
    kind = models.CharField(max_length=20, choices=Appointment.Kind.choices)
    weekdays = models.PositiveSmallIntegerField(
        default=ALL_WEEKDAYS, help_text="Bit set: bit 0 Monday … bit 6 Sunday."
    )
    times_of_day = models.PositiveSmallIntegerField(
        default=ALL_TIMES, help_text="Bit set of TimeOfDay."
    )
    earliest_date = models.DateField(help_text="No offer for a slot before this day.")
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    booked_appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = WaitlistEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "waitlist entries"
        indexes = [
            models.Index(
                fields=["clinic", "kind", "created_at"],
                condition=models.Q(status__in=["waiting", "offered"]),
                name="waitlist_open_by_kind",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["couple", "kind"],
                condition=models.Q(status__in=["waiting", "offered"]),
                name="waitlist_one_open_entry_per_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(weekdays__range=(1, ALL_WEEKDAYS))
                & models.Q(times_of_day__range=(1, ALL_TIMES)),
                name="waitlist_some_day_and_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="booked") | models.Q(booked_appointment__isnull=False),
                name="waitlist_booked_names_appointment",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="withdrawn")
                | models.Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="waitlist_withdrawn_by_and_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Waitlist entry #{self.pk} ({self.kind})"

    @property
    def weekday_list(self) -> list[int]:
        return values_of(self.weekdays, 7)

    @property
    def time_list(self) -> list[int]:
        return values_of(self.times_of_day, len(TimeOfDay))

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_offered(self) -> bool:
        return self.status == self.Status.OFFERED

    @property
    def status_now_display(self) -> str:
        """The status as it stands now: offered only a time that has passed is waiting again,
        before the sweep says so (needs the selectors' `offered_now` annotation)."""
        if self.is_offered and not getattr(self, "offered_now", True):
            return self.Status.WAITING.label
        return self.get_status_display()

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def weekday_labels(self) -> list[str]:
        if len(self.weekday_list) == 7:
            return ["any day"]
        return [Weekday(day).label[:3] for day in self.weekday_list]

    @property
    def time_labels(self) -> list[str]:
        if len(self.time_list) == len(TimeOfDay):
            return ["any time"]
        return [str(TimeOfDay(time).label).split(" (")[0].lower() for time in self.time_list]


class SlotOffer(models.Model):
    """A cancelled appointment's time, room and clinicians, offered to waitlisted couples.

    The slot is copied: the cancelled appointment keeps its own record unchanged, and the
    booking made on acceptance is a new appointment checked by the booking service then.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        TAKEN = "taken", "Taken"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired: its time passed"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    cancelled_appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="slot_offers"
    )
    kind = models.CharField(max_length=20, choices=Appointment.Kind.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+")
    clinicians = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    # The cancelled booking's confirmed reason, if it lay outside opening hours: the new
    # booking of the same time carries it (the hours are still checked at acceptance).
    outside_hours_reason = models.CharField(max_length=300, blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    offered_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    booked_appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-offered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cancelled_appointment"],
                condition=models.Q(status="open"),
                name="slot_offer_one_open_per_appointment",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="slot_offer_ends_after_start"
            ),
            models.CheckConstraint(
                condition=(models.Q(status="taken") & models.Q(booked_appointment__isnull=False))
                | (~models.Q(status="taken") & models.Q(booked_appointment__isnull=True)),
                name="slot_offer_taken_iff_booked",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(closed_at__isnull=False),
                name="slot_offer_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Offer #{self.pk} of {self.kind} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def has_passed(self) -> bool:
        return self.start <= timezone.now()

    @property
    def is_open(self) -> bool:
        """Open and still to come: an open offer whose time has begun is closed before the
        hourly sweep marks it expired (`services.offers_expire`)."""
        return self.status == self.Status.OPEN and not self.has_passed

    @property
    def status_for_staff(self) -> str:
        if self.status == self.Status.OPEN and self.has_passed:
            return self.Status.EXPIRED.label
        return self.get_status_display()


class OfferRecipient(models.Model):
    """One waitlisted couple an offer went to, and how it ended for them."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for your answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        GONE = "gone", _("Taken by someone else")
        WITHDRAWN = "withdrawn", _("No longer offered")
        EXPIRED = "expired", _("The time has passed")

    offer = models.ForeignKey(SlotOffer, on_delete=models.PROTECT, related_name="recipients")
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.PROTECT, related_name="offers")
    # Who offered the time to this couple: the booking on acceptance is made in their name
    # (several staff may add couples to one open offer).
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "entry"], name="offer_recipient_once"),
            models.UniqueConstraint(
                fields=["offer"],
                condition=models.Q(outcome="accepted"),
                name="offer_accepted_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome__in=["accepted", "declined"])
                | models.Q(answered_at__isnull=False, answered_by__isnull=False),
                name="offer_answer_by_and_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Offer #{self.offer_id} to entry #{self.entry_id} ({self.outcome})"

    @property
    def is_pending(self) -> bool:
        return self.outcome == self.Outcome.PENDING

    @property
    def is_accepted(self) -> bool:
        return self.outcome == self.Outcome.ACCEPTED

    @property
    def outcome_for_staff(self) -> str:
        """The outcome as the front desk reads it (the choices' labels speak to the partner).
        Still pending on an offer whose time has begun reads as expired (`SlotOffer.is_open`)."""
        if self.is_pending and self.offer.has_passed:
            return STAFF_OUTCOME_WORDS[self.Outcome.EXPIRED]
        return STAFF_OUTCOME_WORDS[self.outcome]


STAFF_OUTCOME_WORDS = {
    OfferRecipient.Outcome.PENDING: "no answer yet",
    OfferRecipient.Outcome.ACCEPTED: "accepted: booked",
    OfferRecipient.Outcome.DECLINED: "declined, still waiting",
    OfferRecipient.Outcome.GONE: "told it has gone, still waiting",
    OfferRecipient.Outcome.WITHDRAWN: "offer withdrawn",
    OfferRecipient.Outcome.EXPIRED: "the time passed unanswered, still waiting",
}
