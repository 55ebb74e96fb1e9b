"""Alerts for the care team, the outbox of messages, check-ins and integration notes."""

from datetime import time

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from intake.models import Couple, Partner
from kapcouples.choices import QuickChoiceLabels
from kapcouples.models import Clinic


class Alert(models.Model):
    """Something the care team must act on: acknowledged (someone is on it), then resolved
    with a note of what was done; never deleted, every change kept in its history."""

    class Kind(models.TextChoices):
        SUICIDE_RISK = "suicide_risk", "Suicide risk (questionnaire)"
        PTSD_PATTERN = "ptsd_pattern", "PTSD pattern (PCL-5)"
        MISSING_INTEGRATION = "missing_integration", "Integration session not held in time"
        ADVERSE_EVENT = "adverse_event", "Serious adverse event"
        HOLD_READING = "hold_reading", "Blood pressure hold not resolved"
        INTAKE_OVERDUE = "intake_overdue", "Intake not submitted in time"
        REVIEW_EXPIRING = "review_expiring", "Contraindication review about to expire"
        PRESCRIPTION_EXPIRING = "prescription_expiring", "Prescription about to expire"
        CHECKIN_LOW_CONNECTION = "checkin_low_connection", "Check-in: low or falling connection"
        CHECKIN_CRISIS_WORDS = "checkin_crisis_words", "Check-in: words of crisis or self-harm"
        CHECKIN_CONTACT_REQUEST = "checkin_contact_request", "Check-in: asks to be contacted"
        OTHER = "other", "Other"
        MESSAGE_CRISIS_WORDS = "message_crisis_words", "Secure message: words of crisis"
        HOME_HOLD = "home_hold", "At home: blood pressure at the hold level"
        HOME_CHECK_MISSED = "home_check_missed", "At home: chaperone check missed"
        HOME_CONCERN = "home_concern", "At home: the chaperone reports a concern"

    class Urgency(models.TextChoices):
        URGENT = "urgent", "Urgent"
        ROUTINE = "routine", "Routine"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="alerts")
    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="alerts")
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    message = models.CharField(max_length=500)
    # Set by the raiser so that the same event never raises the same alert twice.
    dedupe_key = models.CharField(max_length=200, unique=True)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True, max_length=2000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["acknowledged_at", "-raised_at"]
        indexes = [
            models.Index(fields=["clinic", "acknowledged_at"], name="alert_clinic_open"),
            models.Index(fields=["couple", "-raised_at"], name="alert_couple_recent"),
            models.Index(
                fields=["clinic", "-raised_at"],
                condition=models.Q(resolved_at__isnull=True),
                name="alert_clinic_unresolved",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | models.Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="alert_acknowledged_by_and_at_together",
            ),
            # Resolved: by someone, at a time, saying what was done, after acknowledging.
            models.CheckConstraint(
                condition=models.Q(
                    resolved_at__isnull=True, resolved_by__isnull=True, resolution_note=""
                )
                | (
                    models.Q(
                        resolved_at__isnull=False,
                        resolved_by__isnull=False,
                        acknowledged_at__isnull=False,
                    )
                    & ~models.Q(resolution_note="")
                ),
                name="alert_resolved_with_a_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()}: {self.get_kind_display()}"


# --- Messaging: clinic settings and the outbox ------------------------------------------
DRUG_WORDS = ("ketamine", "esketamine", "spravato", "ketalar")
DEFAULT_PREPARATION_GUIDANCE = (
    "Arrange for someone to take you home afterwards: you may not drive until the next day.\n"
    "Bring comfortable clothes, an eye mask if you like one, and anything that helps you "
    "feel at ease.\n"
    "Have a light meal no later than 4 hours before, and only clear fluids in the last 2 hours."
)


def validate_no_drug_names(value: str) -> None:
    """Messages go to phones and inboxes others may see: they never name the medicine."""
    found = [word for word in DRUG_WORDS if word in value.lower()]
    if found:
        raise ValidationError(
            f"Messages must not name the medicine ({', '.join(found)}); "
            "describe the session instead, e.g. “your session”."
        )


def validate_checkin_days(value: str) -> None:
    try:
        days = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise ValidationError("List whole days after the session, e.g. 1,3,7,14.") from None
    if not days or any(day < 0 or day > 90 for day in days):
        raise ValidationError("Give at least one day, each between 0 and 90, e.g. 1,3,7,14.")


QUESTIONNAIRE_EVENTS = {
    "before_medicine": "before each medicine session",
    "after_medicine": "after each medicine session",
    "assessment": "at assessment",
    "after_integration": "after each integration session",
    "program_end": "at program end",
}


def default_questionnaire_schedule() -> list[dict]:
    """The default measurement-based care schedule (instrument, event, days after it)."""
    return [
        {"code": "PHQ-9", "event": "before_medicine"},
        {"code": "GAD-7", "event": "before_medicine"},
        # Sent inside its validity window before the session (see integration.hooks).
        {"code": "C-SSRS", "event": "before_medicine"},
        {"code": "PHQ-9", "event": "after_medicine", "days": 7},
        {"code": "GAD-7", "event": "after_medicine", "days": 7},
        {"code": "PCL-5", "event": "assessment"},
        {"code": "PCL-5", "event": "program_end"},
        {"code": "CSI-4", "event": "assessment"},
        {"code": "CSI-4", "event": "after_integration"},
        {"code": "CSI-4", "event": "program_end"},
    ]


def validate_questionnaire_schedule(value) -> None:
    codes = {"PHQ-9", "GAD-7", "PCL-5", "C-SSRS", "CSI-4"}
    for entry in value if isinstance(value, list) else [None]:
        if (
            not isinstance(entry, dict)
            or entry.get("code") not in codes
            or entry.get("event") not in QUESTIONNAIRE_EVENTS
            or not isinstance(entry.get("days", 0), int)
        ):
            raise ValidationError(
                f"Each schedule entry needs a code ({', '.join(sorted(codes))}), an event "
                f"({', '.join(QUESTIONNAIRE_EVENTS)}) and optionally whole days, e.g. "
                '{"code": "PHQ-9", "event": "after_medicine", "days": 7}.'
            )


class MessagingSettings(models.Model):
    """A clinic's message timing (the defaults are those of DESIGN.md section 6)."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.PROTECT, related_name="messaging_settings"
    )
    appointment_reminder_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Reminder this many hours before an appointment."
    )
    preparation_instructions_hours = models.PositiveSmallIntegerField(
        default=48, help_text="Preparation instructions this many hours before a medicine session."
    )
    checkin_days = models.CharField(
        max_length=50,
        default="1,3,7,14",
        validators=[validate_checkin_days],
        help_text="Days after a medicine session on which each partner gets a check-in prompt.",
    )
    intake_nudge_days = models.PositiveSmallIntegerField(
        default=3, help_text="Nudge a partner whose intake is not submitted after this many days."
    )
    # An alert, not a message: the care team hears of a partner still without an intake.
    intake_overdue_alert_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Alert the care team when a partner's intake is not submitted this many days "
        "after their first invitation.",
    )
    expiry_alert_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Alert the care team this many days before a contraindication review or "
        "prescription of a partner in the program expires.",
    )
    quiet_start = models.TimeField(default=time(21, 0), help_text="In each partner's time zone.")
    quiet_end = models.TimeField(default=time(8, 0), help_text="In each partner's time zone.")
    preparation_guidance = models.TextField(
        default=DEFAULT_PREPARATION_GUIDANCE, validators=[validate_no_drug_names]
    )
    sms_enabled = models.BooleanField(default=False, help_text="Send text messages at all.")
    questionnaire_schedule = models.JSONField(
        default=default_questionnaire_schedule, validators=[validate_questionnaire_schedule]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "messaging settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(intake_overdue_alert_days__range=(1, 90))
                & models.Q(expiry_alert_days__range=(1, 90)),
                name="messaging_alert_days_1_to_90",
            )
        ]

    def __str__(self) -> str:
        return f"Messaging settings of {self.clinic}"

    @property
    def checkin_day_list(self) -> list[int]:
        return sorted({int(part) for part in self.checkin_days.split(",") if part.strip()})


class ReminderQuerySet(models.QuerySet):
    def due(self, now) -> "ReminderQuerySet":
        return self.filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now)

    def about(self, obj) -> "ReminderQuerySet":
        content_type = ContentType.objects.get_for_model(obj)
        return self.filter(about_type=content_type, about_id=obj.pk)


class DeliveryStatus(models.TextChoices):
    """What the SMS provider reports of a text it took: it only ever moves forward."""

    QUEUED = "queued", "Text queued at the provider"
    SENT = "sent", "Text sent to the carrier"
    DELIVERED = "delivered", "Text delivered to the phone"
    UNDELIVERED = "undelivered", "Text not delivered"
    FAILED = "failed", "Text failed at the provider"


class Reminder(QuickChoiceLabels, models.Model):
    """One message in the outbox. The database is the truth; Celery only delivers.

    Written in the same transaction as the event that causes it; the unique
    idempotency key makes writing it twice impossible, the status machine
    (pending → sent | failed | cancelled) makes sending it twice impossible.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    class Kind(models.TextChoices):
        APPOINTMENT_CONFIRMATION = "appointment_confirmation", "Appointment confirmation"
        APPOINTMENT_REMINDER = "appointment_reminder", "Appointment reminder"
        APPOINTMENT_CANCELLED = "appointment_cancelled", "Appointment cancelled"
        APPOINTMENT_MISSED = "appointment_missed", "Missed appointment (no-show)"
        PREPARATION_INSTRUCTIONS = "preparation_instructions", "Preparation instructions"
        CHECKIN_PROMPT = "checkin_prompt", "Integration check-in prompt"
        MISSING_INTEGRATION = "missing_integration", "Integration session not held (staff)"
        # The clock of the integration window: evaluated at its time, never sent itself.
        INTEGRATION_CHECK = "integration_check", "Integration window check (not sent)"
        URGENT_ALERT = "urgent_alert", "Urgent alert (staff)"
        # The clock of a blood-pressure hold: evaluated at its time, never sent itself.
        HOLD_WATCH = "hold_watch", "Hold reading follow-up (not sent)"
        INTAKE_NUDGE = "intake_nudge", "Intake not submitted"
        QUESTIONNAIRE_DUE = "questionnaire_due", "Questionnaire due"
        CONVERSATION_MESSAGE = "conversation_message", "New secure message"
        REFLECTION_PROMPT = "reflection_prompt", "Shared reflection prompt"
        # The clock of an at-home chaperone check: evaluated at its time, never sent itself.
        CHAPERONE_WATCH = "chaperone_watch", "Chaperone check follow-up (not sent)"
        WAITLIST_OFFER = "waitlist_offer", "Waitlist: a cancelled time offered"
        WAITLIST_OFFER_GONE = "waitlist_offer_gone", "Waitlist: the offered time has gone"
        CHAPERONE_LINK = "chaperone_link", "At home: the chaperone's link"

    # Five million rows and a dozen indexes: each index here is one every message written
    # pays for. The clinic's is led by `reminder_clinic_recent`, the about type's by
    # `reminder_about`; staff and chaperone recipients are few, so theirs are partial.
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="reminders", db_index=False
    )
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="reminders"
    )
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_reminders",
        db_index=False,
    )
    # A named adult who stays with a partner at home (no account). By name only: this app
    # imports no athome code; athome registers what a message to them needs (`chaperones`).
    chaperone = models.ForeignKey(
        "athome.HomeChaperone",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    # What the message is about, by content type and id, so the outbox does not
    # depend on the other apps' models.
    about_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    # The time the message talks about (an appointment's start), shown in the recipient's zone.
    event_at = models.DateTimeField(null=True, blank=True)
    # Where the message's link points (the portal, a check-in, a couple page for staff).
    link_path = models.CharField(max_length=200, default="/")
    due_at = models.DateTimeField(help_text="When the event asked for it to go out.")
    # When the sweep may next try: due_at moved out of quiet hours, then retry backoff.
    next_attempt_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Unique by a constraint, not `unique=True`: that would add a second, `LIKE` index
    # nothing searches with.
    idempotency_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    # A text message's id at the SMS provider, and what the provider last said of it.
    provider_message_id = models.CharField(max_length=64, blank=True)
    delivery_status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, blank=True, default=""
    )
    delivery_updated_at = models.DateTimeField(null=True, blank=True)
    # Why a text message went by email instead (the partner had texted STOP, say).
    fallback_reason = models.CharField(max_length=200, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-due_at"]
        indexes = [
            # The claim query: pending rows by next attempt time, and nothing else.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="reminder_pending_due",
            ),
            models.Index(fields=["about_type", "about_id"], name="reminder_about"),
            models.Index(fields=["clinic", "-due_at"], name="reminder_clinic_recent"),
            models.Index(fields=["clinic", "status", "-due_at"], name="reminder_clinic_status"),
            models.Index(
                fields=["staff_user"],
                condition=models.Q(staff_user__isnull=False),
                name="reminder_staff_user",
            ),
            models.Index(
                fields=["chaperone"],
                condition=models.Q(chaperone__isnull=False),
                name="reminder_chaperone",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="reminder_idempotency_key"),
            models.CheckConstraint(
                condition=models.Q(
                    partner__isnull=False, staff_user__isnull=True, chaperone__isnull=True
                )
                | models.Q(partner__isnull=True, staff_user__isnull=False, chaperone__isnull=True)
                | models.Q(partner__isnull=True, staff_user__isnull=True, chaperone__isnull=False),
                name="reminder_one_recipient",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="reminder_sent_has_sent_at",
            ),
            # A delivery status is reported of a message the provider took, by its id.
            models.CheckConstraint(
                condition=models.Q(delivery_status="")
                | (
                    models.Q(delivery_status__in=DeliveryStatus.values)
                    & ~models.Q(provider_message_id="")
                ),
                name="reminder_delivery_status_has_provider_id",
            ),
            models.CheckConstraint(
                condition=models.Q(fallback_reason="") | models.Q(channel="email"),
                name="reminder_fallback_went_by_email",
            ),
            models.UniqueConstraint(
                fields=["provider_message_id"],
                condition=~models.Q(provider_message_id=""),
                name="reminder_provider_message_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_label} ({self.get_status_display()})"

    @property
    def recipient_label(self) -> str:
        if self.chaperone_id:
            return str(self.chaperone)
        return str(self.partner) if self.partner_id else str(self.staff_user)

    @property
    def not_delivered(self) -> bool:
        """The provider gave up on this text (the outbox shows it as a problem)."""
        return self.delivery_status in (DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED)


class ReminderRetry(models.Model):
    """A staff member sent a failed message back to the queue: who, when, and the failure
    it had then (the outbox row keeps only its latest error). Never deleted."""

    reminder = models.ForeignKey(Reminder, on_delete=models.PROTECT, related_name="retries")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    attempts_before = models.PositiveSmallIntegerField()
    error_before = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Retry of reminder {self.reminder_id} by {self.by} at {self.at:%Y-%m-%d %H:%M}"


# --- After the medicine session ----------------------------------------------------------
class CheckIn(models.Model):
    """An integration check-in prompt to one partner, some days after a medicine session.

    Answers are partner-private; each answer has its own choice to share it with the
    other partner. The care team sees all of them.
    """

    SHARE_FIELDS = {
        "came_up": "share_came_up",
        "practice": "share_practice",
        "connection": "share_connection",
    }

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="checkins")
    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="checkins")
    medicine_session = models.ForeignKey(
        "clinic_sessions.MedicineSession", on_delete=models.PROTECT, related_name="checkins"
    )
    day = models.PositiveSmallIntegerField(help_text="Days after the medicine session.")
    due_at = models.DateTimeField()
    came_up = models.TextField("What came up for you?", max_length=3000, blank=True)
    practice = models.TextField("What do you want to practise?", max_length=3000, blank=True)
    connection = models.PositiveSmallIntegerField(
        "How connected do you feel to your partner? (0–10)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
    )
    share_came_up = models.BooleanField(default=False)
    share_practice = models.BooleanField(default=False)
    share_connection = models.BooleanField(default=False)
    contact_requested = models.BooleanField(
        "I'd like someone from the care team to contact me", default=False
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "medicine_session", "day"], name="checkin_once_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(connection__isnull=True) | models.Q(connection__lte=10),
                name="checkin_connection_0_to_10",
            ),
        ]
        indexes = [models.Index(fields=["couple", "-due_at"], name="checkin_couple_recent")]

    def __str__(self) -> str:
        return f"Day {self.day} check-in of {self.partner}"


