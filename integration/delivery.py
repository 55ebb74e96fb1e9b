"""Delivery: claim due rows in batches, send them over one connection, mark them.

Exactly once per row: a batch is claimed with `SELECT … FOR UPDATE SKIP LOCKED` and
its rows stay locked until their outcomes commit, so any number of workers can
drain one backlog and never hold the same row. A process dying after handing
messages over and before that commit can resend its batch (at-least-once at that
edge, at most one batch).

Time: a drain checks its deadline between messages and stops cleanly, committing
what it sent; the delivery tasks' time limits sit far above the deadline. Should the
soft limit fire anyway, the batch stops at that message and still records the rest.
"""

import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from integration import chaperones, rendering, sms, sms_reports
from integration.checks import StillWantedChecks
from integration.models import MessagingSettings, Reminder

logger = logging.getLogger(__name__)

# pg_try_advisory_lock(namespace, slot): one drainer per slot, whatever was published.
DRAINER_LOCK_NAMESPACE = 0x4B4150  # "KAP"


class NotHandedOver(Exception):
    """The email backend accepted the call but sent nothing (no recipient, say)."""


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base, ... capped at six hours."""
    seconds = settings.KAP_REMINDER_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 6 * 3600))


# --- Draining the backlog ------------------------------------------------------------------
@dataclass(frozen=True)
class Drained:
    handled: int
    stopped_at_deadline: bool  # rows may still be due: the caller may start another drain


def reminders_drain(
    *, seconds: float | None = None, batch_size: int | None = None, slot: int | None = None
) -> Drained:
    """Send batch after batch until nothing is due or `seconds` have passed.

    With a `slot`, only one drain per slot runs at a time (a PostgreSQL advisory lock);
    a second one for a busy slot returns at once, so duplicates never pile up.
    """
    deadline = time.monotonic() + (seconds or settings.KAP_REMINDER_DRAIN_SECONDS)
    size = batch_size or settings.KAP_REMINDER_BATCH_SIZE
    handled = 0
    with _drainer_slot(slot) as held:
        while held:
            outcome = _deliver(size=size, deadline=deadline)
            handled += len(outcome.handled)
            if outcome.interrupted or time.monotonic() >= deadline:
                return Drained(handled, stopped_at_deadline=True)
            if not outcome.claimed:
                break  # nothing left to claim: the rest is not due, or another drain's
    return Drained(handled, stopped_at_deadline=False)


def reminders_deliver_due(*, seconds: float | None = None, batch_size: int | None = None) -> int:
    """Send every due reminder (no cap a minute); returns how many rows were handled."""
    return reminders_drain(seconds=seconds, batch_size=batch_size).handled


def drainers_for_backlog() -> int:
    """How many drains the backlog is worth: one per due batch, at most KAP_REMINDER_DRAINERS."""
    most, size = settings.KAP_REMINDER_DRAINERS, settings.KAP_REMINDER_BATCH_SIZE
    due = Reminder.objects.due(timezone.now()).values("pk")[: most * size].count()
    return min(most, math.ceil(due / size))


@contextmanager
def _drainer_slot(slot: int | None) -> Iterator[bool]:
    if slot is None or connection.vendor != "postgresql":
        yield True  # SQLite (the embedded demo) has one solo worker: nothing to share
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [DRAINER_LOCK_NAMESPACE, slot])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [DRAINER_LOCK_NAMESPACE, slot])


# --- One batch ---------------------------------------------------------------------------
def deliver_batch(*, size: int | None = None, deadline: float | None = None) -> int:
    """Claim up to `size` due rows, send them, record each outcome; returns how many."""
    outcome = _deliver(size=size or settings.KAP_REMINDER_BATCH_SIZE, deadline=deadline)
    return len(outcome.handled)


def reminder_deliver(*, reminder_id: int) -> Reminder | None:
    """Send one reminder if it is still pending and due (the task published on commit).

    Safe to run twice and alongside the sweep: whoever holds the row lock sends it,
    the other skips it, and a sent row is never pending again.
    """
    handled = reminders_deliver(reminder_ids=[reminder_id])
    return handled[0] if handled else None  # sent, cancelled, not due, or another has it


def reminders_deliver(*, reminder_ids: list[int]) -> list[Reminder]:
    """`reminder_deliver` for the reminders one event published together, in one claim."""
    return _deliver(size=len(reminder_ids), ids=reminder_ids).handled


def _deliver(
    *, size: int, ids: list[int] | None = None, deadline: float | None = None
) -> "Outcome":
    with transaction.atomic():
        claimed = _claim(size=size, ids=ids)
        outcome = _send_all(claimed, deadline=deadline) if claimed else Outcome()
        _record(outcome)
    return outcome


def _claim(*, size: int, ids: list[int] | None) -> list[Reminder]:
    due = Reminder.objects.due(timezone.now())
    if ids is not None:
        due = due.filter(pk__in=ids)
    # Lock the oldest due rows alone, by the partial index; then read them with their
    # recipients (joined in the locking query, the planner would sort every due row).
    locked = due.select_for_update(skip_locked=True).order_by("next_attempt_at")
    claimed = list(locked.values_list("pk", flat=True)[:size])
    if not claimed:
        return []
    rows = Reminder.objects.filter(pk__in=claimed).select_related("partner", "staff_user", "clinic")
    return list(rows.order_by("next_attempt_at", "pk"))


@dataclass
class Outcome:
    claimed: int = 0
    sent: list[Reminder] = field(default_factory=list)
    cancelled: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, Exception]] = field(default_factory=list)
    interrupted: bool = False  # the soft time limit fired: stop draining

    @property
    def handled(self) -> list[Reminder]:
        return [*self.sent, *self.cancelled, *(reminder for reminder, _ in self.failed)]


def _send_all(claimed: list[Reminder], *, deadline: float | None) -> Outcome:
    outcome = Outcome(claimed=len(claimed))
    messaging = _messaging_by_clinic({reminder.clinic_id for reminder in claimed})
    checks = StillWantedChecks.prefetch(claimed)
    with _Sender() as sender:
        for reminder in claimed:
            if deadline is not None and time.monotonic() >= deadline:
                break  # the rest stay pending, untouched, for the next drain
            try:
                if not checks.wanted(reminder):
                    outcome.cancelled.append(reminder)
                    continue
                sender.send(reminder, messaging[reminder.clinic_id])
            except SoftTimeLimitExceeded as error:  # stop here; record what was done
                outcome.failed.append((reminder, error))
                outcome.interrupted = True
                break
            except Exception as error:  # any backend failure is retried, then recorded
                outcome.failed.append((reminder, error))
                sender.reset()
                continue
            outcome.sent.append(reminder)
    return outcome


def _messaging_by_clinic(clinic_ids: set[int]) -> dict[int, MessagingSettings]:
    found = {m.clinic_id: m for m in MessagingSettings.objects.filter(clinic_id__in=clinic_ids)}
    for clinic_id in clinic_ids - found.keys():  # a clinic that never changed its settings
        found[clinic_id], _ = MessagingSettings.objects.get_or_create(clinic_id=clinic_id)
    return found


def _record(outcome: Outcome) -> None:
    """The outcomes of a batch in at most four statements, whatever its size."""
    now = timezone.now()
    if outcome.sent:
        Reminder.objects.filter(pk__in=[r.pk for r in outcome.sent]).update(
            status=Reminder.Status.SENT, sent_at=now, last_error="", attempts=F("attempts") + 1
        )
        for reminder in outcome.sent:
            reminder.status, reminder.sent_at, reminder.last_error = "sent", now, ""
            reminder.attempts += 1
        _record_channel_details(outcome.sent)
    if outcome.cancelled:
        Reminder.objects.filter(pk__in=[r.pk for r in outcome.cancelled]).update(
            status=Reminder.Status.CANCELLED
        )
        for reminder in outcome.cancelled:
            reminder.status = Reminder.Status.CANCELLED
    if outcome.failed:
        for reminder, error in outcome.failed:
            _note_failure(reminder, error, now=now)
        Reminder.objects.bulk_update(
            [reminder for reminder, _ in outcome.failed],
            ["status", "attempts", "last_error", "next_attempt_at"],
        )


def _record_channel_details(sent: list[Reminder]) -> None:
    """A text's id at the provider, or why it went by email instead: one statement."""
    detailed = [r for r in sent if r.provider_message_id or r.fallback_reason]
    if detailed:
        Reminder.objects.bulk_update(detailed, CHANNEL_DETAILS)


