"""Reads of the controlled-substance log, always scoped to one clinic."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet

from kapcouples.models import Role, User
from stock.models import Lot, StockEntry

LOG_MAX_DAYS = 366


def lots_for_clinic(clinic_id: int) -> QuerySet[Lot]:
    return Lot.objects.filter(clinic_id=clinic_id).select_related("received_by")


@dataclass(frozen=True)
class LotRow:
    """A lot on the list, with its state on the clinic's today."""

    lot: Lot
    expired: bool
    empty: bool

    @classmethod
    def of(cls, lot: Lot, today: datetime.date) -> "LotRow":
        return cls(lot=lot, expired=lot.expired_on(today), empty=lot.balance_mg <= 0)

    @property
    def usable(self) -> bool:
        return not (self.expired or self.empty)


def lots_with_balance(clinic_id: int) -> QuerySet[Lot]:
    return Lot.objects.filter(clinic_id=clinic_id, balance_mg__gt=0)


def witnesses(clinic_id: int) -> QuerySet[User]:
    """Who may witness a draw, waste or correction: the clinic's active clinical staff."""
    return User.objects.filter(
        is_active=True,
        membership__clinic_id=clinic_id,
        membership__is_active=True,
        membership__role__in=[Role.CLINICIAN, Role.PRESCRIBER],
    ).order_by("full_name")


@dataclass(frozen=True)
class DoseStock:
    """For the dose form: does the clinic keep stock, and which lots may a dose come from."""

    keeps_stock: bool
    usable_lots: list[Lot]


def dose_stock(clinic_id: int, route: str, day: datetime.date) -> DoseStock:
    """In one query: the lots usable for `route` on `day` (unexpired, with a balance), plus
    any one lot of the clinic, which tells whether it keeps stock at all."""
    usable = Q(route=route, expires_on__gte=day, balance_mg__gt=0)
    any_lot = Lot.objects.filter(clinic_id=clinic_id).order_by("pk").values("pk")[:1]
    rows = list(Lot.objects.filter(Q(clinic_id=clinic_id) & (usable | Q(pk__in=any_lot))))
    lots = [
        lot for lot in rows if lot.route == route and not lot.expired_on(day) and lot.balance_mg > 0
    ]
    return DoseStock(keeps_stock=bool(rows), usable_lots=lots)


def clinic_keeps_stock(clinic_id: int) -> bool:
    return Lot.objects.filter(clinic_id=clinic_id).exists()


def keeps_stock_expression(clinic_path: str) -> Exists:
    """For a query's annotation: whether the clinic at `clinic_path` has ever received a lot
    (so a page learns it with the row it reads anyway)."""
    return Exists(Lot.objects.filter(clinic_id=OuterRef(clinic_path)))


@dataclass
class LogRow:
    """One entry of the printable log, with only what a regulator needs of the dose: the
    session number and the partner's initials."""

    entry: StockEntry
    session_id: int | None = None
    partner_initials: str = ""


@dataclass
class LotPeriod:
    lot: Lot
    opening_mg: Decimal
    closing_mg: Decimal
    rows: list[LogRow] = field(default_factory=list)


def _initials(partner) -> str:
    return f"{partner.first_name[:1]}{partner.last_name[:1]}".upper()


def _row(entry: StockEntry) -> LogRow:
    dose = entry.dose
    if dose is None:
        return LogRow(entry=entry)
    return LogRow(
        entry, session_id=dose.medicine_session_id, partner_initials=_initials(dose.partner)
    )


def stock_log(
    clinic_id: int, start: datetime.datetime, end: datetime.datetime, lot_id: int | None = None
) -> list[LotPeriod]:
    """Every entry that occurred from `start` to before `end`, by lot in the order it was
    written (the order its running balance follows, even for a dose entered a few minutes
    late), and each lot's opening and closing balance for the period (one query)."""
    entries = (
        StockEntry.objects.filter(
            lot__clinic_id=clinic_id, occurred_at__gte=start, occurred_at__lt=end
        )
        .select_related("lot", "recorded_by", "witness", "dose__partner")
        .order_by("lot__expires_on", "lot__lot_number", "pk")
    )
    if lot_id is not None:
        entries = entries.filter(lot_id=lot_id)
    periods: dict[int, LotPeriod] = {}
    for entry in entries:
        period = periods.get(entry.lot_id)
        if period is None:
            opening = entry.balance_after - entry.signed_mg
            period = periods[entry.lot_id] = LotPeriod(entry.lot, opening, opening)
        period.rows.append(_row(entry))
        period.closing_mg = entry.balance_after
    return list(periods.values())
