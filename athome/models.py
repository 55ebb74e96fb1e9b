"""The chaperone of an at-home medicine session and the checks they report.

The dosing partner's own readings and dose are the session's `VitalSigns` and
`DoseAdministration` rows, recorded by the partner's own account: the chart shows them
as self-measured. The chaperone's checks are rows here, each saying who reported it:
a partner's account, or the named adult's link.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from intake.models import Partner
from sessions.models import MedicineSession

# A named adult's link works from its sending until this long after the appointment ends.
LINK_VALID_AFTER_END = datetime.timedelta(hours=6)


def new_link_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Only the digest of a link's token is stored: a database read gives no working link."""
    return hashlib.sha256(token.encode()).hexdigest()


class HomeChaperone(models.Model):
    """Who stays with the dosing partner: the other partner (signs in) or a named adult
    (name and phone; reached by a single-use, expiring link)."""

    medicine_session = models.OneToOneField(
        MedicineSession, on_delete=models.PROTECT, related_name="home_chaperone"
    )
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=150)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    token_digest = models.CharField(max_length=64, blank=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    # The first browser to open the link holds it; the link opens nowhere else afterwards.
    link_claimed_at = models.DateTimeField(null=True, blank=True)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    named_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name__regex=r"^\s*$"), name="chaperone_has_a_name"
            ),
            # The other partner signs in; a named adult has a phone and a link, never both.
            models.CheckConstraint(
                condition=models.Q(partner__isnull=False, token_digest="")
                | (
                    models.Q(partner__isnull=True, link_expires_at__isnull=False)
                    & ~models.Q(phone="")
                    & ~models.Q(token_digest="")
                ),
                name="chaperone_partner_or_named_adult_with_link",
            ),
            models.UniqueConstraint(
                fields=["token_digest"],
                condition=~models.Q(token_digest=""),
                name="chaperone_link_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Chaperone {self.name} of session #{self.medicine_session_id}"

    @property
    def is_partner(self) -> bool:
        return self.partner_id is not None


class ChaperoneCheck(models.Model):
    """One check the chaperone owes: presence before the dose, ~40 minutes after it, and
    the end. Due when scheduled, done when reported; a re-reported end check keeps the
    earlier answers in its history."""

    class Kind(models.TextChoices):
        PRESENCE = "presence", "Present before the dose"
        CHECK_40 = "check_40", "Check about 40 minutes after the dose"
        END = "end", "End check"

    medicine_session = models.ForeignKey(
        MedicineSession, on_delete=models.PROTECT, related_name="chaperone_checks"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    # Answers (checks after the dose): None until reported.
    drowsy_hard_to_wake = models.BooleanField(null=True, blank=True)
    breathing_normal = models.BooleanField(null=True, blank=True)
    feels_settled = models.BooleanField(null=True, blank=True)
    stays_with_them = models.BooleanField(null=True, blank=True)
    reported_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_by_chaperone = models.ForeignKey(
        HomeChaperone, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["medicine_session", "kind"], name="chaperone_check_once_per_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["presence", "check_40", "end"]),
                name="chaperone_check_kind_known",
            ),
            # Done: by exactly one reporter (a signed-in user or the named adult's link).
            models.CheckConstraint(
                condition=models.Q(
                    done_at__isnull=True,
                    reported_by_user__isnull=True,
                    reported_by_chaperone__isnull=True,
                )
                | models.Q(
                    done_at__isnull=False,
                    reported_by_user__isnull=False,
                    reported_by_chaperone__isnull=True,
                )
                | models.Q(
                    done_at__isnull=False,
                    reported_by_user__isnull=True,
                    reported_by_chaperone__isnull=False,
                ),
                name="chaperone_check_done_by_one_reporter",
            ),
            # A done check after the dose answers each question.
            models.CheckConstraint(
                condition=models.Q(done_at__isnull=True)
                | models.Q(kind="presence")
                | models.Q(
                    drowsy_hard_to_wake__isnull=False,
                    breathing_normal__isnull=False,
                    feels_settled__isnull=False,
                ),
                name="chaperone_check_answers_each_question",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="end", done_at__isnull=False)
                | models.Q(stays_with_them__isnull=False),
                name="chaperone_end_check_says_they_stay",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (session #{self.medicine_session_id})"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def all_well(self) -> bool:
        """Done, and nothing that needs the care team: awake, breathing normally, settled."""
        if self.done_at is None:
            return False
        if self.kind == self.Kind.PRESENCE:
            return True
        well = not self.drowsy_hard_to_wake and self.breathing_normal and self.feels_settled
        return bool(well and (self.kind != self.Kind.END or self.stays_with_them))
