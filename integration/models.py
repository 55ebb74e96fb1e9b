"""Alerts for the care team (more models come with the integration work)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from intake.models import Couple, Partner
from kapcouples.models import Clinic


class Alert(models.Model):
    """Something the care team must act on; acknowledged, never deleted."""

    class Kind(models.TextChoices):
        SUICIDE_RISK = "suicide_risk", "Suicide risk (questionnaire)"
        PTSD_PATTERN = "ptsd_pattern", "PTSD pattern (PCL-5)"
        MISSING_INTEGRATION = "missing_integration", "No integration session booked"
        OTHER = "other", "Other"

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

    history = HistoricalRecords()

    class Meta:
        ordering = ["acknowledged_at", "-raised_at"]
        indexes = [
            models.Index(fields=["clinic", "acknowledged_at"], name="alert_clinic_open"),
            models.Index(fields=["couple", "-raised_at"], name="alert_couple_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | models.Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="alert_acknowledged_by_and_at_together",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()}: {self.get_kind_display()}"