class IntegrationNote(models.Model):
    """The clinician's structured note of one integration appointment (clinical).

    Editable as a draft; once signed it can only be amended, with a reason, and every
    earlier version stays in its history.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"
        AMENDED = "amended", "Signed, amended"

    appointment = models.OneToOneField(
        "clinic_sessions.Appointment", on_delete=models.PROTECT, related_name="integration_note"
    )
    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="integration_notes")
    insights = models.TextField(max_length=5000, blank=True)
    relational_themes = models.TextField(max_length=5000, blank=True)
    agreements = models.TextField(max_length=5000, blank=True)
    next_steps = models.TextField(max_length=5000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveSmallIntegerField(default=1)
    amendment_reason = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(signed_by__isnull=False, signed_at__isnull=False),
                name="integration_note_signed_has_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"Integration note of appointment {self.appointment_id} (v{self.version})"

    @property
    def is_signed(self) -> bool:
        return self.status != self.Status.DRAFT


class QuestionnaireDue(models.Model):
    """A questionnaire the clinic's schedule asks a partner to complete.

    Done once the partner has a response to that instrument completed after
    `opens_at` (intake's QuestionnaireResponse); no write is needed to mark it.
    """

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="questionnaires_due"
    )
    code = models.CharField(max_length=10)
    reason = models.CharField(max_length=200)
    opens_at = models.DateTimeField()
    due_at = models.DateTimeField()
    key = models.CharField(max_length=200, unique=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["partner", "due_at"], name="qdue_partner_due")]

    def __str__(self) -> str:
        return f"{self.code} for {self.partner} by {self.due_at:%Y-%m-%d}"


# --- The couple's shared reflection -------------------------------------------------------
class SharedReflection(models.Model):
    """What a couple writes together after the integration session of one medicine session.

    Couple-shared (DESIGN §2): both partners write and read it, each in their own entry.
    The care team reads the entries only while the couple shares it with them; either
    partner may share or withdraw, and each change (who, when) is kept in the history.
    """

    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="reflections")
    medicine_session = models.ForeignKey(
        "clinic_sessions.MedicineSession", on_delete=models.PROTECT, related_name="reflections"
    )
    created_at = models.DateTimeField(default=timezone.now)
    shared_with_care_team = models.BooleanField(default=False)
    sharing_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sharing_changed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["couple", "medicine_session"], name="reflection_once_per_session"
            ),
            # Shared or withdrawn, the latest change names who made it and when.
            models.CheckConstraint(
                condition=models.Q(
                    shared_with_care_team=False,
                    sharing_changed_by__isnull=True,
                    sharing_changed_at__isnull=True,
                )
                | models.Q(sharing_changed_by__isnull=False, sharing_changed_at__isnull=False),
                name="reflection_sharing_names_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Shared reflection of couple {self.couple_id} (session {self.medicine_session_id})"


class ReflectionEntry(models.Model):
    """One partner's part of a shared reflection, attributed to them; edits keep history."""

    PROMPT_FIELDS = ("noticed", "agreement", "practise")

    reflection = models.ForeignKey(
        SharedReflection, on_delete=models.PROTECT, related_name="entries"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="reflection_entries"
    )
    noticed = models.TextField(max_length=3000, blank=True)
    agreement = models.TextField(max_length=3000, blank=True)
    practise = models.TextField(max_length=3000, blank=True)
    written_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["written_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reflection", "partner"], name="reflection_entry_once_per_partner"
            ),
            models.CheckConstraint(
                condition=~models.Q(noticed="", agreement="", practise=""),
                name="reflection_entry_says_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner.first_name}'s part of reflection {self.reflection_id}"
