"""Page and write benchmark: what users feel, under gunicorn as deployed.

    .venv/bin/python bench/pages.py [--scale 1] [--small-scale 0.1] [--duration 10]

1. Fills `kapcouples_bench_full` and `kapcouples_bench_tenth` if needed (bench/fill.py).
2. Counts the SQL queries of each page and write through Django's test client on both
   databases (signed in as the page's role); a page whose count differs between the two
   scales fails the run (exit status 1).
3. Starts the app under gunicorn (2 sync workers, production settings behind a TLS proxy:
   `X-Forwarded-Proto: https`) and the bare view (bench/bare_urls.py) under a second
   gunicorn with the same settings and flags, then loads each page with wrk (-t2 -c8,
   bounded in seconds) right after a run of the bare view, so each ratio compares two
   neighbouring runs. Writes are posted by a Python client with 8 connections, each
   request a different valid form (bounded in requests and seconds), and must answer 302.
4. Rows written by the run (writes, audit rows of page reads, sessions) are deleted after
   it, so the database stays at its scale.
5. Profiles (cProfile, test client) every page or write that misses a target, and writes
   a Markdown report to bench/results/.

Subcommands (`count`, `prepare`, `refresh`, `cleanup`, `profile`) run in a child process
against one database; `main` runs them.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WORK = ROOT / "var" / "bench"
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
QUEUE = "kapcouples-bench"
SECRET = "bench-only-" + "s" * 50

# name -> (who is signed in, path template); targets filled in by `prepare`
PAGES = [
    ("clinician dashboard", "clinician", "/care/"),
    ("couple chart", "chart_clinician", "/couples/{couple}/"),
    ("day calendar", "front_desk", "/calendar/?date={day}"),
    ("week calendar", "front_desk", "/calendar/week/?date={day}"),
    ("couple search", "front_desk", "/desk/?q=Nguyen"),
    ("outbox", "front_desk", "/messages/outbox/"),
    ("audit log", "clinic_admin", "/clinic-admin/audit/"),
    ("audit log by person", "clinic_admin", "/clinic-admin/audit/?person={clinician}"),
    (
        "audit log by dates",
        "clinic_admin",
        "/clinic-admin/audit/?date_from={month_ago}&date_to={day}",
    ),
    ("audit log by couple", "clinic_admin", "/clinic-admin/audit/?couple={couple}"),
    ("partner portal", "partner", "/portal/"),
    ("session record", "chart_clinician", "/medicine-sessions/{session}/"),
]
APPEND_ONLY_TRIGGER = "kapcouples_accesslog_append_only"
WRITES = ["booking", "intake step", "questionnaire", "vitals", "dose"]
APP_CODE = r"/(kapcouples|intake|sessions|integration)/"
PAGE_P95_MS, WRITE_P95_MS, MIN_RATIO, BOOKING_MAX_SQL = 100, 150, 0.10, 40


# =========================================================================================
# In-process steps (Django set up against one database)
# =========================================================================================
def setup_django(database: str) -> None:
    os.environ.update(django_env(database))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def django_env(database: str) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": f"{SERVER}/{database}",
        "REDIS_URL": REDIS,
        "CELERY_QUEUE": QUEUE,
        "ALLOWED_HOSTS": "127.0.0.1",
        "KAP_REQUIRE_STAFF_2FA": "1",
        "BEHIND_TLS_PROXY": "1",
        "KAP_TRUSTED_PROXY_COUNT": "1",
        # the idle limit covers the whole run (a page's session waits for its turn)
        "KAP_STAFF_IDLE_MINUTES": "120",
        "STATIC_ROOT": str(WORK / "static"),
        "LOG_LEVEL": "WARNING",
        "KAP_VAR_DIR": str(WORK / "var"),
    }


def marks() -> dict[str, int]:
    """The highest primary key of every table of the project's apps (rows above it are the
    run's own)."""
    from django.apps import apps
    from django.db import connection

    found = {}
    with connection.cursor() as cur:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label not in (
                "kapcouples",
                "intake",
                "clinic_sessions",
                "integration",
                "otp_totp",
            ):
                continue
            pk = model._meta.pk
            if pk.get_internal_type() not in ("AutoField", "BigAutoField"):
                continue
            cur.execute(f'SELECT COALESCE(max("{pk.column}"), 0) FROM {model._meta.db_table}')
            found[f"{model._meta.db_table}.{pk.column}"] = cur.fetchone()[0]
    return found


