"""Celery tasks: thin, call a service, safe to run twice."""

from celery import shared_task

from discovery import services


@shared_task(name="discovery.tasks.purge_expired_requests", soft_time_limit=300, time_limit=360)
def purge_expired_requests() -> int:
    """The daily purge of requests of couples who never enrolled (the clinic's period)."""
    return services.discovery_requests_purge()
