"""Messages, follow-ups and alerts.

The event hooks are called by other apps' services inside their transactions, so
the outbox rows commit (or roll back) with the event. Their signatures are the
interface between the apps.

Delivery: the database is the truth and Celery only delivers. A row is claimed
with `SELECT … FOR UPDATE SKIP LOCKED`, sent, and marked sent in the same
transaction, so two workers never both send it; the beat sweep picks up
whatever a lost task or a failed publish left behind.
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from intake.models import Partner
from integration import followups, quiet_hours, rendering, sms, window
from integration.alerts import alert_acknowledge as alert_acknowledge
from integration.alerts import alert_raise as alert_raise
from integration.alerts import hold_watch_fires
from integration.alerts import hold_watch_schedule as hold_watch_schedule
from integration.models import CheckIn, MessagingSettings, QuestionnaireDue, Reminder

logger = logging.getLogger(__name__)


# --- Writing to the outbox ----------------------------------------------------------------
def messaging_settings_for(clinic_id: int) -> MessagingSettings:
    """The clinic's message settings, created with the defaults on first use."""
    found, _ = MessagingSettings.objects.get_or_create(clinic_id=clinic_id)
    return found


def channel_for(partner: Partner, messaging: MessagingSettings) -> str:
    """The partner's chosen channel, falling back to email where a text cannot be sent."""
    wants_sms = partner.preferred_channel == Partner.Channel.SMS and bool(partner.phone)
    return Reminder.Channel.SMS if wants_sms and messaging.sms_enabled else Reminder.Channel.EMAIL


def first_attempt_at(
    *, due_at: datetime, partner: Partner | None, messaging: MessagingSettings
) -> datetime:
    if partner is None:  # staff alerts are work messages: no quiet hours
        return due_at
    return quiet_hours.move_out_of_quiet_hours(
        due_at, zone_name=partner.timezone, start=messaging.quiet_start, end=messaging.quiet_end
    )


