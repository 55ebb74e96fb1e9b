"""Helpers for the stock tests: lots received through the service, the stock tables' rows."""

import datetime
from decimal import Decimal

from django.utils import timezone

from stock import services
from stock.models import Lot, StockEntry


def expire_yesterday(cast, lot: Lot) -> Lot:
    """Make `lot` expired: its last day was yesterday, in the clinic's zone."""
    today = timezone.localdate(timezone=cast.clinic.zone)
    Lot.objects.filter(pk=lot.pk).update(expires_on=today - datetime.timedelta(days=1))
    lot.refresh_from_db()
    return lot


def in_a_year() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=365)


def receive(cast, mg="500", *, lot_number="K-100", route="sublingual", by=None, clinic=None, **kw):
    """A lot received by the cast's clinician (or `by`), of `mg` mg, expiring in a year."""
    values = {
        "form": "troche" if route == "sublingual" else "vial",
        "strength": "100 mg/troche" if route == "sublingual" else "50 mg/mL",
        "supplier": "Compounding Pharmacy Inc.",
        "invoice_reference": "INV-7",
        "expires_on": in_a_year(),
    } | kw
    return services.lot_receive(
        clinic=clinic or cast.clinic,
        lot_number=lot_number,
        route=route,
        mg=Decimal(mg),
        by=by or cast.clinician,
        **values,
    )


def stock_state() -> dict[str, list[dict]]:
    """Every row of the stock tables, in order."""
    return {
        "lots": list(Lot.objects.order_by("pk").values()),
        "entries": list(StockEntry.objects.order_by("pk").values()),
        "lot history": list(Lot.history.order_by("pk").values()),
    }
