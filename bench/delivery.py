"""Delivery benchmark: how fast real Celery workers drain a backlog of due reminders.

    .venv/bin/python bench/delivery.py [--count 20000] [--workers 1 2] [--batch-size 100]

On its own database, `kapcouples_bench_delivery` (created and migrated if missing,
on the server of DATABASE_URL; never `kapcouples` or a `test_*` one), it writes
`--count` due reminders, starts N real workers (`celery -A kapcouples worker
--concurrency=1 -Q <a queue of its own>`, Redis broker, prefork pool so the time
limits are live), triggers the beat sweep once and waits until none is pending.
Emails go to Django's file backend in a scratch folder: each message handed over is
counted by its `X-KAP-Reminder` header, so "sent exactly once" is checked against
what the workers really handed to the backend, not only against the rows.

Prints a Markdown table and appends it to `bench/results/delivery-<date>.md`.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATABASE = "kapcouples_bench_delivery"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kapcouples")
os.environ["DATABASE_URL"] = BASE_URL.rsplit("/", 1)[0] + "/" + DATABASE
os.environ["CELERY_QUEUE"] = QUEUE = f"bench-delivery-{uuid.uuid4().hex[:8]}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

HEADER = re.compile(rb"^X-KAP-Reminder: (\d+)$", re.M)
COUPLES = 250


def ensure_database() -> None:
    import psycopg2

    name = connection.settings_dict["NAME"]
    if name != DATABASE:  # never the real database, never a test one
        raise SystemExit(f"refusing to run on {name!r}")
    db = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"],
        password=db["PASSWORD"] or None,
    )  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    admin.close()
    call_command("migrate", verbosity=0)


def partners() -> list:
    """The bench clinic's partners (written once): recipients for the reminders."""
    from intake.models import Partner
    from kapcouples.models import Clinic

    with transaction.atomic():
        clinic, created = Clinic.objects.get_or_create(
            slug="bench-delivery", defaults={"name": "Bench delivery", "timezone": "UTC"}
        )
        if created:
            _fill(clinic)
    return list(Partner.objects.filter(couple__clinic=clinic).select_related("couple"))


def _fill(clinic) -> None:
    """One clinician and COUPLES couples of two partners each."""
    from intake.models import Couple, Partner
    from kapcouples.models import Role, StaffMembership, User

    clinician = User.objects.create_user(
        "clinician@bench-delivery.test", None, full_name="Bench Clinician"
    )
    StaffMembership.objects.create(user=clinician, clinic=clinic, role=Role.CLINICIAN)
    couples = Couple.objects.bulk_create(
        Couple(clinic=clinic, primary_clinician=clinician) for _ in range(COUPLES)
    )
    Partner.objects.bulk_create(
        Partner(
            couple=couple,
            slot=slot,
            first_name=f"Partner{couple.pk}",
            last_name=f"Slot{slot}",
            email=f"p{couple.pk}-{slot}@bench-delivery.test",
            timezone="UTC",
        )
        for couple in couples
        for slot in (1, 2)
    )


def write_due_reminders(count: int) -> list[int]:
    """`count` appointment reminders due a minute ago; earlier runs' rows are removed."""
    from integration.models import Reminder

    Reminder.objects.filter(clinic__slug="bench-delivery").delete()
    recipients = partners()
    now = timezone.now()
    run = uuid.uuid4().hex[:8]
    rows = Reminder.objects.bulk_create(
        (
            Reminder(
                clinic_id=recipients[i % len(recipients)].couple.clinic_id,
                partner=recipients[i % len(recipients)],
                kind=Reminder.Kind.APPOINTMENT_REMINDER,
                event_at=now + timedelta(days=1),
                link_path="/portal/",
                due_at=now - timedelta(minutes=1),
                next_attempt_at=now - timedelta(minutes=1),
                idempotency_key=f"bench-delivery:{run}:{i}",
            )
            for i in range(count)
        ),
        batch_size=2000,
    )
    with connection.cursor() as cursor:  # as autovacuum would after such an insert
        cursor.execute("ANALYZE integration_reminder")
    return [row.pk for row in rows]


