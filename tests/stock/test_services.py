"""The stock services decide themselves, through the policy, who may move stock; they keep
every balance at or above zero and each refusal names what to fix."""

import contextlib
import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kapcouples import policy
from kapcouples.models import Role
from kapcouples.services import DomainError
from stock import services
from stock.models import Lot, StockEntry
from tests.factories import StaffFactory
from tests.stock.helpers import receive, stock_state


@contextlib.contextmanager
def refused_and_unchanged(rule: str):
    """Refused by the policy with `rule`, and not one stock row written or changed."""
    before = stock_state()
    with pytest.raises(policy.NotAllowed, match=rf"\(rule: {rule}\)\.$"):
        yield
    assert stock_state() == before


@contextlib.contextmanager
def refused_on(field: str, match: str):
    """Refused with a message for `field`, and not one stock row written or changed."""
    before = stock_state()
    with pytest.raises(services.StockRefused) as error:
        yield
    assert match in error.value.errors[field]
    assert stock_state() == before


def waste(cast, lot, mg="20", *, by=None, witness="prescriber", reason="Partial troche"):
    return services.stock_waste(
        lot=lot,
        mg=Decimal(mg),
        witness=getattr(cast, witness) if isinstance(witness, str) else witness,
        reason=reason,
        by=by or cast.clinician,
    )


# --- Receiving ------------------------------------------------------------------------------
def test_a_lot_received_starts_its_ledger_with_the_full_balance(cast):
    lot = receive(cast, "500", lot_number=" k-7a ")
    assert (lot.lot_number, lot.balance_mg, lot.received_by) == ("K-7A", 500, cast.clinician)
    entry = StockEntry.objects.get()
    assert (entry.kind, entry.mg, entry.balance_after) == ("received", 500, 500)


@pytest.mark.parametrize("who", ["clinician", "prescriber", "clinician_outside"])
def test_any_clinician_or_prescriber_of_the_clinic_receives_a_lot(cast, who):
    assert receive(cast, by=getattr(cast, who)).received_by == getattr(cast, who)


@pytest.mark.parametrize(
    "who", ["front_desk", "clinic_admin", "partner_a", "other_clinic_clinician"]
)
def test_nobody_else_receives_a_lot(cast, who):
    with refused_and_unchanged("can_handle_stock"):
        receive(cast, by=cast.user(who))


def test_a_lot_number_received_twice_is_refused_next_to_the_field(cast):
    receive(cast, lot_number="K-1")
    with refused_on("lot_number", "Lot K-1 is already received here"):
        receive(cast, lot_number="k-1")


def test_an_expired_lot_is_not_received(cast):
    with refused_on("expires_on", "expired"):
        receive(cast, expires_on=timezone.localdate() - datetime.timedelta(days=2))


# --- Waste ------------------------------------------------------------------------------------
def test_waste_is_taken_from_the_balance_with_its_witness_and_reason(cast):
    lot = receive(cast, "100")
    entry = waste(cast, lot, "30")
    lot.refresh_from_db()
    assert lot.balance_mg == 70
    assert (entry.kind, entry.signed_mg, entry.balance_after) == ("wasted", -30, 70)
    assert (entry.witness, entry.reason) == (cast.prescriber, "Partial troche")


@pytest.mark.parametrize("who", ["front_desk", "clinic_admin", "partner_a"])
def test_only_clinical_staff_record_waste(cast, who):
    lot = receive(cast)
    with refused_and_unchanged("can_handle_stock"):
        waste(cast, lot, by=cast.user(who))


def test_another_clinics_clinician_cannot_waste_this_clinics_lot(cast):
    lot = receive(cast)
    with refused_and_unchanged("can_handle_stock"):
        waste(cast, lot, by=cast.other_clinic_clinician, witness=cast.clinician)


def test_waste_above_the_balance_is_refused_and_names_the_lot_and_its_balance(cast):
    lot = receive(cast, "25", lot_number="K-9")
    with refused_on("mg", "Lot K-9 holds only 25.00 mg: 25.01 mg cannot be taken"):
        waste(cast, lot, "25.01")
    waste(cast, lot, "25")
    lot.refresh_from_db()
    assert lot.balance_mg == 0


@pytest.mark.parametrize(
    "witness,message",
    [
        (None, "Name the clinician or prescriber"),
        ("clinician", "someone other than you"),
        ("front_desk", "is not an active clinician or prescriber of this clinic"),
        ("other_clinic_clinician", "is not an active clinician or prescriber of this clinic"),
    ],
)
def test_waste_needs_a_witness_from_the_clinical_staff_other_than_the_recorder(
    cast, witness, message
):
    lot = receive(cast)
    with refused_on("witness", message):
        waste(cast, lot, witness=getattr(cast, witness) if witness else None)


def test_waste_needs_a_reason(cast):
    lot = receive(cast)
    with refused_on("reason", "Say why"):
        waste(cast, lot, reason="   ")


def test_an_inactive_staff_member_cannot_witness(cast):
    lot = receive(cast)
    gone = StaffFactory(clinic=cast.clinic, role=Role.CLINICIAN)
    gone.membership.is_active = False
    gone.membership.save()
    with refused_on("witness", "not an active clinician"):
        waste(cast, lot, witness=gone)


# --- Corrections ---------------------------------------------------------------------------
def correct(cast, lot, kind, mg, *, by=None):
    return services.stock_adjust(
        lot=lot,
        kind=kind,
        mg=Decimal(mg),
        witness=cast.clinician,
        reason="Monthly count",
        by=by or cast.prescriber,
    )


def test_a_prescriber_corrects_a_balance_either_way_as_new_entries(cast):
    lot = receive(cast, "100")
    correct(cast, lot, "correction_out", "5")
    correct(cast, lot, "correction_in", "2")
    lot.refresh_from_db()
    assert lot.balance_mg == 97
    balances = list(StockEntry.objects.values_list("kind", "balance_after"))
    assert balances == [("received", 100), ("correction_out", 95), ("correction_in", 97)]


@pytest.mark.parametrize("who", ["clinician", "clinic_admin", "front_desk"])
def test_only_a_prescriber_corrects_a_balance(cast, who):
    lot = receive(cast)
    with refused_and_unchanged("can_correct_stock"):
        correct(cast, lot, "correction_in", "5", by=cast.user(who))


def test_a_correction_cannot_take_a_lot_below_zero(cast):
    lot = receive(cast, "10", lot_number="K-2")
    with refused_on("mg", "Lot K-2 holds only 10.00 mg"):
        correct(cast, lot, "correction_out", "11")


def test_a_correction_is_neither_a_receipt_nor_waste(cast):
    lot = receive(cast)
    with refused_on("kind", "adds or removes"):
        correct(cast, lot, "wasted", "1")


def test_a_stale_lot_object_cannot_take_more_than_the_locked_row_holds(cast):
    """The balance comes from the row locked at the time, not the caller's copy."""
    lot = receive(cast, "50", lot_number="K-3")
    stale = Lot.objects.get(pk=lot.pk)
    waste(cast, lot, "40")
    assert stale.balance_mg == 50
    with refused_on("mg", "Lot K-3 holds only 10.00 mg"):
        waste(cast, stale, "20")


def test_every_refusal_is_a_domain_error_a_page_can_show(cast):
    assert issubclass(services.StockRefused, DomainError)
