"""Celery tasks of the waitlist: thin, safe to run twice."""

from celery import shared_task

from waitlist import services


@shared_task(name="waitlist.tasks.expire_passed_offers")
def expire_passed_offers() -> int:
    """Close the offers whose time has begun; their couples wait again (hourly)."""
    return services.offers_expire()
