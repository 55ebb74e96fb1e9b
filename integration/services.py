"""Messages and follow-ups. The event hooks below are called by other apps' services
inside their transactions, so the outbox rows commit (or roll back) with the event.

INTERFACE (agreed between apps; the integration issue implements the bodies):
"""

from typing import Any


def reminders_on_appointment_booked(*, appointment: Any) -> None:
    """Write the confirmation and reminder rows for a newly booked appointment."""


def reminders_on_appointment_rescheduled(*, appointment: Any) -> None:
    """Move the pending reminders of an appointment to its new time."""


def reminders_on_appointment_cancelled(*, appointment: Any) -> None:
    """Cancel the pending reminders of a cancelled appointment (or no-show)."""


def followups_on_medicine_session_completed(*, medicine_session: Any) -> None:
    """Schedule integration check-ins and the missing-integration alert after a session."""
