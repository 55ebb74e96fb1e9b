"""Treatment plans, appointments and the medicine-session record.

No double booking is held by the database: PostgreSQL exclusion constraints on the
time ranges of active appointments (room, couple) and of active clinician bookings,
added in migration 0002 (PostgreSQL only, so the embedded SQLite still migrates),
plus the transactional check in `sessions.services`. Since migration 0008 the seats of
one group session (groups app) may share their room and facilitators, nothing else.
"""

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from simple_history.models import HistoricalRecords

from intake.models import Couple, Partner
from kapcouples.models import Clinic, Room

# No appointment is longer than this: calendars bound their index range scans with it.
MAX_APPOINTMENT_LENGTH = datetime.timedelta(hours=24)


def earliest_overlapping_start(start: datetime.datetime) -> datetime.datetime:
    """An appointment overlapping a time from `start` on starts after this."""
    return start - MAX_APPOINTMENT_LENGTH


DEFAULT_SETTING_CHECKLIST = "Eye shades\nHeadphones\nMusic playlist ready\nBlanket and pillow"


class Route(models.TextChoices):
    # Same values as intake.models.Prescription.Route (the dose check compares them).
    SUBLINGUAL = "sublingual", "Sublingual (lozenge/troche)"
    INTRANASAL = "intranasal", "Intranasal"
    INTRAMUSCULAR = "intramuscular", "Intramuscular"
    INTRAVENOUS = "intravenous", "Intravenous"


class Approach(models.TextChoices):
    SOLO = "solo", "Solo (one partner doses)"
    DUAL_FULL = "dual_full", "Dual, full dose"
    DUAL_HALF = "dual_half", "Dual, half dose"
    EXTENDED = "extended", "Extended discussion"


# The share of a dosing partner's own prescribed single dose each approach allows.
DOSE_SHARE_PERCENT = {
    Approach.SOLO: 100,
    Approach.DUAL_FULL: 100,
    Approach.DUAL_HALF: 50,
    Approach.EXTENDED: 25,
}


class SupportRole(models.TextChoices):
    SITTER = "sitter", "Sitter"
    CHAPERONE = "chaperone", "Chaperone"


class Setting(models.TextChoices):
    """Where the medicine is taken. At home only where the clinic allows it and a prescriber
    approved a plan that says so (`sessions.rules.home_setting_problems`)."""

    IN_CLINIC = "in_clinic", "In the clinic"
    AT_HOME = "at_home", "At home, with a chaperone"


# At home the partner takes their own prescribed lozenge: no other route is self-given.
HOME_ROUTE = Route.SUBLINGUAL


