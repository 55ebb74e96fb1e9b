"""Small builders for the integration tests."""

from datetime import datetime, timedelta

from django.utils import timezone

from integration import services
from integration.models import Reminder


def due_reminder(
    partner, *, key: str, kind=Reminder.Kind.APPOINTMENT_REMINDER, due_at=None, **extra
):
    """A reminder to `partner` due a minute ago (quiet hours do not apply to the past)."""
    when: datetime = due_at or timezone.now() - timedelta(minutes=1)
    reminder = services.reminder_schedule(
        clinic_id=partner.couple.clinic_id,
        partner=partner,
        kind=kind,
        due_at=when,
        idempotency_key=key,
        link_path="/portal/",
        **extra,
    )
    # Tests that need it due now skip quiet hours, which depend on the wall clock.
    Reminder.objects.filter(pk=reminder.pk).update(next_attempt_at=when)
    reminder.refresh_from_db()
    return reminder


def past_appointment(cast, kind: str, *, days_ago: float = 1, status="completed", couple=None):
    """An appointment written directly (history), without the booking rules."""
    from kapcouples.models import Room
    from sessions.models import Appointment

    room, _ = Room.objects.get_or_create(clinic=cast.clinic, name="Integration test room")
    start = timezone.now() - timedelta(days=days_ago)
    return Appointment.objects.create(
        clinic=cast.clinic,
        couple=couple or cast.couple,
        kind=kind,
        start=start,
        end=start + timedelta(hours=1),
        room=room,
        status=status,
        booked_by=cast.front_desk,
    )


def completed_medicine_session(cast, *, days_ago: float = 1):
    from sessions.models import Approach, MedicineSession, Route

    appointment = past_appointment(cast, "medicine", days_ago=days_ago)
    return MedicineSession.objects.create(
        appointment=appointment,
        couple=cast.couple,
        approach=Approach.DUAL_FULL,
        route=Route.SUBLINGUAL,
        status=MedicineSession.Status.COMPLETED,
        started_at=appointment.start,
        completed_at=appointment.end,
    )