def reminder_schedule(
    *,
    clinic_id: int,
    kind: str,
    due_at: datetime,
    idempotency_key: str,
    partner: Partner | None = None,
    staff_user=None,
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
    reminder.full_clean(validate_unique=False)
    with transaction.atomic():
        reminder.save()
    if reminder.next_attempt_at <= timezone.now():
        publish_on_commit(reminder.pk)
    return reminder


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


# --- Publishing (never blocks a web request) ------------------------------------------------
def publish_on_commit(reminder_id: int) -> None:
    transaction.on_commit(lambda: publish(reminder_id))


def publish(reminder_id: int) -> bool:
    """Hand one reminder to a worker now; on any broker trouble leave it to the sweep."""
    from integration.tasks import deliver_reminder  # tasks import this module
    from kapcouples.celery import app

    try:
        with app.connection_for_write() as connection:
            # One try, no retry loop: with the short socket timeouts in settings a dead
            # broker costs at most a couple of seconds, never a hung request.
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
            deliver_reminder.apply_async(args=[reminder_id], retry=False, connection=connection)
    except Exception:  # the broker's errors vary by transport; any of them means "later"
        logger.warning("could not publish reminder %s; the sweep will send it", reminder_id)
        return False
    return True


# --- Delivery --------------------------------------------------------------------------
def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base, ... capped at six hours."""
    seconds = settings.KAP_REMINDER_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 6 * 3600))


def reminders_deliver_due(*, limit: int | None = None) -> int:
    """Send every due reminder (the beat sweep); returns how many were handled."""
    limit = limit or settings.KAP_REMINDER_SWEEP_LIMIT
    handled = 0
    while handled < limit and _deliver_next_due():
        handled += 1
    return handled


def _deliver_next_due() -> bool:
    with transaction.atomic():
        reminder = (
            Reminder.objects.due(timezone.now())
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at")
            .first()
        )
        if reminder is None:
            return False
        _attempt(reminder)
    return True


def reminder_deliver(*, reminder_id: int) -> Reminder | None:
    """Send one reminder if it is still pending and due (the task published on commit).

    Safe to run twice and alongside the sweep: whoever holds the row lock sends it,
    the other skips it, and a sent row is never pending again.
    """
    with transaction.atomic():
        reminder = (
            Reminder.objects.due(timezone.now())
            .select_for_update(skip_locked=True)
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None:  # sent, cancelled, not due yet, or another worker has it
            return None
        _attempt(reminder)
    return reminder


def _attempt(reminder: Reminder) -> None:
    if not still_wanted(reminder):
        reminder.status = Reminder.Status.CANCELLED
        reminder.save(update_fields=["status"])
        return
    reminder.attempts += 1
    try:
        send(reminder)
    except Exception as error:  # any backend failure is retried, then recorded
        _record_failure(reminder, error)
        return
    reminder.status = Reminder.Status.SENT
    reminder.sent_at = timezone.now()
    reminder.last_error = ""
    reminder.save(update_fields=["status", "sent_at", "attempts", "last_error"])


def _record_failure(reminder: Reminder, error: Exception) -> None:
    reminder.last_error = f"{type(error).__name__}: {error}"[:500]
    if reminder.attempts >= settings.KAP_REMINDER_MAX_ATTEMPTS:
        reminder.status = Reminder.Status.FAILED
        logger.error("reminder %s failed for good: %s", reminder.pk, reminder.last_error)
    else:
        reminder.next_attempt_at = timezone.now() + retry_delay(reminder.attempts)
        logger.warning("reminder %s attempt %s failed", reminder.pk, reminder.attempts)
    reminder.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])


def send(reminder: Reminder) -> None:
    """Render and hand the message to the email or SMS backend (raises on failure)."""
    message = rendering.render_reminder(reminder)
    if reminder.channel == Reminder.Channel.SMS:
        sms.get_backend().send(to=reminder.partner.phone, body=message.text)
        return
    address = reminder.partner.email if reminder.partner_id else reminder.staff_user.email
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        to=[address],
        # Lets operators trace a delivery to its outbox row; carries no content.
        headers={"X-KAP-Reminder": str(reminder.pk)},
    )
    email.attach_alternative(message.html, "text/html")
    email.send()


def still_wanted(reminder: Reminder) -> bool:
    """Whether a follow-up still makes sense at sending time (e.g. the task was done)."""
    check = STILL_WANTED_CHECKS.get(reminder.kind)
    return check(reminder) if check else True


# Checked under the row lock just before sending; False cancels the message.
STILL_WANTED_CHECKS: dict = {}  # filled below the hooks


# --- Event hooks (called inside other apps' transactions) -------------------------------
def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def _appointment_timeline(appointment, messaging: MessagingSettings) -> list[tuple[str, datetime]]:
    """Which messages an appointment gets, and when (past reminders are left out)."""
    now = timezone.now()
    timeline = [(Reminder.Kind.APPOINTMENT_CONFIRMATION, now)]
    reminder_at = appointment.start - timedelta(hours=messaging.appointment_reminder_hours)
    if reminder_at > now:
        timeline.append((Reminder.Kind.APPOINTMENT_REMINDER, reminder_at))
    if appointment.kind == "medicine" and appointment.start > now:
        # Booked late: the ride-home and no-driving advice goes out at once.
        hours = messaging.preparation_instructions_hours
        prepare_at = max(appointment.start - timedelta(hours=hours), now)
        timeline.append((Reminder.Kind.PREPARATION_INSTRUCTIONS, prepare_at))
    return timeline


def _schedule_appointment_messages(appointment) -> None:
    messaging = messaging_settings_for(appointment.clinic_id)
    pending = set(
        Reminder.objects.about(appointment)
        .filter(status=Reminder.Status.PENDING)
        .values_list("partner_id", "kind")
    )
    for partner in appointment.couple.partners.all():
        for kind, due_at in _appointment_timeline(appointment, messaging):
            if (partner.pk, kind) in pending:
                continue  # already waiting (moved to the new time)
            reminder_schedule(
                clinic_id=appointment.clinic_id,
                partner=partner,
                kind=kind,
                about=appointment,
                due_at=due_at,
                event_at=appointment.start,
                idempotency_key=(
                    f"appointment:{appointment.pk}:{kind}:{partner.pk}:{_stamp(appointment.start)}"
                ),
                link_path=reverse("portal"),
            )


QUESTIONNAIRE_EVENT_OF_KIND = {
    "medicine": ("before_medicine", "Before your session"),
    "assessment": ("assessment", "For your assessment"),
    "integration": ("after_integration", "After your integration session"),
}


# Instruments valid only for some days before a medicine session: opened inside that window.
WINDOWED_BEFORE_MEDICINE = ("C-SSRS",)


def _schedule_questionnaires_for_appointment(appointment) -> None:
    if appointment.kind not in QUESTIONNAIRE_EVENT_OF_KIND:
        return
    event, reason = QUESTIONNAIRE_EVENT_OF_KIND[appointment.kind]
    after = event == "after_integration"
    schedule = messaging_settings_for(appointment.clinic_id).questionnaire_schedule
    opens_at = appointment.end if after else timezone.now()
    parts = [(schedule, opens_at)]
    if event == "before_medicine":
        windowed = [e for e in schedule if e["code"] in WINDOWED_BEFORE_MEDICINE]
        rest = [e for e in schedule if e not in windowed]
        parts = [(rest, opens_at), (windowed, _screener_opens_at(appointment))]
    for entries, opens in parts:
        followups.questionnaires_for_event(
            schedule=entries,
            event=event,
            partners=appointment.couple.partners.all(),
            opens_at=opens,
            due_at=appointment.end + timedelta(days=3) if after else appointment.start,
            source=f"appointment:{appointment.pk}",
            clinic_id=appointment.clinic_id,
            reason=reason,
        )


def _screener_opens_at(appointment) -> datetime:
    """A screener answered earlier than its validity before the session would not count."""
    from intake.models import ScreeningSettings  # intake imports this app's services

    valid_days = ScreeningSettings.for_clinic(appointment.clinic_id).cssrs_valid_days
    return max(timezone.now(), appointment.start - timedelta(days=valid_days))


def reminders_on_appointment_booked(*, appointment: Any) -> None:
    """Write the confirmation and reminder rows for a newly booked appointment."""
    _schedule_appointment_messages(appointment)
    _schedule_questionnaires_for_appointment(appointment)


def reminders_on_appointment_rescheduled(*, appointment: Any) -> None:
    """Move the pending reminders of an appointment to its new time.

    Pending messages keep their distance to the appointment; the partners get a
    confirmation of the new time, and reminders already sent are written again.
    """
    previous = (
        Reminder.objects.about(appointment)
        .filter(event_at__isnull=False)
        .order_by("-created_at")
        .values_list("event_at", flat=True)
        .first()
    )
    reminders_move_about(about=appointment, event_at=appointment.start)
    _schedule_appointment_messages(appointment)
    if previous is not None and previous != appointment.start:
        source = f"appointment:{appointment.pk}"
        followups.questionnaires_move_for(source=source, delta=appointment.start - previous)


def reminders_on_appointment_cancelled(*, appointment: Any) -> None:
    """Cancel the pending reminders of a cancelled appointment (or no-show).

    A lost integration appointment may break the integration promise of its medicine
    session: if so, the alert is raised and the staff are told now, not at the next check.
    """
    reminders_cancel_about(about=appointment)
    followups.questionnaires_cancel_for(source=f"appointment:{appointment.pk}")
    window.integration_window_on_called_off(appointment=appointment)


def followups_on_medicine_session_completed(*, medicine_session: Any) -> None:
    """Schedule integration check-ins and the missing-integration alert after a session."""
    messaging = messaging_settings_for(medicine_session.couple.clinic_id)
    followups.checkins_schedule(medicine_session=medicine_session, days=messaging.checkin_day_list)
    completed = medicine_session.completed_at or timezone.now()
    followups.questionnaires_for_event(
        schedule=messaging.questionnaire_schedule,
        event="after_medicine",
        partners=medicine_session.couple.partners.all(),
        opens_at=completed,
        due_at=completed + timedelta(days=3),
        source=f"medicine-session:{medicine_session.pk}",
        clinic_id=medicine_session.couple.clinic_id,
        reason="After your session",
    )
    window.integration_checks_schedule(medicine_session=medicine_session)


def intake_nudges_schedule() -> int:
    """Nudge partners whose intake is not submitted some days after their invitation.

    Run hourly by beat (the intake app has no hook for "nothing happened"); the
    idempotency key makes each invitation's nudge once only.
    """
    from intake.models import Invitation

    now = timezone.now()
    waiting = (
        Invitation.objects.filter(
            created_at__gte=now - timedelta(days=30),
            created_at__lte=now - timedelta(days=1),
            revoked_at=None,
        )
        .exclude(partner__intake_forms__status__in=["submitted", "superseded"])
        .select_related("partner__couple")
    )
    written = 0
    for invitation in waiting:
        clinic_id = invitation.partner.couple.clinic_id
        due_at = invitation.created_at + timedelta(
            days=messaging_settings_for(clinic_id).intake_nudge_days
        )
        if due_at > now:
            continue
        reminder_schedule(
            clinic_id=clinic_id,
            partner=invitation.partner,
            kind=Reminder.Kind.INTAKE_NUDGE,
            about=invitation,
            due_at=due_at,
            idempotency_key=f"invitation:{invitation.pk}:intake-nudge",
            link_path=reverse("portal"),
        )
        written += 1
    return written


def _intake_not_submitted(reminder: Reminder) -> bool:
    return not reminder.partner.intake_forms.filter(status__in=["submitted", "superseded"]).exists()


def _questionnaire_still_due(reminder: Reminder) -> bool:
    due = followups.with_completion(QuestionnaireDue.objects.filter(pk=reminder.about_id)).first()
    return due is not None and due.cancelled_at is None and not due.is_done


def _checkin_unanswered(reminder: Reminder) -> bool:
    return not CheckIn.objects.filter(pk=reminder.about_id, answered_at__isnull=False).exists()


def _missing_integration_wanted(reminder: Reminder) -> bool:
    """An announcement of an alert goes out. A row about a medicine session was written
    as the window's check before checks had their own kind: it is now only a check."""
    if reminder.about_type is not None and reminder.about_type.model == "medicinesession":
        return window.integration_check_runs(reminder)
    return True


STILL_WANTED_CHECKS.update(
    {
        Reminder.Kind.MISSING_INTEGRATION: _missing_integration_wanted,
        Reminder.Kind.INTEGRATION_CHECK: window.integration_check_runs,
        Reminder.Kind.HOLD_WATCH: hold_watch_fires,
        Reminder.Kind.QUESTIONNAIRE_DUE: _questionnaire_still_due,
        Reminder.Kind.CHECKIN_PROMPT: _checkin_unanswered,
        Reminder.Kind.INTAKE_NUDGE: _intake_not_submitted,
    }
)
