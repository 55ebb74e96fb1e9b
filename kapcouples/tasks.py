import socket

from celery import shared_task
from django.utils import timezone

from kapcouples.models import WorkerHeartbeat


@shared_task(name="kapcouples.tasks.record_heartbeat")
def record_heartbeat() -> None:
    """Record that a worker is alive and beat is scheduling; /health/ shows it."""
    WorkerHeartbeat.objects.update_or_create(
        name="default",
        defaults={"last_beat_at": timezone.now(), "hostname": socket.gethostname()},
    )
