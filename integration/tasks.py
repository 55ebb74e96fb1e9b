"""Celery tasks: thin, take ids, call a service, safe to run twice."""

from celery import shared_task

from integration import services


@shared_task(name="integration.tasks.deliver_reminder")
def deliver_reminder(reminder_id: int) -> None:
    """Send one reminder published when its event committed (skips it if already handled)."""
    services.reminder_deliver(reminder_id=reminder_id)


@shared_task(name="integration.tasks.deliver_due_reminders")
def deliver_due_reminders() -> int:
    """The beat sweep: send everything due, whatever a lost publish left behind."""
    return services.reminders_deliver_due()


@shared_task(name="integration.tasks.schedule_intake_nudges")
def schedule_intake_nudges() -> int:
    """Write the intake nudges that have come due (hourly)."""
    return services.intake_nudges_schedule()
