"""Celery tasks: thin, take ids, call a service, safe to run twice.

The delivery tasks stop themselves at `KAP_REMINDER_DRAIN_SECONDS` (checked between
messages); their time limits sit far above it, so no limit fires between handing a
message over and marking it sent.
"""

from celery import shared_task
from django.conf import settings

from integration import services

DELIVERY_LIMITS = {
    "soft_time_limit": settings.KAP_REMINDER_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.KAP_REMINDER_TASK_TIME_LIMIT,
}


@shared_task(name="integration.tasks.deliver_reminder", **DELIVERY_LIMITS)
def deliver_reminder(reminder_id: int) -> None:
    """Send one reminder (skips it if already handled): messages queued by earlier releases,
    and the delivery tests' workers; new events publish `deliver_reminders`."""
    services.reminder_deliver(reminder_id=reminder_id)


@shared_task(name="integration.tasks.deliver_reminders", **DELIVERY_LIMITS)
def deliver_reminders(reminder_ids: list[int]) -> None:
    """Send the reminders one committed event published together (skips those already
    handled; a failure is recorded on its reminder and retried by the sweep)."""
    services.reminders_deliver(reminder_ids=reminder_ids)


@shared_task(name="integration.tasks.deliver_due_reminders", **DELIVERY_LIMITS)
def deliver_due_reminders() -> int:
    """The beat sweep: fan a backlog out to more drainers, then drain as the first one."""
    for slot in range(1, services.drainers_for_backlog()):
        drain_due_reminders.apply_async(args=[slot])
    return drain_due_reminders.run(0)


@shared_task(name="integration.tasks.drain_due_reminders", **DELIVERY_LIMITS)
def drain_due_reminders(slot: int) -> int:
    """Send batch after batch until none is due; at the deadline, hand over to a successor.

    One drainer per slot at a time: a duplicate for a busy slot returns at once.
    """
    drained = services.reminders_drain(slot=slot)
    if drained.stopped_at_deadline:
        drain_due_reminders.apply_async(args=[slot])
    return drained.handled


@shared_task(name="integration.tasks.schedule_intake_nudges")
def schedule_intake_nudges() -> int:
    """Write the intake nudges that have come due (hourly)."""
    return services.intake_nudges_schedule()


@shared_task(name="integration.tasks.raise_due_alerts")
def raise_due_alerts() -> int:
    """Raise the care-team alerts for what has not happened (hourly): intakes not submitted
    in time, reviews and prescriptions about to expire. Safe to run twice."""
    return services.alerts_sweep()
