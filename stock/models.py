"""The controlled-substance log: lots of ketamine received, and an append-only ledger of
every milligram that went in or out of each lot (doses drawn, waste, corrections)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kapcouples.models import Clinic
from sessions.models import Route

MG = {"max_digits": 9, "decimal_places": 2}


class Lot(models.Model):
    """One lot of ketamine received by a clinic. `balance_mg` is the running balance, kept
    here so a draw can lock this row and never take the lot below zero."""

    class Form(models.TextChoices):
        TROCHE = "troche", "Sublingual troche / lozenge"
        NASAL_SPRAY = "nasal_spray", "Nasal spray"
        VIAL = "vial", "Injectable vial"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    lot_number = models.CharField(max_length=50)
    medication = models.CharField(max_length=30, default="ketamine", editable=False)
    form = models.CharField(max_length=20, choices=Form.choices)
    route = models.CharField(max_length=20, choices=Route.choices)
    strength = models.CharField(max_length=60, help_text="As on the label, e.g. 100 mg/troche.")
    received_mg = models.DecimalField("quantity received (mg)", **MG)
    balance_mg = models.DecimalField(**MG)
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    supplier = models.CharField(max_length=200)
    invoice_reference = models.CharField(max_length=100, blank=True)
    expires_on = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["expires_on", "lot_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "lot_number"], name="lot_number_unique_per_clinic"
            ),
            models.CheckConstraint(condition=Q(received_mg__gt=0), name="lot_received_positive"),
            models.CheckConstraint(
                condition=Q(balance_mg__gte=0), name="lot_balance_never_negative"
            ),
        ]
        indexes = [models.Index(fields=["clinic", "route", "expires_on"], name="lot_usable")]

    def __str__(self) -> str:
        return f"Lot {self.lot_number} ({self.strength})"

    def expired_on(self, day) -> bool:
        return self.expires_on < day


# Kinds a second person must witness, and kinds that must say why.
WITNESSED = ["dispensed", "wasted", "correction_in", "correction_out"]
NEED_REASON = ["wasted", "correction_in", "correction_out"]


class StockEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Stock entries are never edited: record a correction instead.")

    def delete(self):
        raise TypeError("Stock entries are never deleted: record a correction instead.")


class StockEntry(models.Model):
    """One movement of a lot, never edited or deleted: a mistake is put right by a new
    correction entry. `mg` is always positive; the kind says which way it went."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "Received"
        DISPENSED = "dispensed", "Dose drawn"
        WASTED = "wasted", "Wasted"
        CORRECTION_IN = "correction_in", "Correction (added)"
        CORRECTION_OUT = "correction_out", "Correction (removed)"

    OUTGOING = ("dispensed", "wasted", "correction_out")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    mg = models.DecimalField(**MG)
    balance_after = models.DecimalField(**MG)
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    dose = models.OneToOneField(
        "clinic_sessions.DoseAdministration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_entry",
    )

    objects = StockEntryQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(mg__gt=0), name="stock_entry_mg_positive"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="stock_entry_balance_never_negative"
            ),
            models.CheckConstraint(
                condition=Q(witness__isnull=True) | ~Q(witness=models.F("recorded_by")),
                name="stock_entry_witness_not_recorder",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=WITNESSED) | Q(witness__isnull=False),
                name="stock_entry_witness_when_required",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=NEED_REASON) | ~Q(reason=""),
                name="stock_entry_reason_when_required",
            ),
            models.CheckConstraint(
                condition=(Q(kind="dispensed") & Q(dose__isnull=False))
                | (~Q(kind="dispensed") & Q(dose__isnull=True)),
                name="stock_entry_dose_only_when_dispensed",
            ),
        ]
        indexes = [
            models.Index(fields=["lot", "occurred_at"], name="stock_entry_lot_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.signed_mg} mg of {self.lot_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Stock entries are never edited: record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Stock entries are never deleted: record a correction instead.")

    @property
    def signed_mg(self) -> Decimal:
        return -self.mg if self.kind in self.OUTGOING else self.mg
