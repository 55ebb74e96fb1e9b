"""Couples and partners."""

import datetime
import functools
import operator

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

from intake import contraindications, instruments
from kapcouples.models import Clinic, validate_timezone
from kapcouples.prepared import PreparedSetting

DEFAULT_CRISIS_LINE = "988 Suicide & Crisis Lifeline (call or text 988, US)"


class CoupleQuerySet(models.QuerySet):
    def of_clinic(self, clinic_id: int) -> "CoupleQuerySet":
        return self.filter(clinic_id=clinic_id)

    def with_care_team_member(self, user_id: int) -> "CoupleQuerySet":
        # A subquery rather than a join: no DISTINCT over the whole clinic's couples.
        assigned = Couple.care_team.through.objects.filter(user_id=user_id).values("couple_id")
        return self.filter(models.Q(primary_clinician_id=user_id) | models.Q(pk__in=assigned))


class Couple(models.Model):
    class Status(models.TextChoices):
        ENROLLING = "enrolling", "Enrolling"
        ASSESSMENT = "assessment", "Assessment"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="couples")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ENROLLING)
    primary_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="primary_couples"
    )
    care_team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="care_team_couples",
        help_text="Staff assigned to the couple besides the primary clinician.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CoupleQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[care_team])

    class Meta:
        indexes = [models.Index(fields=["clinic", "status"], name="couple_clinic_status")]

    def __str__(self) -> str:
        names = [p.first_name for p in self.partners.all()]
        return " & ".join(names) if names else f"Couple {self.pk}"


class Partner(models.Model):
    """One member of a couple: a patient, screened on their own."""

    class Channel(models.TextChoices):
        EMAIL = "email", gettext_lazy("Email")
        SMS = "sms", gettext_lazy("Text message")

    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="partners")
    # Which of the couple's two places this partner holds; the database keeps it to two.
    slot = models.PositiveSmallIntegerField(choices=[(1, "Partner 1"), (2, "Partner 2")])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partner_profile",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True)
    preferred_channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # Set when the partner texts STOP (or the SMS provider reports them opted out); their
    # messages then go by email until they text START. Each change is kept in the history.
    sms_opted_out_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The language the partner's pages are shown in, chosen by the partner.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    # The partner's own quiet hours for reminders, in their zone; empty: the clinic's.
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["couple_id", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["couple", "slot"], name="partner_slot_unique"),
            models.CheckConstraint(condition=models.Q(slot__in=[1, 2]), name="partner_slot_1_or_2"),
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="partner_language_offered",
            ),
            models.CheckConstraint(
                condition=models.Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | models.Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="partner_quiet_hours_both_or_neither",
                violation_error_message="Give both ends of your quiet hours, or neither.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


# --- Screening ------------------------------------------------------------------------------
class ScreeningSettings(models.Model):
    """A clinic's screening periods; made with the defaults the first time they are needed."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.PROTECT, related_name="screening_settings"
    )
    invitation_valid_days = models.PositiveSmallIntegerField(default=7)
    review_valid_days = models.PositiveSmallIntegerField(default=180)
    cssrs_valid_days = models.PositiveSmallIntegerField(default=30)
    break_glass_minutes = models.PositiveSmallIntegerField(default=60)
    # Shown to a partner whose answers suggest a risk of suicide (DESIGN.md section 4).
    clinic_phone = models.CharField(
        max_length=30, blank=True, help_text="The number a partner in crisis can call."
    )
    crisis_line = models.CharField(max_length=200, default=DEFAULT_CRISIS_LINE)
    # A clinic may prefer to talk scores through in session rather than show them unasked.
    partners_see_their_scores = models.BooleanField(
        default=True,
        help_text="Show each partner their own questionnaire scores over time in their portal.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "screening settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(invitation_valid_days__gte=1)
                & models.Q(review_valid_days__gte=1)
                & models.Q(cssrs_valid_days__gte=1)
                & models.Q(break_glass_minutes__gte=1),
                name="screening_settings_positive",
            )
        ]

    def __str__(self) -> str:
        return f"Screening settings of {self.clinic}"

    @classmethod
    def for_clinic(cls, clinic_id: int) -> "ScreeningSettings":
        return _SCREENING_SETTINGS(clinic_id)


# Read on most pages and services: see kapcouples.prepared.
_SCREENING_SETTINGS = PreparedSetting(ScreeningSettings)


class Invitation(models.Model):
    """A single-use, expiring link that lets a partner set their password.

    Only a hash of the token is stored: a database leak cannot be turned into logins.
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.EmailField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.partner} ({self.status_on(None)})"

    def status_on(self, now) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if now is not None and now >= self.expires_at:
            return "expired"
        return "pending"