def cleanup(saved: dict[str, int], session_keys: list[str]) -> dict[str, int]:
    """Delete every row above the marks, in one transaction (the foreign keys are
    deferred), after unlinking preparations from medicine sessions made by the run."""
    from django.db import connection, transaction

    deleted = {}
    with transaction.atomic(), connection.cursor() as cur:
        # The access log refuses DELETE (kapcouples migration 0003); the bench, as the
        # table's owner, lifts that for its own rows inside this transaction only.
        cur.execute(f"ALTER TABLE kapcouples_accesslog DISABLE TRIGGER {APPEND_ONLY_TRIGGER}")
        cur.execute(
            "UPDATE clinic_sessions_appointment SET medicine_session_id = NULL "
            "WHERE medicine_session_id > %s",
            [saved.get("clinic_sessions_medicinesession.id", 0)],
        )
        for key, mark in saved.items():
            table, column = key.split(".")
            cur.execute(f'DELETE FROM {table} WHERE "{column}" > %s', [mark])
            if cur.rowcount:
                deleted[table] = cur.rowcount
        cur.execute("DELETE FROM django_session WHERE session_key = ANY(%s)", [session_keys])
        cur.execute(f"ALTER TABLE kapcouples_accesslog ENABLE TRIGGER {APPEND_ONLY_TRIGGER}")
    return deleted


