"""Celery tasks of the maintenance app: thin, safe to run twice."""

from celery import shared_task

from maintenance import reminders


@shared_task(name="maintenance.tasks.ask_for_rescreening")
def ask_for_rescreening() -> int:
    """Write the re-screening questionnaires and reminders of boosters coming due (hourly)."""
    return reminders.rescreen_reminders_sweep()