class IntakeFormQuerySet(models.QuerySet):
    def submitted(self) -> "IntakeFormQuerySet":
        return self.filter(status=IntakeForm.Status.SUBMITTED)


class IntakeForm(models.Model):
    """One version of a partner's intake. A draft is edited; submitted versions are read-only.

    Amending makes a new draft version; when it is submitted, the previous submitted
    version becomes superseded (still readable). A partner may withdraw an amendment they
    no longer want to submit: it stays on record as withdrawn.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        SUBMITTED = "submitted", gettext_lazy("Submitted")
        SUPERSEDED = "superseded", gettext_lazy("Superseded by an amendment")
        WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn (never submitted)")

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="intake_forms")
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    answers = models.JSONField(default=dict, blank=True)
    steps_saved = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = IntakeFormQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["partner_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "version"], name="intake_version_unique"),
            models.UniqueConstraint(
                fields=["partner"],
                condition=models.Q(status="draft"),
                name="intake_one_draft_per_partner",
            ),
            models.UniqueConstraint(
                fields=["partner"],
                condition=models.Q(status="submitted"),
                name="intake_one_submitted_per_partner",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["submitted", "superseded"])
                | models.Q(submitted_at__isnull=False),
                name="intake_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(status="withdrawn", withdrawn_at__isnull=False)
                | (~models.Q(status="withdrawn") & models.Q(withdrawn_at__isnull=True)),
                name="intake_withdrawn_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Intake v{self.version} of {self.partner} ({self.get_status_display()})"


class CoupleIntentions(models.Model):
    """The couple's shared intentions; `revision` detects concurrent edits by the partners."""

    couple = models.OneToOneField(Couple, on_delete=models.PROTECT, related_name="intentions")
    intentions = models.TextField(blank=True, max_length=5000)
    themes = models.TextField(blank=True, max_length=5000)
    revision = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "couple intentions"

    def __str__(self) -> str:
        return f"Intentions of {self.couple}"


class QuestionnaireResponse(models.Model):
    """One completed questionnaire, scored by intake.instruments when it was saved."""

    class Code(models.TextChoices):
        PHQ9 = "PHQ-9", "PHQ-9"
        GAD7 = "GAD-7", "GAD-7"
        PCL5 = "PCL-5", "PCL-5"
        CSSRS = "C-SSRS", "C-SSRS screener"
        CSI4 = "CSI-4", "CSI-4"

    # No index of its own: `questionnaire_latest` leads with it.
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="questionnaire_responses", db_index=False
    )
    code = models.CharField(max_length=10, choices=Code.choices)
    answers = models.JSONField()
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=30)
    flags = models.JSONField(default=list, blank=True)
    completed_at = models.DateTimeField()
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-completed_at"]
        indexes = [
            # Each partner's series per instrument, latest first, with its totals: the
            # caseload reads a page's first and latest scores from this index alone.
            models.Index(
                fields=["partner", "code", "-completed_at", "-id"],
                include=["total"],
                name="questionnaire_latest",
            )
        ]
        constraints = [
            # The C-SSRS asks 3-5 only after a yes to 2: after a no they are null (not
            # asked), never a stored "No"; after a yes each holds an answer.
            models.CheckConstraint(
                condition=~models.Q(code="C-SSRS")
                | models.Q(answers__1=0, answers__2=None, answers__3=None, answers__4=None)
                | models.Q(
                    answers__1=1,
                    answers__2__in=[0, 1],
                    answers__3__in=[0, 1],
                    answers__4__in=[0, 1],
                ),
                name="questionnaire_cssrs_skip_after_no_to_2",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} of {self.partner} on {self.completed_at:%Y-%m-%d}"

    @property
    def is_cssrs(self) -> bool:
        return self.code == self.Code.CSSRS

    @property
    def needs_review(self) -> bool:
        """Waiting for a clinician's review: every C-SSRS screener and every flagged result."""
        reviewable = self.is_cssrs or bool(self.flags)
        return reviewable and self.acknowledged_at is None

    @property
    def calls_for_crisis_line(self) -> bool:
        """Whether the partner is shown the clinic's phone and the crisis line with it."""
        return instruments.calls_for_crisis_line(self.code, self.band, self.flags)

    @property
    def flag_labels(self) -> list[str]:
        """The flags in words, for the care team's pages."""
        return [instruments.FLAG_LABELS.get(flag, flag.replace("_", " ")) for flag in self.flags]


def _any_absolute_finding() -> models.Q:
    return functools.reduce(
        operator.or_,
        (
            models.Q(**{f"findings__{item.key}": True})
            for item in contraindications.ITEMS
            if item.weight == contraindications.ABSOLUTE
        ),
    )


class ContraindicationReview(models.Model):
    """A reviewer's signed decision on one submitted intake version, valid until `expires_on`."""

    class Decision(models.TextChoices):
        CLEARED = "cleared", "Cleared"
        CLEARED_WITH_CONDITIONS = "cleared_with_conditions", "Cleared with conditions"
        NOT_CLEARED = "not_cleared", "Not cleared"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="reviews")
    intake = models.ForeignKey(IntakeForm, on_delete=models.PROTECT, related_name="reviews")
    # {item key: present?} as confirmed by the reviewer (prefilled from the intake).
    findings = models.JSONField(default=dict)
    systolic = models.PositiveSmallIntegerField()
    diastolic = models.PositiveSmallIntegerField()
    heart_rate = models.PositiveSmallIntegerField()
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1)
    decision = models.CharField(max_length=30, choices=Decision.choices)
    reason = models.TextField(max_length=2000)
    conditions = models.TextField(blank=True, max_length=2000)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    expires_on = models.DateField()
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidated_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="cleared_with_conditions") | ~models.Q(conditions=""),
                name="review_conditions_stated",
            ),
            models.CheckConstraint(
                condition=models.Q(systolic__range=(50, 300))
                & models.Q(diastolic__range=(20, 200))
                & models.Q(heart_rate__range=(20, 250)),
                name="review_vitals_plausible",
            ),
            # The service refuses this first; the database keeps it true whatever writes.
            models.CheckConstraint(
                condition=~models.Q(decision__in=["cleared", "cleared_with_conditions"])
                | ~_any_absolute_finding(),
                name="review_absolute_never_cleared",
                violation_error_message="An absolute contraindication is present: the "
                "partner cannot be cleared.",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.partner}: {self.get_decision_display()}"

    @property
    def is_clearance(self) -> bool:
        return self.decision in (self.Decision.CLEARED, self.Decision.CLEARED_WITH_CONDITIONS)


