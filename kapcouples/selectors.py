"""Core reads."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone

from kapcouples.celery import app as celery_app
from kapcouples.models import AccessLog, WorkerHeartbeat


@dataclass(frozen=True)
class Health:
    database_ok: bool
    broker_ok: bool
    last_heartbeat: datetime | None

    @property
    def heartbeat_age_seconds(self) -> int | None:
        if self.last_heartbeat is None:
            return None
        return int((timezone.now() - self.last_heartbeat).total_seconds())

    @property
    def ok(self) -> bool:
        return self.database_ok and self.broker_ok


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def health_status() -> Health:
    database_ok = _database_ok()
    beat = WorkerHeartbeat.objects.filter(name="default").first() if database_ok else None
    return Health(database_ok, _broker_ok(), beat.last_beat_at if beat else None)


def access_log_for_clinic(clinic_id: int, *, action: str = ""):
    entries = AccessLog.objects.filter(clinic_id=clinic_id).select_related("user")
    return entries.filter(action=action) if action else entries