class ProtocolSettings(models.Model):
    """A clinic's protocol rules (DESIGN §4), created with the defaults on first use."""

    clinic = models.OneToOneField(Clinic, on_delete=models.PROTECT, related_name="protocol")
    preparation_sessions = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="Preparation sessions before each medicine session (1–3).",
    )
    max_medicine_sessions = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    integration_within_hours = models.PositiveSmallIntegerField(
        default=72, validators=[MinValueValidator(12), MaxValueValidator(168)]
    )
    caution_systolic = models.PositiveSmallIntegerField(
        default=140, validators=[MinValueValidator(110), MaxValueValidator(200)]
    )
    caution_diastolic = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(60), MaxValueValidator(130)]
    )
    hold_systolic = models.PositiveSmallIntegerField(
        default=160, validators=[MinValueValidator(120), MaxValueValidator(250)]
    )
    hold_diastolic = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(70), MaxValueValidator(150)]
    )
    min_monitoring_minutes = models.PositiveSmallIntegerField(
        default=120, validators=[MinValueValidator(120), MaxValueValidator(480)]
    )
    reading_valid_minutes = models.PositiveSmallIntegerField(
        "a pre-dose or pre-discharge reading is valid for (minutes)",
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(60)],
    )
    hold_repeat_minutes = models.PositiveSmallIntegerField(
        "a hold is cleared by a reading under caution taken at least (minutes) later",
        default=10,
        validators=[MinValueValidator(5), MaxValueValidator(60)],
    )
    spo2_floor = models.PositiveSmallIntegerField(
        "SpO₂ floor (%): no dose or discharge below it",
        default=92,
        validators=[MinValueValidator(85), MaxValueValidator(98)],
    )
    post_dose_reading_from_minutes = models.PositiveSmallIntegerField(
        "post-dose reading window opens (minutes after the last dose)",
        default=30,
        validators=[MinValueValidator(15), MaxValueValidator(60)],
    )
    post_dose_reading_until_minutes = models.PositiveSmallIntegerField(
        "post-dose reading window closes (minutes after the last dose)",
        default=50,
        validators=[MinValueValidator(20), MaxValueValidator(120)],
    )
    override_valid_days = models.PositiveSmallIntegerField(
        "a readiness override not yet tied to an appointment lapses after (days)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    setting_checklist = models.TextField(
        default=DEFAULT_SETTING_CHECKLIST, max_length=2000, help_text="One item per line."
    )
    allows_at_home = models.BooleanField(
        "allows at-home medicine sessions",
        default=False,
        db_default=False,
        help_text="A prescriber may then approve a plan whose medicine sessions are at home, "
        "with a chaperone.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "protocol settings"
        # Clinically sensible ranges, held by the database too (DESIGN §4).
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hold_systolic__gt=models.F("caution_systolic"))
                & models.Q(hold_diastolic__gt=models.F("caution_diastolic")),
                name="protocol_hold_above_caution",
            ),
            models.CheckConstraint(
                condition=models.Q(preparation_sessions__range=(1, 3)),
                name="protocol_preparation_1_to_3",
            ),
            models.CheckConstraint(
                condition=models.Q(max_medicine_sessions__range=(1, 8)),
                name="protocol_medicine_sessions_1_to_8",
            ),
            models.CheckConstraint(
                condition=models.Q(min_monitoring_minutes__range=(120, 480)),
                name="protocol_monitoring_at_least_120",
            ),
            models.CheckConstraint(
                condition=models.Q(integration_within_hours__range=(12, 168)),
                name="protocol_integration_window_12_to_168",
            ),
            models.CheckConstraint(
                condition=models.Q(caution_systolic__range=(110, 200))
                & models.Q(caution_diastolic__range=(60, 130))
                & models.Q(hold_systolic__range=(120, 250))
                & models.Q(hold_diastolic__range=(70, 150)),
                name="protocol_thresholds_reachable",
            ),
            models.CheckConstraint(
                condition=models.Q(reading_valid_minutes__range=(5, 60))
                & models.Q(hold_repeat_minutes__range=(5, 60))
                & models.Q(spo2_floor__range=(85, 98))
                & models.Q(override_valid_days__range=(1, 90)),
                name="protocol_timings_sensible",
            ),
            models.CheckConstraint(
                condition=models.Q(post_dose_reading_from_minutes__range=(15, 60))
                & models.Q(
                    post_dose_reading_until_minutes__gt=models.F("post_dose_reading_from_minutes")
                )
                & models.Q(post_dose_reading_until_minutes__lte=120),
                name="protocol_post_dose_window",
            ),
        ]

    def __str__(self) -> str:
        return f"Protocol of {self.clinic}"

    def clean(self) -> None:
        # The same rules as the constraints, as messages next to the fields.
        pairs = [
            ("hold_systolic", "caution_systolic", "The hold threshold must be above caution."),
            ("hold_diastolic", "caution_diastolic", "The hold threshold must be above caution."),
            (
                "post_dose_reading_until_minutes",
                "post_dose_reading_from_minutes",
                "The window must close after it opens.",
            ),
        ]
        errors = {
            higher: message
            for higher, lower, message in pairs
            if None not in (getattr(self, higher), getattr(self, lower))
            and getattr(self, higher) <= getattr(self, lower)
        }
        if errors:
            raise ValidationError(errors)

    @property
    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.setting_checklist.splitlines() if line.strip()]


class Weekday(models.IntegerChoices):
    # Python's date.weekday() numbering.
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


DEFAULT_OPENS, DEFAULT_CLOSES = datetime.time(7, 0), datetime.time(21, 0)


