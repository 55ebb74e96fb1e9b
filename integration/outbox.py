"""Writing to the outbox: one row per message, in the transaction of its event.

A row already due is published to a worker when that transaction commits;
publishing never blocks the request (a dead broker leaves the row to the sweep).
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from intake.models import Partner
from integration import chaperones, quiet_hours
from integration.models import MessagingSettings, Reminder, ReminderRetry
from kapcouples import policy
from kapcouples.prepared import PreparedSetting
from kapcouples.services import DomainError

logger = logging.getLogger(__name__)

# A web worker publishes one request's reminders at a time; waiting longer than this for a
# pooled broker connection would mean something is stuck: the sweep sends them instead.
BROKER_POOL_WAIT_SECONDS = 1


def messaging_settings_for(clinic_id: int) -> MessagingSettings:
    """The clinic's message settings, created with the defaults on first use."""
    return _MESSAGING(clinic_id)


_MESSAGING = PreparedSetting(MessagingSettings)


def channel_for(partner: Partner, messaging: MessagingSettings) -> str:
    """The partner's chosen channel, falling back to email where a text cannot be sent
    (no phone, the clinic sends no texts, or the partner replied STOP)."""
    wants_sms = (
        partner.preferred_channel == Partner.Channel.SMS
        and bool(partner.phone)
        and partner.sms_opted_out_at is None
    )
    return Reminder.Channel.SMS if wants_sms and messaging.sms_enabled else Reminder.Channel.EMAIL


def first_attempt_at(
    *, due_at: datetime, partner: Partner | None, messaging: MessagingSettings
) -> datetime:
    if partner is None:  # staff alerts are work messages: no quiet hours
        return due_at
    start, end = quiet_hours.window_for(
        partner, clinic_start=messaging.quiet_start, clinic_end=messaging.quiet_end
    )
    return quiet_hours.move_out_of_quiet_hours(
        due_at, zone_name=partner.timezone, start=start, end=end
    )


def chaperone_channel(contact: chaperones.Contact, messaging: MessagingSettings) -> str:
    """A named adult chaperone: by text when they have a phone and the clinic sends texts."""
    texts = bool(contact.phone) and messaging.sms_enabled
    return Reminder.Channel.SMS if texts else Reminder.Channel.EMAIL


def chaperone_first_attempt_at(
    *, due_at: datetime, contact: chaperones.Contact, messaging: MessagingSettings
) -> datetime:
    """The clinic's quiet hours, in the dosing partner's zone (the chaperone has none)."""
    return quiet_hours.move_out_of_quiet_hours(
        due_at, zone_name=contact.timezone, start=messaging.quiet_start, end=messaging.quiet_end
    )


def reminder_schedule(
    *,
    clinic_id: int,
    kind: str,
    due_at: datetime,
    idempotency_key: str,
    partner: Partner | None = None,
    staff_user=None,
    chaperone_id: int | None = None,
    about: Any = None,
    about_type: ContentType | None = None,
    about_id: int | None = None,
    event_at: datetime | None = None,
    link_path: str = "/",
) -> Reminder:
    """Put one message in the outbox, once per `idempotency_key` (again returns the first).

    Call inside the transaction of the event that causes it. A message already due
    is handed to a worker when the transaction commits; later ones wait for the sweep.
    `about_type`/`about_id` name the subject without loading it (another app's row).
    """
    if about is not None:
        about_type, about_id = ContentType.objects.get_for_model(about), about.pk
    messaging = messaging_settings_for(clinic_id)
    existing = Reminder.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    reminder = Reminder(
        clinic_id=clinic_id,
        partner=partner,
        staff_user=staff_user,
        chaperone_id=chaperone_id,
        channel=channel_for(partner, messaging) if partner else Reminder.Channel.EMAIL,
        kind=kind,
        about_type=about_type,
        about_id=about_id,
        event_at=event_at,
        link_path=link_path,
        due_at=due_at,
        next_attempt_at=first_attempt_at(due_at=due_at, partner=partner, messaging=messaging),
        idempotency_key=idempotency_key,
    )
    if chaperone_id is not None:
        contact = chaperones.contact_by_id(chaperone_id)
        reminder.channel = chaperone_channel(contact, messaging)
        reminder.next_attempt_at = chaperone_first_attempt_at(
            due_at=due_at, contact=contact, messaging=messaging
        )
    reminder.full_clean(validate_unique=False)
    with transaction.atomic():
        reminder.save()
    if reminder.next_attempt_at <= timezone.now():
        publish_on_commit(reminder.pk)
    return reminder


@dataclass(frozen=True)
class Message:
    """One message an event wants in the outbox (see `reminders_schedule_many`)."""

    kind: str
    due_at: datetime
    idempotency_key: str
    partner: Partner
    about_type: ContentType
    about_id: int
    event_at: datetime | None = None
    link_path: str = "/"


