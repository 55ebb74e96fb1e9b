"""Care-team alerts: raising them once, telling the right staff, acknowledging them.

An alert's own message is clinical and stays in the app. The emails that announce
an alert say only that something needs attention and link to the couple's page:
they land in inboxes others may read.
"""

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from integration import lookups
from integration.models import Alert, Reminder
from integration.outbox import reminder_schedule
from kapcouples import policy
from kapcouples.services import DomainError


@transaction.atomic
def alert_raise(
    *,
    couple,
    kind: str,
    message: str,
    dedupe_key: str,
    partner=None,
    urgent: bool = False,
) -> Alert:
    """Raise a care-team alert once per `dedupe_key` (raising again returns the first one).

    The message is for the care team only; keep it short and point to the record.
    An urgent alert is also emailed, without its message, to the couple's care team.
    """
    alert, created = Alert.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "clinic_id": couple.clinic_id,
            "couple": couple,
            "partner": partner,
            "kind": kind,
            "urgency": Alert.Urgency.URGENT if urgent else Alert.Urgency.ROUTINE,
            "message": message[:500],
        },
    )
    if created and alert.urgency == Alert.Urgency.URGENT:
        alert_announce(alert=alert, kind=Reminder.Kind.URGENT_ALERT, to=care_team(couple))
    return alert


def alert_announce(*, alert: Alert, kind: str, to: list) -> list[Reminder]:
    """Email each of `to` that `alert` needs attention: once per alert and person, due now."""
    return [
        reminder_schedule(
            clinic_id=alert.clinic_id,
            staff_user=user,
            kind=kind,
            about=alert,
            due_at=timezone.now(),
            idempotency_key=f"alert:{alert.pk}:{kind}:{user.pk}",
            link_path=reverse("intake:couple_detail", args=[alert.couple_id]),
        )
        for user in to
    ]


def care_team(couple) -> list:
    """The couple's primary clinician and care team who can still sign in."""
    team = [couple.primary_clinician, *couple.care_team.all()]
    return list({user.pk: user for user in team if user.is_active}.values())


def front_desk_and_care_team(couple) -> list:
    from kapcouples.models import Role, User

    front_desk = User.objects.filter(
        membership__clinic_id=couple.clinic_id,
        membership__role=Role.FRONT_DESK,
        membership__is_active=True,
        is_active=True,
    )
    return list({user.pk: user for user in [*front_desk, *care_team(couple)]}.values())


@transaction.atomic
def alert_acknowledge(*, alert: Alert, by) -> Alert:
    """Record that a care-team member has seen and is acting on an alert."""
    alert = Alert.objects.select_for_update().select_related("couple").get(pk=alert.pk)
    policy.ensure(policy.can_acknowledge_alert, by, alert.couple, to="acknowledge an alert")
    if alert.acknowledged_at is not None:
        raise DomainError(f"{alert.acknowledged_by} already acknowledged this alert.")
    alert.acknowledged_by, alert.acknowledged_at = by, timezone.now()
    alert.full_clean()
    alert.save()
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, by, note: str) -> Alert:
    """Close an alert with a note of what was done (acknowledging it too, if nobody had)."""
    alert = Alert.objects.select_for_update().select_related("couple").get(pk=alert.pk)
    policy.ensure(policy.can_acknowledge_alert, by, alert.couple, to="resolve an alert")
    if alert.resolved_at is not None:
        raise DomainError(f"{alert.resolved_by} already resolved this alert.")
    note = (note or "").strip()
    if len(note) < RESOLUTION_NOTE_MIN:
        raise InvalidNote(
            "Say what was done (a call, a new reading, a decision): a note of at least "
            f"{RESOLUTION_NOTE_MIN} characters is needed to resolve an alert."
        )
    now = timezone.now()
    if alert.acknowledged_at is None:
        alert.acknowledged_by, alert.acknowledged_at = by, now
    alert.resolved_by, alert.resolved_at, alert.resolution_note = by, now, note
    alert.full_clean()
    alert.save()
    return alert


RESOLUTION_NOTE_MIN = 10


class InvalidNote(DomainError):
    """The resolution note is missing or too short (shown next to its field)."""


# --- A blood-pressure hold nobody resolved ----------------------------------------------
def hold_watch_schedule(
    *, couple, partner, vitals_id: int, taken_at: datetime, minutes: int = 30
) -> Reminder:
    """Look again `minutes` after a hold reading; if the hold still stands, raise an urgent
    alert (which emails the care team). The watch row itself is never sent.

    Call inside the transaction that records the reading; once per reading.
    """
    vitals_type = ContentType.objects.get(app_label="clinic_sessions", model="vitalsigns")
    return reminder_schedule(
        clinic_id=couple.clinic_id,
        staff_user=couple.primary_clinician,
        kind=Reminder.Kind.HOLD_WATCH,
        about_type=vitals_type,
        about_id=vitals_id,
        due_at=taken_at + timedelta(minutes=minutes),
        event_at=taken_at,
        idempotency_key=f"vitals:{vitals_id}:hold-watch",
        link_path=reverse("intake:couple_detail", args=[couple.pk]),
    )


def hold_watch_fires(reminder: Reminder) -> bool:
    """The still-wanted check of a hold watch: raise the alert if the hold stands.

    Always False: the alert's own urgent emails are the message, so each person
    hears of the event once.
    """
    if not lookups.hold_in_force(reminder.about_id):
        return False
    vitals = reminder.about
    alert_raise(
        couple=vitals.medicine_session.couple,
        partner=vitals.partner,
        kind=Alert.Kind.HOLD_READING,
        message=(
            f"Blood pressure hold of {vitals.partner.first_name} "
            f"({vitals.systolic}/{vitals.diastolic}) still not resolved "
            f"{_minutes_between(reminder.event_at, reminder.due_at)} min after the reading. "
            "Take a new reading or record a prescriber's decision."
        ),
        dedupe_key=f"vitals:{reminder.about_id}:hold-not-resolved",
        urgent=True,
    )
    return False


def _minutes_between(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)
