"""Alerts for what has not happened, found by an hourly sweep (nothing calls a hook for it):

- a partner's intake still not submitted some days after their first invitation;
- a partner's current contraindication review or prescription about to expire.

Only couples whose program is still open count (not completed, not withdrawn). Each
sweep walks its candidates in bounded batches by primary key, with a fixed number of
queries a batch whatever the data; candidates already alerted are left out by the query,
and the dedupe key makes each alert once. They are routine: the inbox and its count in
the navigation bar are the message, so no email goes out.

An overdue-intake alert stays open when the intake is submitted later: resolving means
a named person saying what was done, which the system does not write in anyone's name.
The sweep raises none for an intake submitted before the day came.
"""

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import CharField, Exists, Max, Min, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from intake.models import (
    ContraindicationReview,
    Couple,
    IntakeForm,
    Invitation,
    Partner,
    Prescription,
)
from integration.models import Alert, MessagingSettings

OPEN_PROGRAM = (Couple.Status.ENROLLING, Couple.Status.ASSESSMENT, Couple.Status.ACTIVE)
BATCH_SIZE = 500


def alerts_sweep(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Raise every overdue-intake and expiry alert that has come due; how many were raised."""
    now = now or timezone.now()
    return (
        intake_overdue_alerts_raise(now=now, batch_size=batch_size)
        + review_expiry_alerts_raise(now=now, batch_size=batch_size)
        + prescription_expiry_alerts_raise(now=now, batch_size=batch_size)
    )


# --- Shared plumbing ----------------------------------------------------------------------
def _default(field: str) -> int:
    return MessagingSettings._meta.get_field(field).default


def _clinic_setting(field: str, clinic_path: str) -> Coalesce:
    """The clinic's setting `field` as an annotation (its default if it has no settings)."""
    chosen = MessagingSettings.objects.filter(clinic_id=OuterRef(clinic_path)).values(field)[:1]
    return Coalesce(Subquery(chosen), Value(_default(field)))


def _setting_extreme(field: str, extreme: type[Min] | type[Max]) -> int:
    """The smallest or largest value any clinic chose (or the default): the SQL window."""
    chosen = MessagingSettings.objects.aggregate(value=extreme(field))["value"]
    pick = min if extreme is Min else max
    return pick(v for v in (chosen, _default(field)) if v is not None)


def _alerted(prefix: str, suffix: str) -> Exists:
    """Whether the alert keyed `prefix<pk>suffix` exists (by the unique dedupe key index)."""
    key = Concat(Value(prefix), Cast(OuterRef("pk"), CharField()), Value(suffix))
    return Exists(Alert.objects.filter(dedupe_key=key))


def _in_batches(candidates: QuerySet, batch_size: int) -> Iterator[list]:
    """Keyset pages of `candidates` by primary key: one query a page."""
    last = 0
    while True:
        batch = list(candidates.filter(pk__gt=last).order_by("pk")[:batch_size])
        if batch:
            yield batch
        if len(batch) < batch_size:
            return
        last = batch[-1].pk


def _raise_in_batches(candidates: QuerySet, batch_size: int, alert_for: Callable) -> int:
    """Each batch: its alerts (None where not due yet) inserted with their history at once."""
    raised = 0
    for batch in _in_batches(candidates, batch_size):
        alerts = [alert for alert in map(alert_for, batch) if alert is not None]
        if alerts:
            with transaction.atomic():
                bulk_create_with_history(alerts, Alert)
        raised += len(alerts)
    return raised


def _day(moment: date) -> str:
    return f"{moment.day} {moment:%b %Y}"


def _in_days(left: int) -> str:
    return {0: "today", 1: "tomorrow"}.get(left, f"in {left} days")


# --- Intake not submitted -----------------------------------------------------------------
def intake_overdue_alerts_raise(*, now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Alert the care team of each partner whose intake is not submitted
    `intake_overdue_alert_days` after their first invitation (once per partner)."""
    field = "intake_overdue_alert_days"
    first_invited = (
        Invitation.objects.filter(partner_id=OuterRef("pk"), revoked_at=None)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    submitted = IntakeForm.objects.filter(
        partner_id=OuterRef("pk"),
        status__in=[IntakeForm.Status.SUBMITTED, IntakeForm.Status.SUPERSEDED],
    )
    candidates = (
        Partner.objects.filter(couple__status__in=OPEN_PROGRAM)
        .annotate(
            invited_at=Subquery(first_invited),
            alert_days=_clinic_setting(field, "couple__clinic_id"),
        )
        .filter(invited_at__lte=now - timedelta(days=_setting_extreme(field, Min)))
        .exclude(Exists(submitted))
        .exclude(_alerted("partner:", ":intake-overdue"))
        .select_related("couple__clinic")
    )
    return _raise_in_batches(candidates, batch_size, lambda p: _intake_overdue_alert(p, now))


def _intake_overdue_alert(partner: Partner, now: datetime) -> Alert | None:
    if partner.invited_at + timedelta(days=partner.alert_days) > now:
        return None
    invited_on = timezone.localdate(partner.invited_at, partner.couple.clinic.zone)
    return Alert(
        clinic_id=partner.couple.clinic_id,
        couple_id=partner.couple_id,
        partner=partner,
        kind=Alert.Kind.INTAKE_OVERDUE,
        message=(
            f"{partner.first_name}'s intake is not submitted {partner.alert_days} days after "
            f"their first invitation ({_day(invited_on)}). Check in with them, and that the "
            "invitation reached them."
        ),
        dedupe_key=f"partner:{partner.pk}:intake-overdue",
        raised_at=now,
    )


# --- A review or prescription about to expire ---------------------------------------------
def _expiry_window(now: datetime) -> tuple[date, date]:
    """Every clinic's today falls within a day of UTC's; their days fall inside the largest."""
    today = now.date()
    return today - timedelta(days=1), today + timedelta(
        days=_setting_extreme("expiry_alert_days", Max) + 1
    )


def _days_left(obj, ends_on: date, now: datetime) -> int | None:
    """Days until `ends_on` in the clinic's calendar, if inside its alert window."""
    left = (ends_on - timezone.localdate(now, obj.partner.couple.clinic.zone)).days
    return left if 0 <= left <= obj.alert_days else None


def review_expiry_alerts_raise(*, now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Alert when a partner's current clearance expires within `expiry_alert_days`.

    Current: not invalidated, and no later review of the partner signed since."""
    later = ContraindicationReview.objects.filter(
        partner_id=OuterRef("partner_id"), invalidated_at=None, signed_at__gt=OuterRef("signed_at")
    )
    clearances = [
        ContraindicationReview.Decision.CLEARED,
        ContraindicationReview.Decision.CLEARED_WITH_CONDITIONS,
    ]
    candidates = (
        ContraindicationReview.objects.filter(
            partner__couple__status__in=OPEN_PROGRAM,
            invalidated_at=None,
            decision__in=clearances,
            expires_on__range=_expiry_window(now),
        )
        .exclude(Exists(later))
        .exclude(_alerted("review:", ":expiring"))
        .annotate(alert_days=_clinic_setting("expiry_alert_days", "partner__couple__clinic_id"))
        .select_related("partner__couple__clinic")
    )
    return _raise_in_batches(candidates, batch_size, lambda r: _review_alert(r, now))


def _review_alert(review: ContraindicationReview, now: datetime) -> Alert | None:
    left = _days_left(review, review.expires_on, now)
    if left is None:
        return None
    return _expiry_alert(
        review.partner,
        Alert.Kind.REVIEW_EXPIRING,
        f"{review.partner.first_name}'s contraindication review expires on "
        f"{_day(review.expires_on)} ({_in_days(left)}). A new review is needed before any "
        "medicine session after that day.",
        f"review:{review.pk}:expiring",
        now,
    )


def prescription_expiry_alerts_raise(*, now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Alert when a partner's active prescription ends within `expiry_alert_days` and no
    later active one for the same route follows it."""
    later = Prescription.objects.filter(
        partner_id=OuterRef("partner_id"),
        route=OuterRef("route"),
        status=Prescription.Status.ACTIVE,
        valid_until__gt=OuterRef("valid_until"),
    )
    candidates = (
        Prescription.objects.filter(
            partner__couple__status__in=OPEN_PROGRAM,
            status=Prescription.Status.ACTIVE,
            valid_until__range=_expiry_window(now),
        )
        .exclude(Exists(later))
        .exclude(_alerted("prescription:", ":expiring"))
        .annotate(alert_days=_clinic_setting("expiry_alert_days", "partner__couple__clinic_id"))
        .select_related("partner__couple__clinic")
    )
    return _raise_in_batches(candidates, batch_size, lambda p: _prescription_alert(p, now))


def _prescription_alert(prescription: Prescription, now: datetime) -> Alert | None:
    left = _days_left(prescription, prescription.valid_until, now)
    if left is None:
        return None
    return _expiry_alert(
        prescription.partner,
        Alert.Kind.PRESCRIPTION_EXPIRING,
        f"{prescription.partner.first_name}'s prescription "
        f"({prescription.get_route_display().lower()}) ends on "
        f"{_day(prescription.valid_until)} ({_in_days(left)}). Renew it if treatment continues.",
        f"prescription:{prescription.pk}:expiring",
        now,
    )


def _expiry_alert(partner: Partner, kind: str, message: str, key: str, now: datetime) -> Alert:
    return Alert(
        clinic_id=partner.couple.clinic_id,
        couple_id=partner.couple_id,
        partner=partner,
        kind=kind,
        message=message,
        dedupe_key=key,
        raised_at=now,
    )
