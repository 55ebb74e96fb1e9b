"""Discovery-call requests and the clinic's retention setting.

A request is not a clinical record: it holds only what a prospective couple typed to be
called back, and is deleted (not archived) once the clinic's retention period has passed
without the couple enrolling. That is why it keeps no history table: a history would keep
the very copy the deletion must remove. Who changed its status is in the audit log.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from intake.models import Couple
from kapcouples.models import Clinic
from kapcouples.prepared import PreparedSetting

NAME_MAX_CHARS = 100
TIMES_MAX_CHARS = 200
REASON_MAX_CHARS = 1000
DEFAULT_RETENTION_DAYS = 90


class DiscoveryRequest(models.Model):
    class Contact(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone call")
        TEXT = "text", _("Text message")

    class Status(models.TextChoices):
        NEW = "new", "New"
        CALL_BOOKED = "call_booked", "Call booked"
        ENROLLED = "enrolled", "Enrolled"
        DECLINED = "declined", "Declined or no answer"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="discovery_requests")
    first_name = models.CharField(max_length=NAME_MAX_CHARS)
    second_name = models.CharField(max_length=NAME_MAX_CHARS)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    preferred_contact = models.CharField(max_length=10, choices=Contact.choices)
    preferred_times = models.CharField(max_length=TIMES_MAX_CHARS)
    reason = models.TextField(max_length=REASON_MAX_CHARS)
    consent_to_contact = models.BooleanField()
    # The consent sentence exactly as shown, in the language it was read in.
    consent_wording = models.TextField()
    language = models.CharField(max_length=10)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    call_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    couple = models.OneToOneField(
        Couple,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discovery_request",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["clinic", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_to_contact=True) & ~Q(consent_wording=""),
                name="discovery_request_consented",
            ),
            models.CheckConstraint(
                condition=Q(preferred_contact="email") | ~Q(phone=""),
                name="discovery_request_phone_for_calls_and_texts",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("reason"), REASON_MAX_CHARS),
                name="discovery_request_reason_short",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["new", "call_booked", "enrolled", "declined"]),
                name="discovery_request_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="call_booked") | Q(call_at__isnull=False),
                name="discovery_request_booked_call_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status="enrolled", couple__isnull=False)
                | (~Q(status="enrolled") & Q(couple__isnull=True)),
                name="discovery_request_enrolled_iff_couple",
            ),
        ]

    def __str__(self) -> str:
        return f"Discovery request {self.pk}"

    @property
    def names(self) -> str:
        return f"{self.first_name} & {self.second_name}"

    @property
    def is_new(self) -> bool:
        return self.status == self.Status.NEW

    @property
    def is_call_booked(self) -> bool:
        return self.status == self.Status.CALL_BOOKED

    @property
    def is_open(self) -> bool:
        """Still to be answered: a couple can be called back, enrolled or declined."""
        return self.status != self.Status.ENROLLED


class SubmissionMark(models.Model):
    """One accepted (or honeypot-caught) submission from one address to one clinic, for the
    hourly rate limit. The address is kept only as a keyed hash, and for a day at most."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["clinic", "source", "at"])]

    def __str__(self) -> str:
        return f"Submission to clinic {self.clinic_id} at {self.at:%Y-%m-%d %H:%M}"


class DiscoverySettings(models.Model):
    """A clinic's discovery-call settings; made with the defaults the first time needed."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.PROTECT, related_name="discovery_settings"
    )
    retention_days = models.PositiveSmallIntegerField(
        default=DEFAULT_RETENTION_DAYS,
        help_text="Requests of couples who never enrol are deleted this many days after "
        "they were sent (or after the booked call, if later).",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "discovery settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(retention_days__gte=7) & Q(retention_days__lte=730),
                name="discovery_settings_retention_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"Discovery settings of {self.clinic}"

    @classmethod
    def for_clinic(cls, clinic_id: int) -> "DiscoverySettings":
        return _DISCOVERY_SETTINGS(clinic_id)


# Read on most pages and services: see kapcouples.prepared.
_DISCOVERY_SETTINGS = PreparedSetting(DiscoverySettings)