CHANNEL_DETAILS = [
    "channel",
    "fallback_reason",
    "provider_message_id",
    "delivery_status",
    "delivery_updated_at",
]


def _note_failure(reminder: Reminder, error: Exception, *, now) -> None:
    reminder.attempts += 1
    reminder.last_error = f"{type(error).__name__}: {error}"[:500]
    # A refusal no retry can change (an invalid number) fails the message at once.
    if isinstance(error, sms.SmsRefused) or reminder.attempts >= settings.KAP_REMINDER_MAX_ATTEMPTS:
        reminder.status = Reminder.Status.FAILED
        logger.error("reminder %s failed for good: %s", reminder.pk, reminder.last_error)
    else:
        reminder.next_attempt_at = now + retry_delay(reminder.attempts)
        logger.warning("reminder %s attempt %s failed", reminder.pk, reminder.attempts)


# --- Sending -----------------------------------------------------------------------------
class _Sender:
    """One email connection and one SMS backend for a whole batch, opened on first use."""

    def __init__(self) -> None:
        self._mail = None
        self._sms = None

    def __enter__(self) -> "_Sender":
        return self

    def __exit__(self, *exc) -> None:
        self.reset()

    def reset(self) -> None:
        """Drop the email connection (after a failure the next message opens a fresh one)."""
        if self._mail is not None:
            try:
                self._mail.close()
            except Exception:  # a broken connection may fail to close; it is dropped anyway
                logger.debug("closing the email connection failed", exc_info=True)
            self._mail = None

    def send(self, reminder: Reminder, messaging: MessagingSettings) -> None:
        if reminder.chaperone_id:
            return self._to_chaperone(reminder, messaging)
        if reminder.channel == Reminder.Channel.SMS:
            if not reminder.partner.sms_opted_out_at:
                try:
                    return self._text(reminder, messaging)
                except sms.SmsOptedOut:
                    # The number stopped texts at the provider itself: the clinic's record
                    # follows it, and this message still reaches the partner by email.
                    sms_reports.partner_sms_opt_out(partner=reminder.partner, why=PROVIDER_STOP)
            _by_email_instead(reminder)
        self._mail_out(reminder, messaging)

    def _to_chaperone(self, reminder: Reminder, messaging: MessagingSettings) -> None:
        """A named adult's message carries a link minted now; in a savepoint, so a message
        that fails to go out undoes its link and the one sent before still works."""
        contact = chaperones.contact_of(reminder)
        with transaction.atomic():
            link_path = chaperones.fresh_link_path(reminder)
            if reminder.channel == Reminder.Channel.SMS:
                try:
                    return self._text(reminder, messaging, to=contact.phone, link_path=link_path)
                except sms.SmsOptedOut:
                    if not contact.email:
                        raise  # refused for good: the care team sees it on their page
                reminder.channel = Reminder.Channel.EMAIL
                reminder.fallback_reason = CHAPERONE_EMAIL_INSTEAD
            self._mail_out(reminder, messaging, link_path=link_path)

    def _mail_out(self, reminder: Reminder, messaging: MessagingSettings, link_path="") -> None:
        if self._mail is None:
            self._mail = get_connection()
            self._mail.open()
        message = rendering.render_reminder(reminder, messaging=messaging, link_path=link_path)
        self._hand_over(_email(reminder, message))

    def _text(
        self, reminder: Reminder, messaging: MessagingSettings, *, to: str = "", link_path=""
    ) -> None:
        if self._sms is None:
            self._sms = sms.get_backend()
        body = rendering.render_sms(reminder, messaging=messaging, link_path=link_path)
        to = to or reminder.partner.phone
        handover = self._sms.send(to=to, body=body, reference=reminder.pk)
        if handover is not None and handover.provider_id:
            reminder.provider_message_id = handover.provider_id
            reminder.delivery_status = sms_reports.delivery_status_of(handover.status)
            reminder.delivery_updated_at = timezone.now()

    def _hand_over(self, email: EmailMultiAlternatives) -> None:
        if self._mail.send_messages([email]) != 1:
            raise NotHandedOver("the email backend sent nothing")


