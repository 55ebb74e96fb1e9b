"""Threads taking from one lot at once on PostgreSQL: the lot row lock serialises them, so
the balance never goes below zero and exactly the ones that fit succeed."""

import threading
from decimal import Decimal

import pytest
from django.db import connections

from stock import services
from stock.models import Lot, StockEntry
from tests.stock.helpers import receive

THREADS = 6


def _race(attempts) -> tuple[list, list]:
    """Run each attempt in its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(attempts))
    won, refused, crashed = [], [], []

    def run(attempt):
        try:
            barrier.wait()
            won.append(attempt())
        except services.StockRefused as error:
            refused.append(error)
        except Exception as error:
            crashed.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not crashed, crashed
    return won, refused


@pytest.mark.django_db(transaction=True)
def test_six_threads_wasting_40_mg_from_a_100_mg_lot_leave_20_mg_and_never_less(cast):
    lot = receive(cast, "100", lot_number="K-RACE")

    def attempt():
        return services.stock_waste(
            lot=Lot.objects.get(pk=lot.pk),  # each thread's own stale copy of 100 mg
            mg=Decimal("40"),
            witness=cast.prescriber,
            reason="Race",
            by=cast.clinician,
        )

    won, refused = _race([attempt] * THREADS)
    assert (len(won), len(refused)) == (2, THREADS - 2)
    lot.refresh_from_db()
    assert lot.balance_mg == 20
    balances = sorted(
        StockEntry.objects.filter(kind="wasted").values_list("balance_after", flat=True)
    )
    assert balances == [20, 60]
    assert all("holds only 20.00 mg" in str(error) for error in refused)