class OpeningHours(models.Model):
    """When a clinic sees couples on one weekday (clinic-local time), or that it is closed.

    One interval a day: a lunch break is the clinicians' own time, not a closed clinic.
    Booking outside these hours needs a written reason (`sessions.services`).
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    is_closed = models.BooleanField("closed all day", default=False)
    opens = models.TimeField(default=DEFAULT_OPENS)
    closes = models.TimeField(default=DEFAULT_CLOSES)

    history = HistoricalRecords()

    class Meta:
        ordering = ["clinic", "weekday"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.UniqueConstraint(fields=["clinic", "weekday"], name="opening_once_per_weekday"),
            models.CheckConstraint(
                condition=models.Q(weekday__range=(0, 6)), name="opening_weekday_0_to_6"
            ),
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_closes_after_opens"
            ),
        ]

    def __str__(self) -> str:
        day = self.get_weekday_display()
        return (
            f"{day}: closed" if self.is_closed else f"{day}: {self.opens:%H:%M}–{self.closes:%H:%M}"
        )

    def clean(self) -> None:
        if None not in (self.opens, self.closes) and self.closes <= self.opens:
            raise ValidationError({"closes": "The clinic must close after it opens."})

    def covers(self, start: datetime.time, end: datetime.time) -> bool:
        """Whether [start, end] of one local day lies within these hours."""
        return not self.is_closed and self.opens <= start and end <= self.closes


# A booking outside opening hours or in the past names why, in at least this many characters.
MIN_CONFIRMATION_REASON = 10


def _reason_empty_or_meaningful(field: str) -> models.Q:
    return models.Q(**{field: ""}) | models.Q(
        GreaterThanOrEqual(Length(field), MIN_CONFIRMATION_REASON)
    )


class DosingArrangement(models.Model):
    """Who doses and how, and the other partner's role: what a treatment plan and a
    maintenance plan both settle."""

    approach = models.CharField(max_length=20, choices=Approach.choices)
    dosing_partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Solo approach only: the partner who doses.",
    )
    support_role = models.CharField(
        "non-dosing partner's role",
        max_length=20,
        choices=SupportRole.choices,
        blank=True,
        help_text="Solo approach only.",
    )
    route = models.CharField(max_length=20, choices=Route.choices, default=Route.SUBLINGUAL)

    class Meta:
        abstract = True


class TreatmentPlan(DosingArrangement):
    """One couple's plan: goals, dosing approach, roles, and what each approach needs beforehand."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Approved and active"
        COMPLETED = "completed", "Completed"
        DISCONTINUED = "discontinued", "Discontinued"

    couple = models.OneToOneField(Couple, on_delete=models.PROTECT, related_name="treatment_plan")
    goals = models.TextField(max_length=5000)
    support_role_agreed = models.BooleanField(
        "non-dosing role agreed in advance with both partners", default=False
    )
    setting = models.CharField(
        "where the medicine sessions are",
        max_length=20,
        choices=Setting.choices,
        default=Setting.IN_CLINIC,
        db_default=Setting.IN_CLINIC,
        help_text="At home needs the clinic to allow it and a prescriber's approval of the plan.",
    )
    planned_medicine_sessions = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    relational_intention = models.TextField(max_length=3000, blank=True)
    themes = models.TextField(max_length=3000, blank=True)
    discussion_topics = models.TextField(
        "agenda: topics", max_length=3000, blank=True, help_text="Extended discussion only."
    )
    discussion_questions = models.TextField(
        "agenda: preparation questions", max_length=3000, blank=True
    )
    opening_reflection = models.TextField(max_length=3000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(approach="solo")
                | (models.Q(dosing_partner__isnull=False) & ~models.Q(support_role="")),
                name="plan_solo_names_dosing_partner_and_role",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_medicine_sessions__range=(1, 8)),
                name="plan_medicine_sessions_1_to_8",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="active") | models.Q(approved_by__isnull=False),
                name="plan_active_needs_approval",
            ),
            models.CheckConstraint(
                condition=models.Q(setting="in_clinic")
                | models.Q(setting="at_home", route=HOME_ROUTE),
                name="plan_at_home_is_sublingual",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan for couple {self.couple_id} ({self.get_approach_display()})"

    @property
    def is_approved(self) -> bool:
        """Approved and active (a maintenance plan answers the same for a booster)."""
        return self.status == self.Status.ACTIVE


class AppointmentQuerySet(models.QuerySet):
    def active(self) -> "AppointmentQuerySet":
        return self.filter(status__in=Appointment.ACTIVE_STATUSES)

    def overlapping(self, start, end, *, earliest=None) -> "AppointmentQuerySet":
        """Half-open [start, end): back-to-back appointments do not overlap. The lower bound
        on start, `earliest` (no appointment is longer than a day), keeps index scans to
        the range; a prepared read passes it as a value of its own."""
        if earliest is None:
            earliest = earliest_overlapping_start(start)
        return self.filter(start__lt=end, end__gt=start, start__gt=earliest)


class Appointment(models.Model):
    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", "Assessment"
        PREPARATION = "preparation", "Preparation"
        MEDICINE = "medicine", "Medicine session"
        INTEGRATION = "integration", "Integration"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CHECKED_IN = "checked_in", "Checked in"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    # Appointments holding their room, clinicians and couple (the exclusion constraints' filter).
    ACTIVE_STATUSES = (Status.BOOKED, Status.CHECKED_IN, Status.COMPLETED)
    # Appointments still to happen (a couple's next appointment, a booster booked); the
    # partial index appt_couple_upcoming holds these rows.
    UPCOMING_STATUSES = (Status.BOOKED, Status.CHECKED_IN)

    # A million rows with two exclusion constraints: every index is paid on each booking
    # and each change of status. The clinic's, couple's and room's lead the `*_start`
    # indexes below, so their keys get no index of their own.
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    couple = models.ForeignKey(
        Couple, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    clinicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="AppointmentClinician", related_name="appointments"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    # Why it was booked outside opening hours (or across midnight), or with a start in the
    # past; empty when it was not. A backdated appointment sends no messages.
    outside_hours_reason = models.CharField(max_length=300, blank=True, default="", db_default="")
    backdated_reason = models.CharField(max_length=300, blank=True, default="", db_default="")
    # Preparation and integration appointments belong to a medicine session.
    medicine_session = models.ForeignKey(
        "MedicineSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked_appointments",
    )
    # A seat of a group session (groups app): the seats of one group session share its room.
    group_session = models.ForeignKey(
        "groups.GroupSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seats",
        db_index=False,  # few seats among a million rows: `appt_group_session` is partial
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppointmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["clinic", "start"], name="appt_clinic_start"),
            models.Index(fields=["room", "start"], name="appt_room_start"),
            models.Index(fields=["couple", "start"], name="appt_couple_start"),
            models.Index(
                fields=["group_session"],
                condition=models.Q(group_session__isnull=False),
                name="appt_group_session",
            ),
            # A couple's next appointment (the caseload's column): only the rows still to
            # happen (UPCOMING_STATUSES), not the couple's whole history.
            models.Index(
                fields=["couple", "start"],
                name="appt_couple_upcoming",
                condition=models.Q(status__in=["booked", "checked_in"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="appt_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(end__lte=models.F("start") + MAX_APPOINTMENT_LENGTH),
                name="appt_at_most_a_day",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancel_reason=""),
                name="appt_cancel_needs_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(medicine_session__isnull=True)
                | models.Q(kind__in=["preparation", "integration"]),
                name="appt_only_prep_or_integration_link_session",
            ),
            models.CheckConstraint(
                condition=_reason_empty_or_meaningful("outside_hours_reason")
                & _reason_empty_or_meaningful("backdated_reason"),
                name="appt_confirmation_reasons_meaningful",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_backdated(self) -> bool:
        return bool(self.backdated_reason)


class AppointmentClinician(models.Model):
    """A clinician on an appointment, with the appointment's time copied so the database
    can refuse a clinician's overlapping bookings (an exclusion constraint cannot see
    through a many-to-many)."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="clinician_slots"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointment_slots"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    # Copied from the appointment: a facilitator sits on every seat of one group session.
    group_session = models.ForeignKey(
        "groups.GroupSession", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Who was on the appointment when, and who changed it: a clinician taken off keeps a
    # "removed" history row (the live row goes, so every reader still sees the current team).
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "clinician"], name="appt_clinician_once"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="appt_clinician_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["clinician", "start"], name="appt_clinician_start")]

    def __str__(self) -> str:
        return f"{self.clinician} on appointment {self.appointment_id}"


class MedicineSession(models.Model):
    """The clinical record of one medicine appointment (care team only)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        ENDED_EARLY = "ended_early", "Ended early"

    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="medicine_record"
    )
    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="medicine_sessions")
    approach = models.CharField(max_length=20, choices=Approach.choices)
    dosing_partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    support_role = models.CharField(max_length=20, choices=SupportRole.choices, blank=True)
    route = models.CharField(max_length=20, choices=Route.choices)
    setting = models.CharField(
        max_length=20,
        choices=Setting.choices,
        default=Setting.IN_CLINIC,
        db_default=Setting.IN_CLINIC,
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    ended_early_reason = models.TextField(max_length=2000, blank=True)
    dissociation_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)], help_text="0–10, optional."
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(approach="solo")
                | (models.Q(dosing_partner__isnull=False) & ~models.Q(support_role="")),
                name="session_solo_names_dosing_partner_and_role",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ended_early") | ~models.Q(ended_early_reason=""),
                name="session_ended_early_needs_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(setting="in_clinic")
                | models.Q(setting="at_home", route=HOME_ROUTE),
                name="session_at_home_is_sublingual",
            ),
        ]

    def __str__(self) -> str:
        return f"Medicine session #{self.pk}"

    @property
    def share_percent(self) -> int:
        return DOSE_SHARE_PERCENT[self.approach]

    def dosing_partners(self) -> list[Partner]:
        partners = list(self.couple.partners.all())
        if self.approach == Approach.SOLO:
            return [p for p in partners if p.pk == self.dosing_partner_id]
        return partners

    @property
    def at_home(self) -> bool:
        return self.setting == Setting.AT_HOME

    def role_of(self, partner: Partner) -> str:
        if self.approach != Approach.SOLO or partner.pk == self.dosing_partner_id:
            return "dosing"
        return self.support_role


