"""Core reads."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from kapcouples.celery import app as celery_app
from kapcouples.models import AccessLog, StaffMembership, User, WorkerHeartbeat


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


AUDIT_PAGE_SIZE = 50
_EPOCH, _MICROSECOND = datetime(1970, 1, 1, tzinfo=UTC), timedelta(microseconds=1)


@dataclass(frozen=True)
class AuditFilters:
    """What the clinic admin narrowed the log to; times are instants (the form turns the
    clinic's local days into them)."""

    person_id: int | None = None
    couple_id: int | None = None
    partner_id: int | None = None
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Cursor:
    """Where a page of the log ends: the last row's time and id (keyset pagination, so a
    deep page costs what the first does and no COUNT runs over the whole log)."""

    at: datetime
    pk: int

    def __str__(self) -> str:
        return f"{(self.at - _EPOCH) // _MICROSECOND}-{self.pk}"

    @classmethod
    def parse(cls, text: str | None) -> "Cursor | None":
        micros, _, pk = (text or "").partition("-")
        if not (micros.isdigit() and pk.isdigit()):
            return None
        try:
            return cls(_EPOCH + int(micros) * _MICROSECOND, int(pk))
        except OverflowError:
            return None


@dataclass(frozen=True)
class AuditPage:
    entries: list[AccessLog]
    next_cursor: Cursor | None


def _start_of_day(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def audit_filters(values: dict, *, zone: tzinfo) -> AuditFilters:
    """Filters from the form's cleaned values; days are the clinic's days, the last one
    included (up to the next day's midnight in the clinic's zone)."""
    first, last = values.get("date_from"), values.get("date_to")
    person = values.get("person")
    return AuditFilters(
        person_id=person.pk if person is not None else None,
        couple_id=values.get("couple"),
        partner_id=values.get("partner"),
        action=values.get("action") or "",
        since=_start_of_day(first, zone) if first else None,
        until=_start_of_day(last + timedelta(days=1), zone) if last else None,
    )


def access_log_filtered(clinic_id: int, filters: AuditFilters) -> QuerySet[AccessLog]:
    """The clinic's log, newest first, narrowed by equality and range conditions that the
    `accesslog_clinic_*` indexes serve."""
    conditions = {
        "user_id": filters.person_id,
        "couple_id": filters.couple_id,
        "partner_id": filters.partner_id,
        "action": filters.action or None,
        "at__gte": filters.since,
        "at__lt": filters.until,
    }
    given = {name: value for name, value in conditions.items() if value is not None}
    return (
        AccessLog.objects.filter(clinic_id=clinic_id, **given)
        .select_related("user")
        .order_by("-at", "-pk")
    )


def access_log_page(
    clinic_id: int, filters: AuditFilters, *, after: Cursor | None = None
) -> AuditPage:
    """One page of the filtered log, older than `after`: one query whatever the log's size."""
    entries = access_log_filtered(clinic_id, filters)
    if after is not None:
        entries = entries.filter(Q(at__lt=after.at) | Q(at=after.at, pk__lt=after.pk))
    rows = list(entries[: AUDIT_PAGE_SIZE + 1])
    if len(rows) <= AUDIT_PAGE_SIZE:
        return AuditPage(rows, None)
    last = rows[AUDIT_PAGE_SIZE - 1]
    return AuditPage(rows[:AUDIT_PAGE_SIZE], Cursor(last.at, last.pk))


def clinic_staff_users(clinic_id: int) -> QuerySet[User]:
    """The people whose actions the clinic admin may filter the log by."""
    members = StaffMembership.objects.filter(clinic_id=clinic_id).values("user_id")
    return User.objects.filter(pk__in=members).order_by("full_name", "pk")
