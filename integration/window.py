"""The integration promise: an integration session held within the clinic's window
(`integration_within_hours`, counted from the medicine session's completion).

The promise is looked at whenever it can break: at a first check (a day after the
session, or the window's end if sooner: is anything booked?), when the window closes
(was one held?), and when an integration appointment inside the window is cancelled
or marked a no-show. A broken promise raises one alert per case and emails the front
desk and the care team once per alert.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from integration import lookups
from integration.alerts import alert_announce, alert_raise, front_desk_and_care_team
from integration.models import Alert, Reminder
from integration.outbox import reminder_schedule

CANCELLED = "booked and then cancelled"
NOT_COMPLETED = "not completed"
NEVER_BOOKED = "never booked"


@dataclass(frozen=True)
class Broken:
    case: str
    slug: str
    cause_id: int | None  # the integration appointment that fell through, if any

    def dedupe_key(self, medicine_session_id: int) -> str:
        # Per case and appointment: the same loss seen by a check and by a hook is one
        # alert; a later, different loss (a rebooking cancelled again) is a new one.
        return f"integration-window:{medicine_session_id}:{self.slug}:{self.cause_id or 'none'}"


def _appointment_model():
    # By the app registry, not an import: sessions imports this app (its services call
    # the hooks), so importing sessions back would be a cycle. The model's own Kind and
    # Status choices are used below, so no sessions rule is copied here.
    return apps.get_model("clinic_sessions", "Appointment")


def _completed_at(medicine_session) -> datetime:
    return medicine_session.completed_at or medicine_session.appointment.end


def _check_key(medicine_session_id: int, name: str) -> str:
    return f"medicine-session:{medicine_session_id}:integration-check:{name}"


def window_end(medicine_session, *, hours: int | None = None) -> datetime:
    """When the window closes: `hours` after completion when given (the hook's caller
    knows the clinic's protocol); else as written in the window-end check at completion."""
    if hours is None:
        written = (
            Reminder.objects.filter(idempotency_key=_check_key(medicine_session.pk, "window-end"))
            .values_list("event_at", flat=True)
            .first()
        )
        if written is not None:
            return written
        hours = lookups.integration_window_hours(medicine_session.couple.clinic_id)
    return _completed_at(medicine_session) + timedelta(hours=hours)


def integration_checks_schedule(*, medicine_session, hours: int | None = None) -> list[Reminder]:
    """Put the two checks of a completed session's window in the outbox (never sent).

    The window-end check carries the window's end as its `event_at`: later reviews read
    it there, so the promise made at completion is the one checked.
    """
    couple, end = medicine_session.couple, window_end(medicine_session, hours=hours)
    first = min(end, (medicine_session.completed_at or timezone.now()) + timedelta(hours=24))
    return [
        reminder_schedule(
            clinic_id=couple.clinic_id,
            staff_user=couple.primary_clinician,
            kind=Reminder.Kind.INTEGRATION_CHECK,
            about=medicine_session,
            due_at=due_at,
            event_at=end,
            idempotency_key=_check_key(medicine_session.pk, name),
            link_path=reverse("intake:couple_detail", args=[couple.pk]),
        )
        for name, due_at in (("first", first), ("window-end", end))
    ]


def integration_window_broken(
    medicine_session, *, at: datetime, end: datetime | None = None
) -> Broken | None:
    """How the promise stands at `at`: None while it can still be (or has been) kept."""
    Appointment = _appointment_model()
    end = end or window_end(medicine_session)
    inside = list(
        Appointment.objects.filter(
            couple_id=medicine_session.couple_id,
            kind=Appointment.Kind.INTEGRATION,
            start__gt=medicine_session.appointment.start,
            start__lte=end,
        ).order_by("start")
    )
    if any(a.status == Appointment.Status.COMPLETED for a in inside):
        return None
    waiting = [a for a in inside if a.is_active]
    if waiting:
        return Broken(NOT_COMPLETED, "not-completed", waiting[-1].pk) if at >= end else None
    lost = _last_called_off(inside)
    if lost is None:
        return Broken(NEVER_BOOKED, "never-booked", None)
    if lost.status == Appointment.Status.CANCELLED:
        return Broken(CANCELLED, "cancelled", lost.pk)
    return Broken(NOT_COMPLETED, "not-completed", lost.pk)


def _last_called_off(appointments: list):
    """The appointment most recently cancelled or marked a no-show (by its history)."""
    Appointment = _appointment_model()
    if not appointments:
        return None
    changed = dict(
        Appointment.history.filter(id__in=[a.pk for a in appointments])
        .values("id")
        .annotate(last=Max("history_date"))
        .values_list("id", "last")
    )
    return max(appointments, key=lambda a: (changed.get(a.pk) or a.created_at, a.pk))


def integration_window_review(*, medicine_session, at: datetime | None = None) -> Alert | None:
    """Raise and announce the missing-integration alert if the promise is broken at `at`."""
    end = window_end(medicine_session)
    at = at or timezone.now()
    broken = integration_window_broken(medicine_session, at=at, end=end)
    if broken is None:
        return None
    key = broken.dedupe_key(medicine_session.pk)
    if at >= end and Alert.objects.filter(dedupe_key=key, resolved_at__lt=end).exists():
        # Resolved inside the window ("we called them"), yet the window closed unkept.
        key += ":at-window-end"
    couple = medicine_session.couple
    hours = round((end - _completed_at(medicine_session)).total_seconds() / 3600)
    held_on = timezone.localtime(medicine_session.appointment.start, couple.clinic.zone)
    alert = alert_raise(
        couple=couple,
        kind=Alert.Kind.MISSING_INTEGRATION,
        message=(
            f"No integration session held within "
            f"{hours} h of the medicine session of "
            f"{held_on:%Y-%m-%d}: {broken.case}."
        ),
        dedupe_key=key,
    )
    alert_announce(
        alert=alert, kind=Reminder.Kind.MISSING_INTEGRATION, to=front_desk_and_care_team(couple)
    )
    return alert


def integration_window_on_called_off(*, appointment) -> Alert | None:
    """An integration appointment was cancelled or missed: is the promise now broken?"""
    if appointment.kind != "integration" or not appointment.medicine_session_id:
        return None
    session = appointment.medicine_session
    if session.completed_at is None:
        return None  # the window opens at completion, and its checks are written then
    if appointment.start > window_end(session):
        return None  # outside the window: it never counted towards the promise
    return integration_window_review(medicine_session=session)


def integration_check_runs(reminder: Reminder) -> bool:
    """The still-wanted check of a window check: review, never send (the alert's emails do)."""
    integration_window_review(medicine_session=reminder.about)
    return False