class VitalSigns(models.Model):
    class Moment(models.TextChoices):
        PRE_DOSE = "pre_dose", "Before dosing"
        POST_DOSE_40 = "post_dose_40", "About 40 minutes after dosing"
        PRE_DISCHARGE = "pre_discharge", "Before discharge"
        OTHER = "other", "Other"

    class Level(models.TextChoices):
        NORMAL = "normal", "Under the caution threshold"
        CAUTION = "caution", "Caution: prescriber acknowledgement needed"
        HOLD = "hold", "Hold: no dose until a prescriber overrides"

    medicine_session = models.ForeignKey(
        MedicineSession, on_delete=models.PROTECT, related_name="vitals"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    moment = models.CharField(max_length=20, choices=Moment.choices)
    taken_at = models.DateTimeField(default=timezone.now)
    systolic = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(50), MaxValueValidator(300)]
    )
    diastolic = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(20), MaxValueValidator(200)]
    )
    heart_rate = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(20), MaxValueValidator(250)]
    )
    spo2 = models.PositiveSmallIntegerField(
        "SpO₂ %", validators=[MinValueValidator(50), MaxValueValidator(100)]
    )
    sedation = models.BooleanField(default=False)
    dissociation = models.BooleanField(default=False)
    respiratory_depression = models.BooleanField(default=False)
    # The threshold level when recorded (the clinic's thresholds at that moment).
    level = models.CharField(max_length=10, choices=Level.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["taken_at", "pk"]
        verbose_name_plural = "vital signs"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(systolic__range=(50, 300))
                & models.Q(diastolic__range=(20, 200))
                & models.Q(heart_rate__range=(20, 250))
                & models.Q(spo2__range=(50, 100)),
                name="vitals_plausible",
            ),
            models.CheckConstraint(
                condition=~models.Q(level="hold")
                | models.Q(acknowledged_by__isnull=True)
                | ~models.Q(override_reason=""),
                name="vitals_hold_override_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic} at {timezone.localtime(self.taken_at):%H:%M}"


class DoseAdministration(models.Model):
    """A dose given. The prescription it was checked against is snapshotted (id and mg)."""

    medicine_session = models.ForeignKey(
        MedicineSession, on_delete=models.PROTECT, related_name="doses"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    route = models.CharField(max_length=20, choices=Route.choices)
    mg = models.DecimalField(max_digits=6, decimal_places=2)
    given_at = models.DateTimeField(default=timezone.now)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prescription_id_snapshot = models.PositiveBigIntegerField()
    prescribed_single_dose_mg = models.DecimalField(max_digits=6, decimal_places=2)
    share_percent = models.PositiveSmallIntegerField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["given_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(mg__gt=Decimal("0")), name="dose_positive"),
            models.CheckConstraint(
                condition=models.Q(share_percent__in=[25, 50, 100]), name="dose_share_known"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    mg__lte=models.F("prescribed_single_dose_mg")
                    * models.F("share_percent")
                    / models.Value(Decimal("100"))
                ),
                name="dose_within_its_cap",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mg} mg {self.route}"


class AdverseEvent(models.Model):
    class Kind(models.TextChoices):
        NAUSEA = "nausea", "Nausea / vomiting"
        BLOOD_PRESSURE = "blood_pressure", "Raised blood pressure"
        DISSOCIATION = "dissociation", "Dissociation"
        HALLUCINATIONS = "hallucinations", "Hallucinations"
        ANXIETY = "anxiety", "Anxiety"
        OTHER = "other", "Other"

    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    medicine_session = models.ForeignKey(
        MedicineSession, on_delete=models.PROTECT, related_name="adverse_events"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    action = models.TextField("action taken", max_length=2000)
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_severity_display()})"


class Discharge(models.Model):
    medicine_session = models.ForeignKey(
        MedicineSession, on_delete=models.PROTECT, related_name="discharges"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    discharged_at = models.DateTimeField(default=timezone.now)
    escort_name = models.CharField("person taking them home", max_length=150)
    # Either the other partner (who did not dose) or another adult with a phone number.
    escort_partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escort_phone = models.CharField(max_length=30, blank=True)
    escort_relationship = models.CharField(max_length=100, blank=True)
    monitored_minutes = models.PositiveIntegerField()
    # The clinic's minimum when the partner left (the protocol may change later).
    min_monitoring_minutes = models.PositiveSmallIntegerField(default=120)
    last_systolic = models.PositiveSmallIntegerField()
    last_diastolic = models.PositiveSmallIntegerField()
    bp_signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bp_sign_off_reason = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["medicine_session", "partner"], name="discharge_once_per_partner"
            ),
            models.CheckConstraint(
                condition=~models.Q(escort_name__regex=r"^\s*$"), name="discharge_names_escort"
            ),
            models.CheckConstraint(
                condition=models.Q(min_monitoring_minutes__gte=120)
                & models.Q(monitored_minutes__gte=models.F("min_monitoring_minutes")),
                name="discharge_after_minimum_monitoring",
            ),
            models.CheckConstraint(
                condition=models.Q(escort_partner__isnull=True)
                | ~models.Q(escort_partner=models.F("partner")),
                name="discharge_escort_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"Discharge of {self.partner} at {timezone.localtime(self.discharged_at):%H:%M}"


class ReadinessOverride(models.Model):
    """A prescriber's written override of readiness item 4, 5 or 6, audited by its history.

    It belongs to the medicine appointment it was written for. One written before the
    appointment is booked is for the couple's n-th session and lapses after the clinic's
    `override_valid_days` unless a booking takes it; a cancelled appointment's override
    never carries to the next session.
    """

    class Item(models.IntegerChoices):
        PREPARATION = 4, "4. Preparation sessions"
        INTEGRATION = 5, "5. Previous integration session"
        SESSION_COUNT = 6, "6. Medicine sessions allowed by the plan"

    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="readiness_overrides")
    session_number = models.PositiveSmallIntegerField(
        help_text="Which medicine session of the couple (1st, 2nd, ...) this applies to."
    )
    appointment = models.ForeignKey(
        Appointment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="readiness_overrides",
    )
    item = models.PositiveSmallIntegerField(choices=Item.choices)
    reason = models.TextField(max_length=2000)
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__in=[4, 5, 6]), name="override_items_4_to_6"
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="override_needs_reason"),
            models.UniqueConstraint(
                fields=["couple", "session_number", "item"],
                condition=models.Q(revoked_at__isnull=True, appointment__isnull=True),
                name="override_once_per_item",
            ),
            models.UniqueConstraint(
                fields=["appointment", "item"],
                condition=models.Q(revoked_at__isnull=True),
                name="override_once_per_appointment_item",
            ),
        ]

    def __str__(self) -> str:
        return f"Override of item {self.item} for session {self.session_number}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A clinician's secret iCalendar feed URL. The token is the credential; revoking it
    (or making a new one) makes the old URL answer 404."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_feeds"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinician"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_feed_per_clinician",
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.clinician}"


# The couple's preparation lives in its own module; imported here so Django registers it.
from sessions.preparation.models import (  # noqa: E402, F401
    ChecklistTick,
    CoupleAgendaItem,
    RideHomeConfirmation,
)