PROVIDER_STOP = "The SMS provider reports the number has opted out of texts"
EMAIL_INSTEAD = "Sent by email: the partner has stopped text messages (STOP)"
CHAPERONE_EMAIL_INSTEAD = "Sent by email: the chaperone's number has stopped texts (STOP)"


def _by_email_instead(reminder: Reminder) -> None:
    """A text to a partner who stopped texts goes by email; the outbox row says why."""
    reminder.channel, reminder.fallback_reason = Reminder.Channel.EMAIL, EMAIL_INSTEAD


def send(reminder: Reminder) -> None:
    """Render and hand one message to its backend (raises on failure); outside a batch."""
    with _Sender() as sender:
        sender.send(reminder, _messaging_by_clinic({reminder.clinic_id})[reminder.clinic_id])


def _email(reminder: Reminder, message: rendering.RenderedMessage) -> EmailMultiAlternatives:
    if reminder.chaperone_id:
        address = chaperones.contact_of(reminder).email
        if not address:
            raise NotHandedOver("the chaperone has no email address")
    else:
        address = reminder.partner.email if reminder.partner_id else reminder.staff_user.email
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        to=[address],
        # Lets operators trace a delivery to its outbox row; carries no content.
        headers={"X-KAP-Reminder": str(reminder.pk)},
    )
    email.attach_alternative(message.html, "text/html")
    return email


def still_wanted(reminder: Reminder) -> bool:
    """Whether a message still makes sense at sending time (e.g. the task was done)."""
    return StillWantedChecks.prefetch([reminder]).wanted(reminder)
