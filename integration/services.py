"""Messages, follow-ups and alerts.

The event hooks are called by other apps' services inside their transactions, so
the outbox rows commit (or roll back) with the event. Their signatures are the
interface between the apps; the integration work fills in the bodies.
"""

from typing import Any

from django.db import transaction

from integration.models import Alert


def reminders_on_appointment_booked(*, appointment: Any) -> None:
    """Write the confirmation and reminder rows for a newly booked appointment."""


def reminders_on_appointment_rescheduled(*, appointment: Any) -> None:
    """Move the pending reminders of an appointment to its new time."""


def reminders_on_appointment_cancelled(*, appointment: Any) -> None:
    """Cancel the pending reminders of a cancelled appointment (or no-show)."""


def followups_on_medicine_session_completed(*, medicine_session: Any) -> None:
    """Schedule integration check-ins and the missing-integration alert after a session."""


def alert_raise(
    *,
    couple,
    kind: str,
    message: str,
    dedupe_key: str,
    partner=None,
    urgent: bool = False,
):
    """Raise a care-team alert once per `dedupe_key` (raising again returns the first one).

    The message is for the care team only; keep it short and point to the record.
    """
    with transaction.atomic():
        alert, _ = Alert.objects.get_or_create(
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
    return alert
