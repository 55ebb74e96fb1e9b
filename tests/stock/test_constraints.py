"""The database has the last word on the stock ledger: rows that break a rule cannot be
written, even by raw SQL that skips every service."""

import pytest
from django.db import IntegrityError, connection, transaction

from stock.models import Lot, StockEntry
from tests.stock.helpers import receive

LOTS = Lot._meta.db_table
ENTRIES = StockEntry._meta.db_table


def execute(sql: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_entry(lot, by, **values) -> None:
    """A raw INSERT of a ledger row: a valid wasted entry unless `values` say otherwise."""
    row = {
        "lot_id": lot.pk,
        "kind": "wasted",
        "mg": "10",
        "balance_after": "490",
        "occurred_at": "2026-01-01T10:00:00Z",
        "recorded_at": "2026-01-01T10:00:00Z",
        "recorded_by_id": by.pk,
        "witness_id": None,
        "reason": "Partial troche",
        "dose_id": None,
    } | values
    columns = ", ".join(row)
    marks = ", ".join(["%s"] * len(row))
    execute(f"INSERT INTO {ENTRIES} ({columns}) VALUES ({marks})", list(row.values()))


@pytest.fixture
def lot(cast):
    return receive(cast)


def test_a_valid_witnessed_waste_row_is_accepted(cast, lot):
    insert_entry(lot, cast.clinician, witness_id=cast.prescriber.pk)
    assert StockEntry.objects.filter(kind="wasted").count() == 1


@pytest.mark.parametrize("mg", ["0", "-5"])
def test_an_entry_of_no_or_negative_quantity_is_refused(cast, lot, mg):
    with pytest.raises(IntegrityError, match="stock_entry_mg_positive"):
        insert_entry(lot, cast.clinician, witness_id=cast.prescriber.pk, mg=mg)


def test_an_entry_leaving_a_negative_balance_is_refused(cast, lot):
    with pytest.raises(IntegrityError, match="stock_entry_balance_never_negative"):
        insert_entry(lot, cast.clinician, witness_id=cast.prescriber.pk, balance_after="-1")


def test_a_lot_balance_below_zero_is_refused(cast, lot):
    with pytest.raises(IntegrityError, match="lot_balance_never_negative"):
        execute(f"UPDATE {LOTS} SET balance_mg = -0.01 WHERE id = %s", [lot.pk])
    lot.refresh_from_db()
    assert lot.balance_mg == 500


def test_a_lot_received_empty_is_refused(cast, lot):
    with pytest.raises(IntegrityError, match="lot_received_positive"):
        execute(f"UPDATE {LOTS} SET received_mg = 0 WHERE id = %s", [lot.pk])


def test_the_recorder_cannot_be_their_own_witness(cast, lot):
    with pytest.raises(IntegrityError, match="stock_entry_witness_not_recorder"):
        insert_entry(lot, cast.clinician, witness_id=cast.clinician.pk)


@pytest.mark.parametrize("kind", ["wasted", "correction_in", "correction_out"])
def test_waste_and_corrections_need_a_witness(cast, lot, kind):
    with pytest.raises(IntegrityError, match="stock_entry_witness_when_required"):
        insert_entry(lot, cast.clinician, kind=kind)


@pytest.mark.parametrize("kind", ["wasted", "correction_in", "correction_out"])
def test_waste_and_corrections_need_a_reason(cast, lot, kind):
    with pytest.raises(IntegrityError, match="stock_entry_reason_when_required"):
        insert_entry(lot, cast.clinician, witness_id=cast.prescriber.pk, kind=kind, reason="")


def test_a_dose_drawn_names_its_dose_and_nothing_else_does(cast, lot):
    with pytest.raises(IntegrityError, match="stock_entry_dose_only_when_dispensed"):
        insert_entry(lot, cast.clinician, witness_id=cast.prescriber.pk, kind="dispensed")


def test_a_received_entry_needs_no_witness_nor_reason(cast, lot):
    insert_entry(lot, cast.clinician, kind="received", reason="", balance_after="600")
    assert StockEntry.objects.filter(kind="received").count() == 2


def test_a_lot_number_is_unique_within_a_clinic_only(cast, lot):
    with pytest.raises(IntegrityError, match="lot_number_unique_per_clinic"):
        execute(
            f"INSERT INTO {LOTS} (clinic_id, lot_number, medication, form, route, strength, "
            "received_mg, balance_mg, received_at, received_by_id, supplier, invoice_reference, "
            f"expires_on) SELECT clinic_id, lot_number, medication, form, route, strength, "
            "received_mg, balance_mg, received_at, received_by_id, supplier, invoice_reference, "
            f"expires_on FROM {LOTS} WHERE id = %s",
            [lot.pk],
        )
    other = receive(cast, clinic=cast.other_clinic, by=cast.other_clinic_clinician)
    assert other.lot_number == lot.lot_number


def test_the_orm_refuses_to_edit_or_delete_a_ledger_entry(cast, lot):
    entry = StockEntry.objects.get()
    entry.mg = 1
    with pytest.raises(TypeError, match="never edited"):
        entry.save()
    with pytest.raises(TypeError, match="never deleted"):
        entry.delete()
    with pytest.raises(TypeError, match="never edited"):
        StockEntry.objects.filter(pk=entry.pk).update(mg=1)
    with pytest.raises(TypeError, match="never deleted"):
        StockEntry.objects.all().delete()
    assert StockEntry.objects.get().mg == 500


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {ENTRIES} SET mg = 1 WHERE lot_id = %s",
        f"UPDATE {ENTRIES} SET reason = 'rewritten' WHERE lot_id = %s",
        f"DELETE FROM {ENTRIES} WHERE lot_id = %s",
    ],
)
def test_ledger_rows_are_never_rewritten_or_removed_even_by_raw_sql(cast, lot, sql):
    from django.db import DatabaseError

    before = list(StockEntry.objects.filter(lot=lot).values())
    assert before  # the lot's receipt

    with pytest.raises(DatabaseError, match="append-only"):
        execute(sql, [lot.pk])

    assert list(StockEntry.objects.filter(lot=lot).values()) == before
