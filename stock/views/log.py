"""The printable controlled-substance log for a date range (read by inspectors)."""

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kapcouples import audit, policy
from stock import selectors
from stock.forms import LogRangeForm, default_log_range
from stock.views.common import lot_from_query


def _bounds(day_from: datetime.date, day_to: datetime.date, zone):
    """Midnight starting `day_from` to midnight ending `day_to`, in the clinic's zone."""
    start = datetime.datetime.combine(day_from, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(
        day_to + datetime.timedelta(days=1), datetime.time(), tzinfo=zone
    )
    return start, end


@policy.allow(*policy.STOCK_READERS)
def stock_log(request: HttpRequest) -> HttpResponse:
    clinic = request.user.membership.clinic
    lot = lot_from_query(request)
    form = LogRangeForm(request.GET if "from" in request.GET else default_log_range(clinic.zone))
    periods = None
    if form.is_valid():
        audit.record_read(request, lot, clinic_id=clinic.pk)
        start, end = _bounds(form.cleaned_data["from"], form.cleaned_data["to"], clinic.zone)
        periods = selectors.stock_log(clinic.pk, start, end, lot_id=lot.pk if lot else None)
    context = {"form": form, "periods": periods, "clinic": clinic, "lot": lot}
    return render(request, "stock/log.html", context, status=200 if form.is_valid() else 400)
