"""Page benchmark: latency and query counts of the busiest pages on a large clinic.

Run with `make bench` (PostgreSQL from DATABASE_URL, default the local server).
It fills a separate database, `kapcouples_bench`, once with BENCH_COUPLES couples
(default 5,000) in one clinic plus access-log rows, then requests each page
BENCH_REPEAT times through Django's test client and prints p50/p95 latency and
the number of SQL queries. The query count must not grow with the data: the
script also checks each page at a tenth of the data and fails if it differs.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kapcouples")
os.environ["DATABASE_URL"] = BASE_URL.rsplit("/", 1)[0] + "/kapcouples_bench"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

COUPLES = int(os.environ.get("BENCH_COUPLES", "5000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))


def ensure_database() -> None:
    import psycopg2

    admin = connection.settings_dict.copy()
    conn = psycopg2.connect(
        dbname="postgres",
        user=admin["USER"],
        host=admin["HOST"],
        port=admin["PORT"],
        password=admin["PASSWORD"] or None,
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'kapcouples_bench'")
        if cursor.fetchone() is None:
            cursor.execute("CREATE DATABASE kapcouples_bench")
    conn.close()
    call_command("migrate", verbosity=0)


def fill(couples: int):
    from bench.fill import fill_clinic

    return fill_clinic(couples)


def measure(client: Client, url: str) -> tuple[float, float, int]:
    timings = []
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries)


def main() -> int:
    from bench.fill import PAGES, signed_in_client

    ensure_database()
    small, large = fill(COUPLES // 10), fill(COUPLES)
    print(f"{'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'queries@1/10':>13}")
    failed = False
    for name, (role, url) in PAGES.items():
        p50, p95, queries = measure(signed_in_client(large, role), url)
        _, _, small_queries = measure(signed_in_client(small, role), url)
        flag = "" if queries == small_queries else "  <-- grows with data"
        failed |= bool(flag)
        print(f"{name:<28} {p50:>8.1f} {p95:>8.1f} {queries:>8} {small_queries:>13}{flag}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
