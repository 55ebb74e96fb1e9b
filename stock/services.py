"""Writes to the controlled-substance log. Each service takes the acting user (`by=`), asks
the policy itself, locks the lot row and computes the new balance from it, so two
concurrent draws can never take a lot below zero."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from kapcouples import policy
from kapcouples.models import User
from kapcouples.services import DomainError
from stock.models import Lot, StockEntry


class StockRefused(DomainError):
    """Input the stock rules refuse, by form field, so a page shows each message next to it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def _mg(value) -> Decimal:
    if value is None or value <= 0:
        raise StockRefused({"mg": "Enter the quantity in mg (more than 0)."})
    return value


def _locked(lot: Lot) -> Lot:
    return Lot.objects.select_for_update().get(pk=lot.pk)


def _clinic_day(clinic, at: datetime.datetime) -> datetime.date:
    return at.astimezone(clinic.zone).date()


def _check_witness(witness: User | None, *, by: User, clinic_id: int) -> None:
    if witness is None:
        raise StockRefused({"witness": "Name the clinician or prescriber who witnessed this."})
    if witness.pk == by.pk:
        raise StockRefused({"witness": "The witness must be someone other than you."})
    if not policy.can_witness_stock(witness, clinic_id):
        raise StockRefused(
            {"witness": f"{witness} is not an active clinician or prescriber of this clinic."}
        )


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise StockRefused({"reason": "Say why (for example: partial troche not given)."})
    return reason[:500]


def _take(lot: Lot, mg: Decimal, field: str = "mg") -> Decimal:
    """The lot's balance after taking `mg`, refused if it would go below zero."""
    if mg > lot.balance_mg:
        held = f"Lot {lot.lot_number} holds only {lot.balance_mg} mg"
        raise StockRefused({field: f"{held}: {mg} mg cannot be taken from it."})
    return lot.balance_mg - mg


def _write(lot: Lot, balance: Decimal, **entry) -> StockEntry:
    lot.balance_mg = balance
    lot.save(update_fields=["balance_mg"])
    return StockEntry.objects.create(lot=lot, balance_after=balance, **entry)


@transaction.atomic
def lot_receive(
    *,
    clinic,
    lot_number: str,
    form: str,
    route: str,
    strength: str,
    mg: Decimal,
    supplier: str,
    expires_on: datetime.date,
    by: User,
    invoice_reference: str = "",
    at: datetime.datetime | None = None,
) -> Lot:
    """Record a lot received: the lot with its full balance, and the ledger's first entry."""
    policy.ensure(policy.can_handle_stock, by, clinic.pk, to="receive a lot of ketamine")
    mg, at = _mg(mg), at or timezone.now()
    lot_number = lot_number.strip().upper()
    if Lot.objects.filter(clinic=clinic, lot_number=lot_number).exists():
        raise StockRefused({"lot_number": f"Lot {lot_number} is already received here."})
    if expires_on < _clinic_day(clinic, at):
        raise StockRefused({"expires_on": f"This lot expired on {expires_on:%d %b %Y}."})
    lot = Lot(
        clinic=clinic,
        lot_number=lot_number,
        form=form,
        route=route,
        strength=strength.strip(),
        received_mg=mg,
        balance_mg=mg,
        received_at=at,
        received_by=by,
        supplier=supplier.strip(),
        invoice_reference=invoice_reference.strip(),
        expires_on=expires_on,
    )
    try:
        with transaction.atomic():
            lot.save()
    except IntegrityError as error:  # received by someone else a moment ago
        raise StockRefused({"lot_number": f"Lot {lot_number} is already received here."}) from error
    StockEntry.objects.create(
        lot=lot,
        kind=StockEntry.Kind.RECEIVED,
        mg=mg,
        balance_after=mg,
        occurred_at=at,
        recorded_by=by,
    )
    return lot


@transaction.atomic
def stock_waste(
    *,
    lot: Lot,
    mg: Decimal,
    witness: User | None,
    reason: str,
    by: User,
    at: datetime.datetime | None = None,
) -> StockEntry:
    """Record medicine wasted from a lot (a partial troche, the rest of a vial), witnessed."""
    policy.ensure(policy.can_handle_stock, by, lot.clinic_id, to="record waste")
    mg, reason = _mg(mg), _check_reason(reason)
    _check_witness(witness, by=by, clinic_id=lot.clinic_id)
    lot = _locked(lot)
    balance = _take(lot, mg)
    return _write(
        lot,
        balance,
        kind=StockEntry.Kind.WASTED,
        mg=mg,
        occurred_at=at or timezone.now(),
        recorded_by=by,
        witness=witness,
        reason=reason,
    )


@transaction.atomic
def stock_adjust(
    *,
    lot: Lot,
    kind: str,
    mg: Decimal,
    witness: User | None,
    reason: str,
    by: User,
    at: datetime.datetime | None = None,
) -> StockEntry:
    """Correct a lot's balance after a count, up or down, with a witness and the reason. The
    history stays: the correction is a new entry, never an edit of an earlier one."""
    policy.ensure(policy.can_correct_stock, by, lot.clinic_id, to="correct a lot's balance")
    if kind not in (StockEntry.Kind.CORRECTION_IN, StockEntry.Kind.CORRECTION_OUT):
        raise StockRefused({"kind": "Choose whether the correction adds or removes."})
    mg, reason = _mg(mg), _check_reason(reason)
    _check_witness(witness, by=by, clinic_id=lot.clinic_id)
    lot = _locked(lot)
    removes = kind == StockEntry.Kind.CORRECTION_OUT
    balance = _take(lot, mg) if removes else lot.balance_mg + mg
    return _write(
        lot,
        balance,
        kind=kind,
        mg=mg,
        occurred_at=at or timezone.now(),
        recorded_by=by,
        witness=witness,
        reason=reason,
    )


def dose_draw(*, dose, lot: Lot | None, witness: User | None, clinic, by: User) -> StockEntry:
    """Draw a dose just recorded (same transaction) from a lot of the dose's clinic, for its
    route, unexpired on the dose's day, with a witness. The dose service calls this and lets
    a refusal undo the dose with it."""
    policy.ensure(policy.can_handle_stock, by, clinic.pk, to="draw a dose from stock")
    if lot is None:
        raise StockRefused({"lot": "Choose the lot this dose is drawn from."})
    if lot.clinic_id != clinic.pk:
        raise StockRefused({"lot": "That lot is not one of this clinic's: choose one listed."})
    _check_witness(witness, by=by, clinic_id=clinic.pk)
    lot = _locked(lot)
    day = _clinic_day(clinic, dose.given_at)
    if lot.expired_on(day):
        raise StockRefused({"lot": f"Lot {lot.lot_number} expired on {lot.expires_on:%d %b %Y}."})
    if lot.route != dose.route:
        raise StockRefused(
            {"lot": f"Lot {lot.lot_number} is for {lot.get_route_display().lower()} use."}
        )
    balance = _take(lot, dose.mg, field="lot")
    return _write(
        lot,
        balance,
        kind=StockEntry.Kind.DISPENSED,
        mg=dose.mg,
        occurred_at=dose.given_at,
        recorded_by=by,
        witness=witness,
        dose=dose,
    )