def reminders_schedule_many(
    *,
    clinic_id: int,
    messages: list[Message],
    messaging: MessagingSettings,
    keys_unused: bool = False,
) -> list[Reminder]:
    """Put several messages to partners in the outbox in two statements (the keys already
    there, then one insert); each key still makes one row only. For an event's hook, which
    runs inside the caller's transaction and writes a dozen rows at once.

    `keys_unused`: the keys name rows made in this transaction, so none can be taken and
    the insert is the only statement (the unique index would refuse a duplicate)."""
    there = set() if keys_unused else _keys_taken([m.idempotency_key for m in messages])
    new = [
        Reminder(
            clinic_id=clinic_id,
            partner=m.partner,
            channel=channel_for(m.partner, messaging),
            kind=m.kind,
            about_type=m.about_type,
            about_id=m.about_id,
            event_at=m.event_at,
            link_path=m.link_path,
            due_at=m.due_at,
            next_attempt_at=first_attempt_at(
                due_at=m.due_at, partner=m.partner, messaging=messaging
            ),
            idempotency_key=m.idempotency_key,
        )
        for m in messages
        if m.idempotency_key not in there
    ]
    made = Reminder.objects.bulk_create(new)
    now = timezone.now()
    publish_many_on_commit([r.pk for r in made if r.next_attempt_at <= now])
    return made


def _keys_taken(keys: list[str]) -> set[str]:
    taken = Reminder.objects.filter(idempotency_key__in=keys)
    return set(taken.values_list("idempotency_key", flat=True))


@transaction.atomic
def reminders_cancel_about(*, about: Any, kinds: list[str] | None = None) -> int:
    """Cancel the pending messages about an object (sent ones stay as the record)."""
    pending = Reminder.objects.about(about).filter(status=Reminder.Status.PENDING)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    return pending.update(status=Reminder.Status.CANCELLED)


@transaction.atomic
def reminders_move_about(*, about: Any, event_at: datetime) -> list[Reminder]:
    """Move the pending timed messages about an object so they keep their distance to it."""
    moved = []
    pending = Reminder.objects.about(about).filter(
        status=Reminder.Status.PENDING, event_at__isnull=False
    )
    for reminder in pending.select_for_update(of=("self",)).select_related("partner"):
        messaging = messaging_settings_for(reminder.clinic_id)
        reminder.due_at = reminder.due_at + (event_at - reminder.event_at)
        reminder.event_at = event_at
        reminder.next_attempt_at = first_attempt_at(
            due_at=reminder.due_at, partner=reminder.partner, messaging=messaging
        )
        reminder.save(update_fields=["due_at", "event_at", "next_attempt_at"])
        moved.append(reminder)
    return moved


@transaction.atomic
def reminders_follow_partner(*, partner: Partner) -> int:
    """A partner changed their zone, quiet hours or channel: their messages not yet tried
    take the new ones (their asked-for times stay as they were)."""
    messaging = messaging_settings_for(partner.couple.clinic_id)
    pending = Reminder.objects.filter(
        partner=partner, status=Reminder.Status.PENDING, attempts=0
    ).select_for_update()
    moved = []
    for reminder in pending:
        reminder.partner = partner
        reminder.channel = channel_for(partner, messaging)
        reminder.next_attempt_at = first_attempt_at(
            due_at=reminder.due_at, partner=partner, messaging=messaging
        )
        moved.append(reminder)
    Reminder.objects.bulk_update(moved, ["channel", "next_attempt_at"])
    return len(moved)


@transaction.atomic
def reminder_retry(*, reminder: Reminder, by) -> Reminder:
    """Send a failed message again: pending now, its attempts kept (so one more failure
    fails it again rather than starting a new series of tries); the retry is recorded."""
    policy.ensure(policy.can_view_outbox, by, reminder.clinic_id, to="retry a message")
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.status != Reminder.Status.FAILED:
        raise DomainError(
            f"Only a failed message can be retried; this one is "
            f"{reminder.get_status_display().lower()}."
        )
    ReminderRetry.objects.create(
        reminder=reminder,
        by=by,
        attempts_before=reminder.attempts,
        error_before=reminder.last_error,
    )
    reminder.status, reminder.next_attempt_at = Reminder.Status.PENDING, timezone.now()
    reminder.save(update_fields=["status", "next_attempt_at"])
    publish_on_commit(reminder.pk)
    return reminder


# --- Publishing (never blocks a web request) ------------------------------------------------
def publish_on_commit(reminder_id: int) -> None:
    publish_many_on_commit([reminder_id])


def publish_many_on_commit(reminder_ids: list[int]) -> None:
    if reminder_ids:
        transaction.on_commit(lambda: publish(*reminder_ids))


def publish(*reminder_ids: int) -> bool:
    """Hand reminders to a worker now, as one message over a pooled broker connection
    (connected once per process, not once per request); on any broker trouble leave them
    to the sweep."""
    from integration.tasks import deliver_reminders  # tasks import this package
    from kapcouples.celery import app

    try:
        with app.pool.acquire(block=True, timeout=BROKER_POOL_WAIT_SECONDS) as connection:
            _publish_over(connection, deliver_reminders, list(reminder_ids))
    except Exception:  # the broker's errors vary by transport; any of them means "later"
        logger.warning("could not publish reminders %s; the sweep will send them", reminder_ids)
        return False
    return True


def _publish_over(connection, task, reminder_ids) -> None:
    try:
        # One try, no retry loop: with the short socket timeouts in settings a dead
        # broker costs at most a couple of seconds, never a hung request.
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
        producer = connection.Producer(auto_declare=False)
        task.apply_async(args=[reminder_ids], retry=False, producer=producer)
    except Exception:
        connection.collect()  # not back into the pool half-broken: the next use reconnects
        raise