class Prescription(models.Model):
    """Ketamine for one partner, by a prescriber; cancelled rather than deleted."""

    class Route(models.TextChoices):
        SUBLINGUAL = "sublingual", "Sublingual (lozenge/troche)"
        INTRANASAL = "intranasal", "Intranasal"
        INTRAMUSCULAR = "intramuscular", "Intramuscular"
        INTRAVENOUS = "intravenous", "Intravenous"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="prescriptions")
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    medication = models.CharField(max_length=50, default="ketamine", editable=False)
    route = models.CharField(max_length=20, choices=Route.choices)
    single_dose_mg = models.DecimalField(max_digits=6, decimal_places=2)
    valid_from = models.DateField()
    valid_until = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    instructions = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-valid_from", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="prescription_valid_period",
            ),
            models.CheckConstraint(
                condition=models.Q(single_dose_mg__gt=0) & models.Q(single_dose_mg__lte=1000),
                name="prescription_dose_range",
            ),
        ]
        indexes = [models.Index(fields=["partner", "status", "valid_until"], name="rx_active")]

    def __str__(self) -> str:
        return f"Ketamine {self.single_dose_mg} mg {self.get_route_display()} for {self.partner}"

    def display_status(self, on: datetime.date) -> str:
        """What the prescription is on day `on` (the clinic's calendar day): "Active",
        "Expired", "Starts on 3 Dec 2026" or "Cancelled"."""
        if self.status == self.Status.CANCELLED:
            return "Cancelled"
        if self.status == self.Status.EXPIRED or on > self.valid_until:
            return "Expired"
        if on < self.valid_from:
            return f"Starts on {self.valid_from.day} {self.valid_from:%b %Y}"
        return "Active"

    def is_valid_on(self, on: datetime.date) -> bool:
        return self.status == self.Status.ACTIVE and self.valid_from <= on <= self.valid_until


class ConsentText(models.Model):
    """One version of a clinic's consent text. Edits make a new version; the highest is current."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="consent_texts")
    version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=50_000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["clinic_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "version"], name="consent_text_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Consent(models.Model):
    """A partner's typed-name signature of one consent text version."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="consents")
    consent_text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, related_name="signatures"
    )
    typed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "consent_text"], name="consent_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} signed {self.consent_text}"


class BreakGlassGrant(models.Model):
    """Time-limited access to a couple's chart for a same-clinic clinician off the care team."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = models.CharField(max_length=500)
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "couple", "expires_at"], name="break_glass_active")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("granted_at")),
                name="break_glass_expires_after_grant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} broke the glass on {self.couple} at {self.granted_at:%Y-%m-%d %H:%M}"