def start_worker(scratch: Path, name: str, workers: int, batch_size: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": QUEUE,
        "EMAIL_URL": f"filemail:///{scratch / 'mail'}",
        "KAP_VAR_DIR": str(scratch / name),
        "KAP_REMINDER_DRAINERS": str(workers),
        "KAP_REMINDER_BATCH_SIZE": str(batch_size),
    }
    command = [sys.executable, "-m", "celery", "-A", "kapcouples", "worker"]
    command += ["--concurrency=1", "-Q", QUEUE, "-n", f"{name}@%h", "--loglevel=INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    (scratch / name).mkdir(parents=True)
    log = (scratch / name / "worker.log").open("w")
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)


def wait_for(condition, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def handed_over(mail_dir: Path) -> Counter:
    found = Counter()
    for path in mail_dir.glob("*.log"):
        found.update(int(pk) for pk in HEADER.findall(path.read_bytes()))
    return found


def run(count: int, workers: int, batch_size: int) -> dict:
    from integration.models import Reminder
    from integration.tasks import deliver_due_reminders

    ids = write_due_reminders(count)
    scratch = Path(tempfile.mkdtemp(prefix="kap-bench-delivery-"))
    (scratch / "mail").mkdir()
    names = [f"bench{n + 1}" for n in range(workers)]
    processes = [start_worker(scratch, name, workers, batch_size) for name in names]
    logs = [scratch / name / "worker.log" for name in names]
    try:
        ready = wait_for(lambda: all(" ready." in log.read_text() for log in logs), timeout=60)
        if not ready:
            raise SystemExit("workers did not start:\n" + logs[0].read_text()[-3000:])
        started = time.monotonic()
        deliver_due_reminders.apply_async(queue=QUEUE)  # what beat does once a minute
        rows = Reminder.objects.filter(clinic__slug="bench-delivery")  # this run's rows only
        pending = rows.filter(status=Reminder.Status.PENDING)
        drained = wait_for(
            lambda: not pending.exists(), timeout=max(120, count / 20), interval=0.25
        )
        elapsed = time.monotonic() - started
        time.sleep(1)  # any duplicate still in flight would land now
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    sent_rows = rows.filter(status=Reminder.Status.SENT).count()
    copies = handed_over(scratch / "mail")
    exactly_once = drained and sent_rows == count and copies == Counter(ids)
    return {
        "workers": workers,
        "count": count,
        "seconds": elapsed,
        "rate": count / elapsed if drained else 0.0,
        "sent_rows": sent_rows,
        "handed_over": sum(copies.values()),
        "duplicates": sum(n - 1 for n in copies.values() if n > 1),
        "exactly_once": exactly_once,
        "tasks": sum(log.read_text().count(" succeeded in ") for log in logs),
    }


def table(results: list[dict], batch_size: int) -> str:
    lines = [
        f"### Reminder delivery, {date.today():%Y-%m-%d} (batch {batch_size}, PostgreSQL, "
        "Redis, file email backend)",
        "",
        "| workers | reminders | seconds | messages/s | rows sent | handed over | duplicates "
        "| exactly once | tasks |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['workers']} | {r['count']:,} | {r['seconds']:.1f} | {r['rate']:,.0f} "
            f"| {r['sent_rows']:,} | {r['handed_over']:,} | {r['duplicates']} "
            f"| {'yes' if r['exactly_once'] else 'NO'} | {r['tasks']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=settings.KAP_REMINDER_BATCH_SIZE)
    args = parser.parse_args()
    ensure_database()
    results = [run(args.count, workers, args.batch_size) for workers in args.workers]
    report = table(results, args.batch_size)
    print(report)
    out = ROOT / "bench" / "results" / f"delivery-{date.today():%Y-%m-%d}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as file:
        file.write(report + "\n")
    print(f"appended to {out.relative_to(ROOT)}")
    return 0 if all(r["exactly_once"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