def sign_in(users) -> dict[int, str]:
    """A session per user, as after a password and (staff) TOTP check, written in bulk."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kapcouples import policy

    now = timezone.now()
    login_at, last_seen = _lifetime_keys()
    store, keys, rows = SessionStore(), {}, []
    devices = {d.user_id: d for d in TOTPDevice.objects.filter(user__in=users, name="bench")}
    for user in users:
        data = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "kapcouples.auth_backends.KapModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
            login_at: now.timestamp(),
            last_seen: now.timestamp(),
        }
        if policy.needs_second_factor(user):
            device = devices.get(user.pk) or TOTPDevice.objects.create(user=user, name="bench")
            data["otp_device_id"] = device.persistent_id
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        keys[user.pk] = key
        rows.append(
            Session(
                session_key=key,
                session_data=store.encode(data),
                expire_date=now + datetime.timedelta(hours=12),
            )
        )
    Session.objects.bulk_create(rows)
    return keys


def _lifetime_keys() -> tuple[str, str]:
    """The session keys of the idle-timeout middleware (its module has been renamed)."""
    import importlib

    for name in ("kapcouples.session_lifetime", "kapcouples.sessions"):
        try:
            module = importlib.import_module(name)
            return module.LOGIN_AT, module.LAST_SEEN
        except (ImportError, AttributeError):
            continue
    return "kap_login_at", "kap_last_seen"


def pool(kind: str, limit: int):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT clinic_id, couple_id, partner_id, session_id, user_id, not_before "
            "FROM bench_pool WHERE kind = %s ORDER BY couple_id, partner_id LIMIT %s",
            [kind, limit],
        )
        return cur.fetchall()


def targets() -> dict:
    """The objects each page shows, picked the same way at every scale."""
    from django.db import connection
    from django.utils import timezone

    from kapcouples.models import Clinic, StaffMembership

    clinic = Clinic.objects.get(slug="bench-clinic-1")
    staff = {}
    for m in StaffMembership.objects.filter(clinic=clinic).order_by("user_id"):
        staff.setdefault(m.role, m.user_id)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.id, c.primary_clinician_id, s.id FROM intake_couple c "
            "JOIN clinic_sessions_medicinesession s ON s.couple_id = c.id "
            "AND s.status = 'completed' WHERE c.clinic_id = %s AND c.status = 'active' "
            "AND NOT EXISTS (SELECT 1 FROM bench_pool p WHERE p.couple_id = c.id "
            "AND p.kind IN ('booking', 'session')) ORDER BY c.id, s.id LIMIT 1",
            [clinic.pk],
        )
        couple, chart_clinician, session = cur.fetchone()
        cur.execute(
            "SELECT user_id FROM intake_partner WHERE couple_id = %s AND slot = 1", [couple]
        )
        partner = cur.fetchone()[0]
    day = timezone.localdate(timezone=clinic.zone)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return {
        "couple": couple,
        "session": session,
        "day": day.isoformat(),
        "month_ago": (day - datetime.timedelta(days=30)).isoformat(),
        "clinician": staff["clinician"],
        "users": {
            "clinician": staff["clinician"],
            "chart_clinician": chart_clinician,
            "front_desk": staff["front_desk"],
            "clinic_admin": staff["clinic_admin"],
            "partner": partner,
        },
    }


def booking_requests(limit: int) -> list[dict]:
    """Medicine bookings for couples awaiting one, on free Saturday slots (the generator
    books weekdays only), no room or clinician booked twice at the same time."""
    from django.utils import timezone

    from kapcouples.models import Clinic, Room, StaffMembership

    rows = pool("booking", limit)
    clinics = {c.pk: c for c in Clinic.objects.filter(pk__in={r[0] for r in rows})}
    rooms: dict[int, list[int]] = {}
    for room in Room.objects.filter(clinic__in=clinics).order_by("pk"):
        rooms.setdefault(room.clinic_id, []).append(room.pk)
    desks = {}
    for m in StaffMembership.objects.filter(clinic__in=clinics, role="front_desk").order_by("pk"):
        desks.setdefault(m.clinic_id, m.user_id)
    taken: set = set()
    requests = []
    for clinic_id, couple, _p, _s, clinician, not_before in rows:
        zone = clinics[clinic_id].zone
        earliest = max(timezone.now(), not_before + datetime.timedelta(days=12))
        day = earliest.astimezone(zone).date() + datetime.timedelta(days=1)
        slot = _free_saturday(day, clinic_id, clinician, rooms[clinic_id], taken)
        if slot is None:
            continue
        date, hour, room = slot
        requests.append(
            {
                "user": desks[clinic_id],
                "path": f"/couples/{couple}/appointments/new/",
                "data": {
                    "kind": "medicine",
                    "date": date,
                    "start_time": f"{hour:02d}:00",
                    "duration": "180",
                    "room": str(room),
                    "clinicians": str(clinician),
                },
            }
        )
    return requests


def _free_saturday(day, clinic_id, clinician, rooms, taken):
    while day.weekday() != 5:
        day += datetime.timedelta(days=1)
    for week in range(60):
        saturday = day + datetime.timedelta(weeks=week)
        for hour in (8, 11, 14):
            if (clinician, saturday, hour) in taken:
                continue
            for room in rooms:
                if (room, saturday, hour) not in taken:
                    taken.update({(clinician, saturday, hour), (room, saturday, hour)})
                    return saturday.isoformat(), hour, room
    return None


def partner_requests(kind: str, limit: int) -> list[dict]:
    rows = pool("intake" if kind == "intake step" else "questionnaire", limit)
    requests = []
    for _clinic, _couple, partner, _s, user, _nb in rows:
        if kind == "intake step":
            path = f"/partners/{partner}/intake/step/about/"
            data = {
                "date_of_birth": "1985-04-30",
                "pronouns": "",
                "phone": "+1 555 010 2030",
                "address": "1 Bench Street",
                "occupation": "Engineer",
            }
        else:
            path = f"/partners/{partner}/questionnaires/phq-9/"
            data = {f"item_{i}": "0" for i in range(1, 10)} | {"step": "submit"}
        requests.append({"user": user, "path": path, "data": data})
    return requests


def session_pairs(limit: int) -> list[tuple[int, int, int]]:
    """(session, dosing partner, clinician) of the medicine sessions in progress."""
    from sessions.models import MedicineSession

    pairs = []
    rows = pool("session", limit)
    sessions = (
        MedicineSession.objects.filter(pk__in=[r[3] for r in rows])
        .select_related("couple")
        .prefetch_related("couple__partners")
    )
    for session in sessions.order_by("pk"):
        for partner in session.dosing_partners():
            pairs.append((session.pk, partner.pk, session.couple.primary_clinician_id))
    return pairs


def session_requests(kind: str, limit: int) -> list[dict]:
    requests = []
    for session, partner, clinician in session_pairs(limit):
        if kind == "vitals":
            path = f"/medicine-sessions/{session}/vitals/"
            data = {
                "vitals-partner": str(partner),
                "vitals-moment": "other",
                "vitals-systolic": "122",
                "vitals-diastolic": "78",
                "vitals-heart_rate": "72",
                "vitals-spo2": "98",
            }
        else:
            path = f"/medicine-sessions/{session}/doses/"
            data = {"dose-partner": str(partner), "dose-mg": "0.50"}
        requests.append({"user": clinician, "path": path, "data": data})
    return requests


def refresh_for_doses() -> int:
    """A reading and a C-SSRS screener taken now for each dosing partner in session: a dose
    needs a reading from the last 15 minutes and a current screener (DESIGN §4)."""
    from django.utils import timezone

    from intake.models import Partner, QuestionnaireResponse
    from sessions.models import VitalSigns

    now = timezone.now()
    pairs = session_pairs(100_000)
    partners = {p for _s, p, _c in pairs}
    users = dict(Partner.objects.filter(pk__in=partners).values_list("pk", "user_id"))
    VitalSigns.objects.bulk_create(
        VitalSigns(
            medicine_session_id=s,
            partner_id=p,
            moment="other",
            taken_at=now,
            systolic=120,
            diastolic=78,
            heart_rate=70,
            spo2=98,
            level="normal",
            recorded_by_id=c,
        )
        for s, p, c in pairs
    )
    QuestionnaireResponse.objects.bulk_create(
        QuestionnaireResponse(
            partner_id=p,
            code="C-SSRS",
            answers=[0, 0, None, None, None, 0],
            total=0,
            band="none",
            flags=[],
            completed_at=now,
            completed_by_id=users[p] or 1,
        )
        for p in partners
    )
    return len(pairs)


def prepare(limit: int) -> dict:
    """Targets, write requests and signed-in sessions for one run."""
    from kapcouples.models import User

    plan = targets()
    writes = {
        "booking": booking_requests(limit),
        "intake step": partner_requests("intake step", limit),
        "questionnaire": partner_requests("questionnaire", limit),
        "vitals": session_requests("vitals", limit),
        "dose": session_requests("dose", limit),
    }
    ids = set(plan["users"].values()) | {r["user"] for rs in writes.values() for r in rs}
    users = list(User.objects.filter(pk__in=ids).select_related("membership", "partner_profile"))
    keys = sign_in(users)
    plan["cookies"] = {role: keys[user] for role, user in plan["users"].items()}
    for requests in writes.values():
        for request in requests:
            request["cookie"] = keys[request["user"]]
    plan["writes"] = writes
    plan["session_keys"] = list(keys.values())
    return plan


def test_client(cookie: str | None):
    from django.test import Client

    client = Client(HTTP_X_FORWARDED_PROTO="https")
    if cookie:
        client.cookies["sessionid"] = cookie
    return client


def count_queries(limit: int) -> dict:
    """SQL statements of each page (its second request) and of each write."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    saved = marks()
    plan = prepare(limit)
    counts, problems = {}, {}
    try:
        for name, role, template in PAGES:
            client = test_client(plan["cookies"][role])
            url = template.format(**plan)
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            counts[name] = len(queries)
            if response.status_code != 200:
                problems[name] = response.status_code
        refresh_for_doses()
        for name in WRITES:
            requests = plan["writes"][name]
            if len(requests) < 2:
                problems[name] = "no data to write"
                continue
            for request in requests[:2]:  # the second is counted (caches warm)
                client = test_client(request["cookie"])
                with CaptureQueriesContext(connection) as queries:
                    response = client.post(request["path"], request["data"])
            counts[name] = len(queries)
            if response.status_code != 302:
                problems[name] = f"{response.status_code} {_form_errors(response)}"
    finally:
        cleanup(saved, plan["session_keys"])
    return {"queries": counts, "problems": problems}


