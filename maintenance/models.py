"""The maintenance plan of a couple whose program is completed, and the clinic's booster rules.

A booster is a medicine session of a couple whose program is completed: it is judged by
the same readiness gate, dose caps and discharge rules as any other, against the
maintenance plan instead of the treatment plan (see `maintenance.gate`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from intake.models import Couple
from kapcouples.models import Clinic
from kapcouples.prepared import PreparedSetting
from sessions.models import DOSE_SHARE_PERCENT, DosingArrangement, Setting

INTERVAL_WEEKS = (2, 26)  # every 2 weeks to every 6 months; 4–13 (1–3 months) is typical
BOOSTERS_PER_REVIEW = (1, 6)


class MaintenanceSettings(models.Model):
    """A clinic's booster rules, made with the defaults when the clinic is created."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.PROTECT, related_name="maintenance_settings"
    )
    rescreen_within_days = models.PositiveSmallIntegerField(
        "PHQ-9 and GAD-7 count for a booster when completed within (days before it)",
        default=14,
        validators=[MinValueValidator(3), MaxValueValidator(30)],
    )
    preparation_sessions = models.PositiveSmallIntegerField(
        "preparation sessions before each booster",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        "re-screening reminder sent (days before a booster is due)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "maintenance settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rescreen_within_days__range=(3, 30))
                & models.Q(preparation_sessions__range=(1, 3))
                & models.Q(reminder_days_before__range=(1, 30)),
                name="maintenance_settings_sensible",
            )
        ]

    def __str__(self) -> str:
        return f"Maintenance settings of {self.clinic}"

    @classmethod
    def for_clinic(cls, clinic_id: int) -> "MaintenanceSettings":
        return _MAINTENANCE_SETTINGS(clinic_id)


# Read on most pages and services: see kapcouples.prepared.
_MAINTENANCE_SETTINGS = PreparedSetting(MaintenanceSettings)


class MaintenancePlan(DosingArrangement):
    """How often a couple comes back for a booster, how they dose, and when a prescriber
    reviews the plan. Boosters are counted per review period (starts_on to review_on)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        ENDED = "ended", "Ended"

    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="maintenance_plans")
    interval_weeks = models.PositiveSmallIntegerField(
        "a booster every (weeks)",
        default=8,
        validators=[MinValueValidator(INTERVAL_WEEKS[0]), MaxValueValidator(INTERVAL_WEEKS[1])],
        help_text="Typically 4 to 13 weeks (one to three months).",
    )
    boosters_per_review = models.PositiveSmallIntegerField(
        "boosters allowed until the review",
        default=2,
        validators=[
            MinValueValidator(BOOSTERS_PER_REVIEW[0]),
            MaxValueValidator(BOOSTERS_PER_REVIEW[1]),
        ],
    )
    starts_on = models.DateField("first booster not before")
    review_on = models.DateField(
        "prescriber reviews the plan by", help_text="No booster after this day until reviewed."
    )
    notes = models.TextField(max_length=3000, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_weeks__range=INTERVAL_WEEKS),
                name="maintenance_interval_2_to_26_weeks",
            ),
            models.CheckConstraint(
                condition=models.Q(boosters_per_review__range=BOOSTERS_PER_REVIEW),
                name="maintenance_boosters_1_to_6",
            ),
            models.CheckConstraint(
                condition=models.Q(review_on__gt=models.F("starts_on")),
                name="maintenance_review_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(approach="solo")
                | (models.Q(dosing_partner__isnull=False) & ~models.Q(support_role="")),
                name="maintenance_solo_names_dosing_partner_and_role",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | (models.Q(approved_by__isnull=False) & models.Q(approved_at__isnull=False)),
                name="maintenance_approved_needs_approver",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ended")
                | (models.Q(ended_at__isnull=False) & ~models.Q(ended_reason="")),
                name="maintenance_ended_needs_time_and_reason",
            ),
            # Ended plans stay as history; one open plan at a time.
            models.UniqueConstraint(
                fields=["couple"],
                condition=~models.Q(status="ended"),
                name="maintenance_one_open_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"Maintenance plan for couple {self.couple_id} ({self.get_status_display()})"

    @property
    def is_approved(self) -> bool:
        """The readiness gate and the dose check ask every plan this (TreatmentPlan too)."""
        return self.status == self.Status.APPROVED

    @property
    def setting(self) -> str:
        """Boosters are held in the clinic: an at-home booster would need its own prescriber
        approval of the maintenance plan, which this plan does not ask for."""
        return Setting.IN_CLINIC

    @property
    def share_percent(self) -> int:
        return DOSE_SHARE_PERCENT[self.approach]

    def clean(self) -> None:
        if self.starts_on and self.review_on and self.review_on <= self.starts_on:
            raise ValidationError({"review_on": "The review date must be after the start."})
