"""Group programs (retreats and groups), the couples enrolled, their shared sessions and
the facilitators' group-level notes.

A group session is booked once; it holds one `sessions.Appointment` per enrolled couple
(a "seat", `Appointment.group_session`), so each couple keeps its own readiness gate,
medicine-session record, doses, vitals and discharge. The seats of one group session
share its room; the room exclusion constraint (sessions migration 0008) allows that and
nothing else.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from intake.models import Couple
from kapcouples.models import Clinic, Room

MAX_GROUP_COUPLES = 24
NOTE_MAX_CHARS = 5000


class GroupProgram(models.Model):
    class Kind(models.TextChoices):
        RETREAT = "retreat", _("Retreat")
        GROUP = "group", _("Group program")

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="group_programs")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GROUP)
    starts_on = models.DateField()
    ends_on = models.DateField()
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="group_programs")
    capacity = models.PositiveSmallIntegerField(
        "couples at most", help_text=f"2–{MAX_GROUP_COUPLES}; no more than the room seats."
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_programs"
    )
    # Whether partners see the first names of the other participants (default: nobody's).
    share_first_names = models.BooleanField(
        "show partners the other participants' first names", default=False
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[facilitators])

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="group_program_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__range=(2, MAX_GROUP_COUPLES)),
                name="group_program_capacity_2_to_24",
            ),
            models.CheckConstraint(
                condition=models.Q(name__regex=r"\S"), name="group_program_name_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The program must end on or after its first day."})


class GroupEnrolment(models.Model):
    """A couple in a program. A couple is in at most one open program at a time: its
    readiness, preparation and sessions then count towards one schedule only."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        WITHDRAWN = "withdrawn", "Withdrawn"
        COMPLETED = "completed", "Completed"

    program = models.ForeignKey(GroupProgram, on_delete=models.PROTECT, related_name="enrolments")
    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="group_enrolments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ENROLLED)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["enrolled_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["couple"],
                condition=models.Q(status="enrolled"),
                name="group_couple_in_one_program_at_a_time",
            ),
            models.UniqueConstraint(
                fields=["program", "couple"],
                condition=models.Q(status="enrolled"),
                name="group_couple_enrolled_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="withdrawn") | models.Q(withdrawn_reason__regex=r"\S"),
                name="group_withdrawal_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Couple {self.couple_id} in {self.program_id}"


class GroupSession(models.Model):
    """One session booked once for every couple enrolled; its seats are appointments."""

    class Kind(models.TextChoices):
        PREPARATION = "preparation", _("Group preparation")
        MEDICINE = "medicine", _("Group medicine session")
        SHARING = "sharing", _("Group sharing")

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED = "cancelled", "Cancelled"

    program = models.ForeignKey(GroupProgram, on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="group_sessions")
    # The room's seats when booked (the room may change later): seats never exceed it.
    room_capacity = models.PositiveSmallIntegerField()
    seats_booked = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["program", "start"], name="group_session_program_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="group_session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(seats_booked__gte=1)
                & models.Q(seats_booked__lte=models.F("room_capacity")),
                name="group_session_seats_within_room",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | models.Q(cancel_reason__regex=r"\S"),
                name="group_session_cancel_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.program_id}"

    @property
    def is_medicine(self) -> bool:
        return self.kind == self.Kind.MEDICINE


class GroupNote(models.Model):
    """A facilitator's group-level note on a group session: append-only, never about one
    couple (per-couple notes stay on that couple's integration notes)."""

    group_session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField(max_length=NOTE_MAX_CHARS)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["written_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(text__regex=r"\S"), name="group_note_not_blank"
            )
        ]

    def __str__(self) -> str:
        return f"Group note #{self.pk}"