def _form_errors(response) -> str:
    text = response.content.decode(errors="replace")
    found = re.findall(r'class="(?:invalid-feedback|alert[^"]*)"[^>]*>\s*(.*?)\s*<', text, re.S)
    return "; ".join(f[:200] for f in found[:3])


def profile(limit: int, names: list[str]) -> dict:
    """cProfile of one request of each named page or write: time, SQL, top functions."""
    import cProfile
    import io
    import pstats

    from django.db import connection

    saved = marks()
    plan = prepare(limit)
    out = {}
    try:
        refresh_for_doses()
        for name in names:
            page = next((p for p in PAGES if p[0] == name), None)
            if page:
                client = test_client(plan["cookies"][page[1]])
                url = page[2].format(**plan)
                client.get(url)
                run = partial(client.get, url)
            else:
                first, second = plan["writes"][name][:2]
                test_client(first["cookie"]).post(first["path"], first["data"])
                run = partial(test_client(second["cookie"]).post, second["path"], second["data"])
            profiler, timed = cProfile.Profile(), []
            with connection.execute_wrapper(partial(_timed, timed)):
                started = time.perf_counter()
                profiler.enable()
                run()
                profiler.disable()
                total = (time.perf_counter() - started) * 1000
            sql_ms = sum(ms for ms, _sql in timed)
            statements = _prepared_statements()
            slowest = [
                (ms, _unprepared(sql, statements)) for ms, sql in sorted(timed, reverse=True)[:5]
            ]
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            stats.sort_stats("tottime").print_stats(12)
            by_self = _top(stream.getvalue())
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            stats.sort_stats("cumulative").print_stats(APP_CODE, 12)
            out[name] = {
                "ms": round(total, 1),
                "sql": len(timed),
                "sql_ms": round(sql_ms, 1),
                "slowest_sql": [(round(ms, 1), _short(sql)) for ms, sql in slowest],
                "self": by_self,
                "app_cumulative": _top(stream.getvalue()),
            }
    finally:
        cleanup(saved, plan["session_keys"])
    return out


def _timed(found: list, execute, sql, params, many, context):
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        found.append(((time.perf_counter() - started) * 1000, sql % tuple(params or ())))


def _prepared_statements() -> dict[str, str]:
    """The statements kapcouples.prepared PREPAREd on this connection, by name."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cur.fetchall())


def _unprepared(sql: str, statements: dict[str, str]) -> str:
    """`EXECUTE name(values)` as the statement it runs, for the report's reader."""
    found = re.match(r"EXECUTE (\w+)", sql)
    if not found or found.group(1) not in statements:
        return sql
    text = re.sub(r"^PREPARE \w+ AS ", "", statements[found.group(1)])
    return f"{text} -- EXECUTE{sql[found.end() :]}"


def _short(sql: str) -> str:
    """The statement without its column list, where the time goes."""
    sql = re.sub(r"^SELECT (DISTINCT )?.*? FROM ", r"SELECT \1… FROM ", sql, count=1, flags=re.S)
    return sql[:400]


