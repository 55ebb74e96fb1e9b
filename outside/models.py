"""An outside prescriber's grant of one couple: kept for ever, revoked by stamping it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from intake.models import Couple


class GrantQuerySet(models.QuerySet):
    def active(self) -> "GrantQuerySet":
        return self.filter(revoked_at__isnull=True)


class OutsidePrescriberGrant(models.Model):
    """One outside prescriber may see and act on one couple's screening, reviews,
    prescriptions and medicine-session sign-offs until the grant is revoked.

    Never deleted: revoking stamps who, when and why; history keeps every change. A new grant
    after a revocation is a new row.
    """

    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="outside_grants"
    )
    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="outside_grants")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300, help_text="Why this physician, for this couple.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(max_length=300, blank=True)

    objects = GrantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["prescriber", "couple"],
                condition=models.Q(revoked_at__isnull=True),
                name="outside_grant_one_active_per_prescriber_couple",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="outside_grant_has_a_reason"
            ),
            models.CheckConstraint(
                condition=~models.Q(prescriber=models.F("granted_by")),
                name="outside_grant_not_self_granted",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(revoked_at__isnull=True, revoked_by__isnull=True, revoke_reason="")
                    | (
                        models.Q(revoked_at__isnull=False, revoked_by__isnull=False)
                        & ~models.Q(revoke_reason="")
                        & models.Q(revoked_at__gte=models.F("granted_at"))
                    )
                ),
                name="outside_grant_revocation_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prescriber} → {self.couple}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
