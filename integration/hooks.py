"""Event hooks: other apps' services call these inside their own transactions.

The outbox rows (and due questionnaires, check-ins, window checks) commit or roll
back with the event. The signatures are the interface between the apps: a hook gets
what it needs from its caller and never imports the caller's app.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from intake.models import Invitation, ScreeningSettings
from integration import due, followups, reflection, window
from integration.models import MessagingSettings, Reminder
from integration.outbox import (
    Message,
    messaging_settings_for,
    reminder_schedule,
    reminders_cancel_about,
    reminders_move_about,
    reminders_schedule_many,
)


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


def _appointment_messages(
    appointment, messaging: MessagingSettings, partners: list, *, pending: set | None = None
) -> list[Message]:
    """The confirmation and reminders of each partner. `pending`: (partner id, kind) of the
    rows already waiting (an appointment just booked has none; a moved one may)."""
    if pending is None:
        pending = set(
            Reminder.objects.about(appointment)
            .filter(status=Reminder.Status.PENDING)
            .values_list("partner_id", "kind")
        )
    about_type = ContentType.objects.get_for_model(appointment)
    messages = [
        Message(
            kind=kind,
            due_at=due_at,
            idempotency_key=(
                f"appointment:{appointment.pk}:{kind}:{partner.pk}:{_stamp(appointment.start)}"
            ),
            partner=partner,
            about_type=about_type,
            about_id=appointment.pk,
            event_at=appointment.start,
            link_path=reverse("portal"),
        )
        for partner in partners
        for kind, due_at in _appointment_timeline(appointment, messaging)
        if (partner.pk, kind) not in pending  # already waiting (moved to the new time)
    ]
    return messages


# The reason is stored in English and translated where a partner reads it (integration.due).
QUESTIONNAIRE_EVENT_OF_KIND = {
    "medicine": ("before_medicine", gettext_noop("Before your session")),
    "assessment": ("assessment", gettext_noop("For your assessment")),
    "integration": ("after_integration", gettext_noop("After your integration session")),
}


# Instruments valid only for some days before a medicine session: opened inside that window.
WINDOWED_BEFORE_MEDICINE = ("C-SSRS",)


def _questionnaire_messages(
    appointment,
    messaging: MessagingSettings,
    partners,
    *,
    created_now: bool = False,
    screening: ScreeningSettings | None = None,
) -> list[Message]:
    """Make the questionnaires the clinic's schedule attaches to this appointment's kind;
    return the reminders to send when each opens. (`created_now` and `screening`: see
    `reminders_on_appointment_booked`.)"""
    if appointment.kind not in QUESTIONNAIRE_EVENT_OF_KIND:
        return []
    event, reason = QUESTIONNAIRE_EVENT_OF_KIND[appointment.kind]
    after = event == "after_integration"
    schedule = messaging.questionnaire_schedule
    opens_later = {}
    if event == "before_medicine" and any(
        e["code"] in WINDOWED_BEFORE_MEDICINE for e in schedule if e["event"] == event
    ):
        screener_opens = _screener_opens_at(appointment, screening)
        opens_later = {code: screener_opens for code in WINDOWED_BEFORE_MEDICINE}
    dues = followups.questionnaire_dues_create(
        schedule=schedule,
        event=event,
        partners=partners,
        opens_at=appointment.end if after else timezone.now(),
        due_at=appointment.end + timedelta(days=3) if after else appointment.start,
        source=f"appointment:{appointment.pk}",
        reason=reason,
        opens_at_by_code=opens_later,
        keys_unused=created_now,
    )
    return followups.questionnaire_due_messages(dues)


def _screener_opens_at(appointment, screening: ScreeningSettings | None = None) -> datetime:
    """A screener answered earlier than its validity before the session would not count."""
    screening = screening or ScreeningSettings.for_clinic(appointment.clinic_id)
    valid_days = screening.cssrs_valid_days
    return max(timezone.now(), appointment.start - timedelta(days=valid_days))


def reminders_on_appointment_booked(
    *,
    appointment: Any,
    created_now: bool = False,
    messaging: MessagingSettings | None = None,
    screening: ScreeningSettings | None = None,
) -> None:
    """Write the confirmation and reminder rows for a newly booked appointment.

    `created_now`: the caller inserted the appointment in this transaction, so no message
    or questionnaire about it can be there yet (every key names it or a questionnaire made
    here) and the keys are not looked up; their unique indexes still refuse a second row.
    `messaging` and `screening`: the clinic's settings, when the caller has read them.
    """
    messaging = messaging or messaging_settings_for(appointment.clinic_id)
    partners = list(appointment.couple.partners.all())
    messages = _appointment_messages(appointment, messaging, partners, pending=set())
    messages += _questionnaire_messages(
        appointment, messaging, partners, created_now=created_now, screening=screening
    )
    reminders_schedule_many(
        clinic_id=appointment.clinic_id,
        messages=messages,
        messaging=messaging,
        keys_unused=created_now,
    )


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
    messaging = messaging_settings_for(appointment.clinic_id)
    partners = list(appointment.couple.partners.all())
    reminders_schedule_many(
        clinic_id=appointment.clinic_id,
        messages=_appointment_messages(appointment, messaging, partners),
        messaging=messaging,
    )
    if previous is not None and previous != appointment.start:
        source = f"appointment:{appointment.pk}"
        followups.questionnaires_move_for(source=source, delta=appointment.start - previous)


# A no-show recorded later than this after the start is bookkeeping: nobody is written to.
MISSED_MESSAGE_WITHIN = timedelta(days=7)


def reminders_on_appointment_cancelled(*, appointment: Any) -> None:
    """Cancel the pending reminders of a cancelled appointment (or no-show), and tell the
    partners (see `_called_off_kind` for when).

    A lost integration appointment may break the integration promise of its medicine
    session: if so, the alert is raised and the staff are told now, not at the next check.
    """
    reminders_cancel_about(about=appointment)
    followups.questionnaires_cancel_for(source=f"appointment:{appointment.pk}")
    window.integration_window_on_called_off(appointment=appointment)
    kind = _called_off_kind(appointment, timezone.now())
    if kind:
        _tell_partners(appointment, kind)


def _called_off_kind(appointment: Any, now: datetime) -> str:
    """Which message a called-off appointment sends, if any.

    A cancellation before the start tells the couple not to come. One recorded after the
    start, or of a backdated record, corrects the books: they know already. A no-show gets a
    gentle "we missed you, call us to rebook" while it is recent; not for a backdated record.
    """
    if appointment.backdated_reason:
        return ""
    if appointment.status == "cancelled" and appointment.start > now:
        return Reminder.Kind.APPOINTMENT_CANCELLED
    if appointment.status == "no_show" and now - appointment.start <= MISSED_MESSAGE_WITHIN:
        return Reminder.Kind.APPOINTMENT_MISSED
    return ""


def _tell_partners(appointment: Any, kind: str) -> None:
    messaging = messaging_settings_for(appointment.clinic_id)
    about_type = ContentType.objects.get_for_model(appointment)
    now = timezone.now()
    messages = [
        Message(
            kind=kind,
            due_at=now,
            idempotency_key=f"appointment:{appointment.pk}:{kind}:{partner.pk}",
            partner=partner,
            about_type=about_type,
            about_id=appointment.pk,
            event_at=appointment.start,
            link_path=reverse("portal"),
        )
        for partner in appointment.couple.partners.all()
    ]
    reminders_schedule_many(clinic_id=appointment.clinic_id, messages=messages, messaging=messaging)


def followups_on_medicine_session_completed(
    *, medicine_session: Any, integration_within_hours: int | None = None
) -> None:
    """Schedule integration check-ins and the missing-integration alert after a session.

    `integration_within_hours`: the clinic's integration window, from the caller's
    protocol (without it, asked of the sessions app through `integration.lookups`).
    """
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
    window.integration_checks_schedule(
        medicine_session=medicine_session, hours=integration_within_hours
    )


def intake_nudges_schedule() -> int:
    """Nudge partners whose intake is still due some days after their invitation.

    Run hourly by beat (the intake app has no hook for "nothing happened"); the
    idempotency key makes each invitation's nudge once only. Whether the intake is still
    due is `integration.due`'s answer, the one the portal shows.
    """
    now = timezone.now()
    waiting = list(
        Invitation.objects.filter(
            created_at__gte=now - timedelta(days=30),
            created_at__lte=now - timedelta(days=1),
            revoked_at=None,
        ).select_related("partner__couple")
    )
    partners = list({invitation.partner_id: invitation.partner for invitation in waiting}.values())
    due_now = due.items_due_of(partners, now=now, kinds=[due.INTAKE])
    written = 0
    for invitation in waiting:
        if not due_now[invitation.partner_id]:
            continue
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


def followups_on_appointment_completed(*, appointment: Any) -> None:
    """An appointment was marked held. The integration session of a medicine session opens
    the couple's shared reflection and prompts both partners the next day."""
    reflection.reflection_prompts_schedule(appointment=appointment)