def _top(text: str) -> list[str]:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), None)
    if start is None:
        return []
    return [_relative(line.rstrip()) for line in lines[start + 1 :] if line.strip()][:12]


def _command_line() -> str:
    """How the bench was started, without the machine's folders (the report is committed);
    an --output outside the project is named by its file name only."""
    words = [_relative(word) for word in sys.argv]
    return " ".join(Path(w).name if w.startswith("/") else w for w in words)


def _relative(line: str) -> str:
    """A profile line with the machine's folders left out (the report is committed)."""
    line = re.sub(r"\S*/site-packages/", "", line)
    line = re.sub(r"\S*/lib/python3\.\d+/", "", line)
    return line.replace(f"{ROOT}/", "")


def child(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["count", "prepare", "refresh", "cleanup", "profile"])
    parser.add_argument("--database", required=True)
    parser.add_argument("--limit", type=int, default=3000)
    parser.add_argument("--names", default="")
    parser.add_argument("--state", default="")
    args = parser.parse_args(argv)
    setup_django(args.database)
    if args.step == "count":
        result = count_queries(args.limit)
    elif args.step == "prepare":
        result = {"marks": marks()}
        result.update(prepare(args.limit))
    elif args.step == "refresh":
        result = {"pairs": refresh_for_doses()}
    elif args.step == "cleanup":
        state = json.loads(Path(args.state).read_text())
        result = {"deleted": cleanup(state["marks"], state["session_keys"])}
    else:
        result = profile(args.limit, [n for n in args.names.split(",") if n])
    print("RESULT " + json.dumps(result, default=str))
    return 0


def run_child(step: str, database: str, **options) -> dict:
    command = [PYTHON, __file__, "--child", step, "--database", database]
    for key, value in options.items():
        command += [f"--{key}", str(value)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=1800)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if done.returncode or line is None:
        output = f"{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
        raise SystemExit(f"{step} on {database} failed:\n{output}")
    return json.loads(line[len("RESULT ") :])


# =========================================================================================
# Servers and load
# =========================================================================================
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Servers:
    """The app and the bare view, each under gunicorn with 2 sync workers."""

    def __init__(self, database: str):
        self.database = database
        self.processes: list[subprocess.Popen] = []
        self.app_port, self.bare_port = free_port(), free_port()

    def start(self) -> None:
        env = {**os.environ, **django_env(self.database)}
        WORK.mkdir(parents=True, exist_ok=True)
        for port, settings in (
            (self.app_port, "kapcouples.settings"),
            (self.bare_port, "bench.bare_settings"),
        ):
            log = open(WORK / f"gunicorn-{port}.log", "w")  # noqa: SIM115 - the server's
            self.processes.append(
                subprocess.Popen(
                    [
                        str(ROOT / ".venv/bin/gunicorn"),
                        "kapcouples.wsgi:application",
                        "--workers",
                        "2",
                        "--worker-class",
                        "sync",
                        "--bind",
                        f"127.0.0.1:{port}",
                    ],
                    env={**env, "DJANGO_SETTINGS_MODULE": settings},
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        (WORK / "servers.pid").write_text("\n".join(str(p.pid) for p in self.processes))
        for port in (self.app_port, self.bare_port):
            self._wait(port)

    def _wait(self, port: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"gunicorn on port {port} did not start; see {WORK}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        (WORK / "servers.pid").unlink(missing_ok=True)


def headers(cookie: str | None) -> dict[str, str]:
    found = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
    if cookie:
        found["Cookie"] = f"sessionid={cookie}; csrftoken={CSRF}"
    return found


CSRF = "benchcsrf" + "0" * 23  # a 32-character secret, sent as cookie and form field


def fetch(
    port: int,
    method: str,
    path: str,
    cookie: str | None,
    body: str = "",
    connection: http.client.HTTPConnection | None = None,
):
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    extra = headers(cookie)
    if method == "POST":
        extra.update(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://127.0.0.1:{port}",
                "Referer": f"https://127.0.0.1:{port}{path}",
            }
        )
    conn.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **extra})
    response = conn.getresponse()
    body = response.read()
    location = response.getheader("Location", "")
    if response.status == 200 and method == "POST":
        location = _errors_in(body.decode(errors="replace"))
    return response.status, location


def _errors_in(html: str) -> str:
    found = re.findall(r'class="(?:invalid-feedback|alert[^"]*)"[^>]*>(.*?)</', html, re.S)
    texts = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", f)).strip()[:300] for f in found[:3]]
    return "; ".join(texts)


