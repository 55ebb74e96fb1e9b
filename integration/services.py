"""The integration app's public services, gathered from its modules by concern.

Other apps call these as `from integration import services as integration`, then
`integration.reminders_on_appointment_booked(appointment=...)`. The code lives in:

- `integration.outbox`: writing messages (reminder_schedule, cancel and move, publish);
- `integration.delivery`: claiming due rows in batches, sending, retrying;
- `integration.checks`: the still-wanted checks asked before each message goes out;
- `integration.hooks`: the event hooks other apps' services call in their transactions;
- `integration.alerts` and `integration.window`: care-team alerts, the integration promise;
- `integration.sweeps`: alerts for what has not happened (overdue intakes, expiries);
- `integration.lookups`: what the sessions app registers for integration at startup.

Nothing in this app imports the sessions app: sessions calls in, never the reverse.
"""

from integration import rendering as rendering
from integration.alerts import alert_acknowledge as alert_acknowledge
from integration.alerts import alert_raise as alert_raise
from integration.alerts import hold_watch_schedule as hold_watch_schedule
from integration.checks import CHECKS as STILL_WANTED_CHECKS
from integration.delivery import deliver_batch as deliver_batch
from integration.delivery import drainers_for_backlog as drainers_for_backlog
from integration.delivery import reminder_deliver as reminder_deliver
from integration.delivery import reminders_deliver as reminders_deliver
from integration.delivery import reminders_deliver_due as reminders_deliver_due
from integration.delivery import reminders_drain as reminders_drain
from integration.delivery import retry_delay as retry_delay
from integration.delivery import send as send
from integration.delivery import still_wanted as still_wanted
from integration.hooks import (
    followups_on_appointment_completed as followups_on_appointment_completed,
)
from integration.hooks import (
    followups_on_medicine_session_completed as followups_on_medicine_session_completed,
)
from integration.hooks import intake_nudges_schedule as intake_nudges_schedule
from integration.hooks import (
    reminders_on_appointment_booked as reminders_on_appointment_booked,
)
from integration.hooks import (
    reminders_on_appointment_cancelled as reminders_on_appointment_cancelled,
)
from integration.hooks import (
    reminders_on_appointment_rescheduled as reminders_on_appointment_rescheduled,
)
from integration.lookups import register_sessions_lookups as register_sessions_lookups
from integration.outbox import messaging_settings_for as messaging_settings_for
from integration.outbox import publish as publish
from integration.outbox import reminder_schedule as reminder_schedule
from integration.outbox import reminders_cancel_about as reminders_cancel_about
from integration.outbox import reminders_move_about as reminders_move_about
from integration.sweeps import alerts_sweep as alerts_sweep

__all__ = [
    "STILL_WANTED_CHECKS",
    "alert_acknowledge",
    "alert_raise",
    "alerts_sweep",
    "deliver_batch",
    "drainers_for_backlog",
    "followups_on_appointment_completed",
    "followups_on_medicine_session_completed",
    "hold_watch_schedule",
    "intake_nudges_schedule",
    "messaging_settings_for",
    "publish",
    "register_sessions_lookups",
    "reminder_deliver",
    "reminder_schedule",
    "reminders_cancel_about",
    "reminders_deliver",
    "reminders_deliver_due",
    "reminders_drain",
    "reminders_move_about",
    "reminders_on_appointment_booked",
    "reminders_on_appointment_cancelled",
    "reminders_on_appointment_rescheduled",
    "rendering",
    "retry_delay",
    "send",
    "still_wanted",
]
