"""What the couple writes while preparing. Nothing here is deleted: a change updates the
row and its history keeps every earlier state (who, when)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from intake.models import Couple, Partner
from sessions.models import MedicineSession

_BLANK = r"^\s*$"


class CoupleAgendaItem(models.Model):
    """A topic the couple adds to an extended-discussion agenda; withdrawn, never deleted."""

    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="agenda_items")
    text = models.TextField(max_length=500)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["added_at", "pk"]
        indexes = [models.Index(fields=["couple", "added_at"], name="agenda_item_couple_added")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text__regex=_BLANK), name="agenda_item_has_text"
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("added_at")),
                name="agenda_item_withdrawn_after_added",
            ),
        ]

    def __str__(self) -> str:
        return f"Agenda item #{self.pk} of couple {self.couple_id}"


class ChecklistTick(models.Model):
    """One setting-checklist item of one medicine session as the couple last left it:
    ticked or not, by which partner and when."""

    medicine_session = models.ForeignKey(
        MedicineSession, on_delete=models.PROTECT, related_name="checklist_ticks"
    )
    item = models.CharField(max_length=2000)
    done = models.BooleanField(default=True)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["medicine_session", "item"], name="checklist_tick_once_per_item"
            ),
            models.CheckConstraint(
                condition=~models.Q(item__regex=_BLANK), name="checklist_tick_names_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {'ticked' if self.done else 'not ticked'}"


class RideHomeConfirmation(models.Model):
    """A dosing partner's promise before the day: "I will not drive today", and who takes
    them home. The staff still check the ride home at discharge."""

    medicine_session = models.ForeignKey(
        MedicineSession, on_delete=models.PROTECT, related_name="ride_home_confirmations"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    will_not_drive = models.BooleanField()
    escort_name = models.CharField("person taking them home", max_length=150)
    escort_phone = models.CharField(max_length=30)
    escort_relationship = models.CharField(max_length=100, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["medicine_session", "partner"], name="ride_home_once_per_partner"
            ),
            models.CheckConstraint(
                condition=models.Q(will_not_drive=True), name="ride_home_promises_no_driving"
            ),
            models.CheckConstraint(
                condition=~models.Q(escort_name__regex=_BLANK)
                & ~models.Q(escort_phone__regex=_BLANK),
                name="ride_home_names_escort_and_phone",
            ),
        ]

    def __str__(self) -> str:
        return f"Ride home of {self.partner} confirmed"