def wrk(port: int, path: str, cookie: str | None, duration: int, connections: int) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "wrk_report.lua"),
    ]
    for name, value in headers(cookie).items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {done.stdout}\n{done.stderr}")
    raw = json.loads(line[6:])
    seconds = raw["duration_us"] / 1e6
    errors = sum(
        raw[k]
        for k in ("status_errors", "connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return {
        "rps": raw["requests"] / seconds,
        "requests": raw["requests"],
        "p50": raw["p50"] / 1000,
        "p95": raw["p95"] / 1000,
        "p99": raw["p99"] / 1000,
        "errors": errors,
    }


def post_load(port: int, requests: list[dict], duration: int, connections: int) -> dict:
    """Post each prepared form once, `connections` at a time, until done or out of time."""
    from urllib.parse import urlencode

    queue = list(reversed(requests))
    lock = threading.Lock()
    latencies, failures, examples = [], [], []
    deadline = time.monotonic() + duration

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    return
                request = queue.pop()
            body = urlencode({**request["data"], "csrfmiddlewaretoken": CSRF}, doseq=True)
            started = time.perf_counter()
            try:
                status, location = fetch(
                    port, "POST", request["path"], request["cookie"], body, conn
                )
            except (OSError, http.client.HTTPException) as error:
                status, location = 0, str(error)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 302 or "/login" in location:
                    failures.append(status)
                    if len(examples) < 3:
                        examples.append(f"{status} {request['path']} {location}")

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "requests": len(latencies),
        "p50": _pct(latencies, 50),
        "p95": _pct(latencies, 95),
        "p99": _pct(latencies, 99),
        "errors": len(failures),
        "examples": examples,
    }


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]


def smoke(port: int, path: str, cookie: str | None) -> int:
    return fetch(port, "GET", path, cookie)[0]


def measure(database: str, duration: int, connections: int, limit: int) -> dict:
    state = run_child("prepare", database, limit=limit)
    state_file = WORK / "state.json"
    state_file.write_text(json.dumps(state))
    servers = Servers(database)
    results: dict = {"pages": {}, "writes": {}, "bare": [], "problems": {}}
    try:
        servers.start()
        bare = "/bench-bare/"
        anonymous = wrk(servers.bare_port, bare, None, duration, connections)
        results["bare_anonymous"] = anonymous
        print(f"  bare view, anonymous: {anonymous['rps']:.0f} req/s")
        for name, role, template in PAGES:
            cookie = state["cookies"][role]
            path = template.format(**state)
            status = smoke(servers.app_port, path, cookie)
            if status != 200:
                results["problems"][name] = f"GET {path} answered {status}"
            base = wrk(servers.bare_port, bare, cookie, duration, connections)
            page = wrk(servers.app_port, path, cookie, duration, connections)
            page["bare_rps"] = base["rps"]
            results["bare"].append(base["rps"])
            results["pages"][name] = page
            print(
                f"  {name:<22} {page['rps']:7.1f} req/s p95 {page['p95']:6.1f} ms "
                f"(bare {base['rps']:.0f} req/s)"
            )
        for name in WRITES:
            if name == "dose":
                run_child("refresh", database)
            cookie = state["cookies"]["front_desk"]
            base = wrk(servers.bare_port, bare, cookie, duration, connections)
            write = post_load(servers.app_port, state["writes"][name], duration, connections)
            write["bare_rps"] = base["rps"]
            write["pool"] = len(state["writes"][name])
            results["bare"].append(base["rps"])
            results["writes"][name] = write
            print(
                f"  {name:<22} {write['rps']:7.1f} req/s p95 {write['p95']:6.1f} ms "
                f"failed {write['errors']}/{write['requests']} {write['examples'][:1]}"
            )
    finally:
        servers.stop()
        results["cleanup"] = run_child("cleanup", database, state=state_file)["deleted"]
        _flush_queue()
    return results


def _flush_queue() -> None:
    """Messages the writes published for Celery: no worker reads the bench queue."""
    try:
        import redis

        redis.Redis.from_url(REDIS).delete(QUEUE)
    except Exception:  # only tidying up
        pass


