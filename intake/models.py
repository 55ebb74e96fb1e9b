"""Couples and partners."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from kapcouples.models import Clinic, validate_timezone


class CoupleQuerySet(models.QuerySet):
    def of_clinic(self, clinic_id: int) -> "CoupleQuerySet":
        return self.filter(clinic_id=clinic_id)

    def with_care_team_member(self, user_id: int) -> "CoupleQuerySet":
        return self.filter(
            models.Q(primary_clinician_id=user_id) | models.Q(care_team__id=user_id)
        ).distinct()


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
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

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

    history = HistoricalRecords()

    class Meta:
        ordering = ["couple_id", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["couple", "slot"], name="partner_slot_unique"),
            models.CheckConstraint(condition=models.Q(slot__in=[1, 2]), name="partner_slot_1_or_2"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