# =========================================================================================
# Report
# =========================================================================================
def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    dirty = bool(
        subprocess.run(
            ["git", "status", "--porcelain"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
    )
    pg = subprocess.run(
        ["psql", f"{SERVER}/postgres", "-Atc", "SHOW server_version"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(int(mem) / 1024 / 1024, 1),
        "cpu": cpu,
        "commit": commit,
        "dirty": dirty,
        "postgres": pg,
        "python": platform.python_version(),
    }


def fill_info(database: str) -> dict:
    import psycopg2

    conn = psycopg2.connect(f"{SERVER}/{database}")
    with conn.cursor() as cur:
        cur.execute("SELECT scale, seconds, counts, finished_at FROM bench_fill")
        scale, seconds, counts, finished = cur.fetchone()
    conn.close()
    return {
        "scale": float(scale),
        "seconds": float(seconds),
        "counts": counts,
        "finished": str(finished),
    }


def verdicts(results: dict, counts: dict) -> dict:
    big, small = counts["large"]["queries"], counts["small"]["queries"]
    out = {}
    for name, row in results["pages"].items():
        ratio = row["rps"] / row["bare_rps"] if row["bare_rps"] else 0
        out[name] = {
            "ratio": ratio,
            "p95_ok": row["p95"] < PAGE_P95_MS and not row["errors"],
            "ratio_ok": ratio >= MIN_RATIO,
            "queries_ok": big.get(name) == small.get(name),
        }
        out[name]["ok"] = all(out[name][k] for k in ("p95_ok", "ratio_ok", "queries_ok"))
    for name, row in results["writes"].items():
        ratio = row["rps"] / row["bare_rps"] if row["bare_rps"] else 0
        out[name] = {
            "ratio": ratio,
            "p95_ok": row["p95"] < WRITE_P95_MS and not row["errors"],
            "queries_ok": big.get(name) == small.get(name),
        }
        if name == "booking":
            out[name]["sql_ok"] = big.get(name, 999) < BOOKING_MAX_SQL
        out[name]["ok"] = all(v for k, v in out[name].items() if k.endswith("_ok"))
    return out


def mark(flag: bool) -> str:
    return "met" if flag else "**NOT met**"


def report(args, info, fills, counts, results, judged, profiles, path: Path) -> None:
    big, small = counts["large"]["queries"], counts["small"]["queries"]
    bare = results["bare"]
    lines = [
        f"# Benchmark: pages and writes at scale {args.scale}",
        "",
        f"Run {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} with `{_command_line()}`.",
        "",
        "## Machine and code",
        "",
        f"- CPU: {info['cpu']}, {info['nproc']} cores (nproc); memory {info['memory_gb']} GB",
        f"- PostgreSQL {info['postgres']}, Python {info['python']}, wrk {_wrk_version()}",
        f"- Load average (1/5/15 min) before the load runs {_load(results['load'][0])}, after "
        f"{_load(results['load'][1])}: the machine is shared, and the load tool runs on the "
        "same two cores as the servers and PostgreSQL",
        f"- Commit `{info['commit']}`"
        + (" with uncommitted changes (dirty tree)" if info["dirty"] else " (clean tree)"),
        "",
        "## Data",
        "",
        "| database | scale | fill time | appointments | reminders | couples | access log |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, fill in fills.items():
        c = fill["counts"]
        lines.append(
            f"| `{name}` | {fill['scale']} | {fill['seconds']:.0f} s "
            f"({fill['seconds'] / 60:.1f} min) | "
            f"{c.get('clinic_sessions_appointment', 0):,} | {c.get('integration_reminder', 0):,} | "
            f"{c.get('intake_couple', 0):,} | {c.get('kapcouples_accesslog', 0):,} |"
        )
    large = fills[database_for(args.scale)]["counts"]
    lines += [
        "",
        "Rows at the measured scale: "
        + ", ".join(f"{table} {count:,}" for table, count in sorted(large.items()))
        + ".",
        "",
    ]
    lines += [
        "## Load",
        "",
        f"gunicorn `kapcouples.wsgi`, 2 sync workers, production settings (DEBUG=0, "
        f"`BEHIND_TLS_PROXY=1`, requests carry `X-Forwarded-Proto: https`, staff second "
        f"factor required), PostgreSQL and Redis on loopback. Pages: `wrk -t2 "
        f"-c{args.connections} -d{args.duration}s`; each page run follows a run of the bare view "
        f"(same settings and middleware, `bench/bare_urls.py`, signed in with the same session) "
        f"and the ratio compares those two neighbouring runs. Writes: a Python client with "
        f"{args.connections} connections posting prepared valid forms (each a different "
        f"couple, slot, partner or session), at most {args.limit} and {args.duration} s; "
        f"success is a 302. Queries: Django's test client, second request of each page, on "
        f"the {args.scale} and {args.small_scale} databases.",
        "",
        f"Bare view: {statistics.median(bare):.0f} req/s signed in (median of {len(bare)} runs, "
        f"{min(bare):.0f}–{max(bare):.0f}), {results['bare_anonymous']['rps']:.0f} req/s "
        f"anonymous (p95 {results['bare_anonymous']['p95']:.1f} ms).",
        "",
        "| page / write | req/s | p50 ms | p95 ms | p99 ms | errors | SQL (scale "
        f"{args.scale} / {args.small_scale}) | ratio to bare | p95 target | throughput target | "
        "queries constant |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in list(results["pages"].items()) + list(results["writes"].items()):
        v = judged[name]
        write = name in results["writes"]
        extra = ""
        if write:
            extra = f" of {row['requests']}"
        lines.append(
            f"| {name} | {row['rps']:.1f} | {row['p50']:.1f} | {row['p95']:.1f} | "
            f"{row['p99']:.1f} | {row['errors']}{extra} | {big.get(name, '–')} / "
            f"{small.get(name, '–')} | {v['ratio']:.1%} | "
            f"{mark(v['p95_ok'])} (< {WRITE_P95_MS if write else PAGE_P95_MS} ms) | "
            f"{'–' if write else mark(v['ratio_ok'])} | {mark(v['queries_ok'])} |"
        )
    booking = big.get("booking")
    lines += [
        "",
        f"Booking a medicine appointment: {booking} SQL statements — "
        f"{mark(booking is not None and booking < BOOKING_MAX_SQL)} (target < {BOOKING_MAX_SQL}).",
        "",
    ]
    problems = {**counts["large"]["problems"], **results["problems"]}
    for name, row in results["writes"].items():
        if row["examples"]:
            problems[name] = "; ".join(row["examples"])
    if problems:
        lines += ["## Problems seen", ""]
        lines += [f"- {name}: {text}" for name, text in problems.items()]
        lines.append("")
    failing = [name for name, v in judged.items() if not v["ok"]]
    lines += ["## Summary", ""]
    lines.append(
        f"Targets met by {len(judged) - len(failing)} of {len(judged)} pages and writes."
        + (f" Not met: {', '.join(failing)}." if failing else "")
    )
    grows = [n for n in big if big.get(n) != small.get(n)]
    lines.append(
        "Query counts are the same at both scales."
        if not grows
        else f"**Query counts differ between the scales for: {', '.join(grows)}: the bench fails.**"
    )
    lines.append("")
    if profiles:
        lines += ["## Where the time goes (one request, Django test client, cProfile)", ""]
        for name, p in profiles.items():
            lines += [
                f"### {name}",
                "",
                f"{p['ms']} ms in the view stack under the profiler, {p['sql']} SQL "
                f"statements taking {p['sql_ms']} ms.",
                "",
                "Slowest SQL:",
                "",
            ]
            lines += [f"- {ms} ms: `{sql}`" for ms, sql in p["slowest_sql"]]
            lines += ["", "Top functions by own time:", "", "```"] + p["self"] + ["```", ""]
            lines += ["App functions by cumulative time:", "", "```"] + p["app_cumulative"]
            lines += ["```", ""]
    path.write_text("\n".join(lines) + "\n")


def _load(values) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


def _wrk_version() -> str:
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (done.stdout + done.stderr).split("\n")[0].split(" [")[0].replace("wrk ", "")


def database_for(scale: float) -> str:
    from bench.fill import database_name

    return database_name(scale)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        return child(argv[1:])
    parser = argparse.ArgumentParser(description="Page and write benchmark (see the module doc).")
    parser.add_argument("--scale", type=float, default=1.0, help="the measured database")
    parser.add_argument(
        "--small-scale",
        type=float,
        default=0.1,
        help="the database the query counts are compared with",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--limit", type=int, default=3000, help="most writes of each kind")
    parser.add_argument("--output", help="report path (default bench/results/...)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk (scripts/bench.sh does it)")
    big, small = database_for(args.scale), database_for(args.small_scale)
    for scale in (args.small_scale, args.scale):
        subprocess.run(
            [PYTHON, str(ROOT / "bench" / "fill.py"), "--scale", str(scale)], check=True, cwd=ROOT
        )
    _collectstatic(big)
    for name in (big, small):  # other engineers' migrations since the fill
        _manage(name, "migrate", "--noinput", "-v0")
    print("Counting queries")
    counts = {
        "large": run_child("count", big, limit=50),
        "small": run_child("count", small, limit=50),
    }
    print(f"  {args.scale}: {counts['large']}\n  {args.small_scale}: {counts['small']}")
    print(f"Load on {big}")
    load_before = os.getloadavg()
    results = measure(big, args.duration, args.connections, args.limit)
    results["load"] = (load_before, os.getloadavg())
    judged = verdicts(results, counts)
    slow = [
        name
        for name, v in judged.items()
        if not (v["p95_ok"] and v.get("ratio_ok", True) and v.get("sql_ok", True))
    ]
    profiles = run_child("profile", big, limit=50, names=",".join(slow)) if slow else {}
    fills = {name: fill_info(name) for name in (big, small)}
    out = (
        Path(args.output)
        if args.output
        else ROOT
        / "bench"
        / "results"
        / (f"{datetime.date.today().isoformat()}-scale-{args.scale:g}.md")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    report(args, machine(), fills, counts, results, judged, profiles, out)
    print(f"Report: {out}")
    grows = [
        n
        for n in counts["large"]["queries"]
        if counts["large"]["queries"].get(n) != counts["small"]["queries"].get(n)
    ]
    if grows:
        print(f"FAIL: query counts differ between scales for {', '.join(grows)}")
        return 1
    return 0


def _collectstatic(database: str) -> None:
    _manage(database, "collectstatic", "--noinput", "-v0")


def _manage(database: str, *command: str) -> None:
    env = {**os.environ, **django_env(database), "DJANGO_SETTINGS_MODULE": "bench.settings"}
    subprocess.run([PYTHON, "manage.py", *command], env=env, cwd=ROOT, check=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
