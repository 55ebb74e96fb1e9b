"""The clinic's lots and balances, and the forms that move stock (receive, waste, correct)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kapcouples import audit, policy
from kapcouples.services import DomainError
from stock import selectors, services
from stock.forms import CorrectionForm, LotReceiveForm, WasteForm
from stock.views.common import clinic_id_of, lot_from_query

PAGE_SIZE = 25


@policy.allow(*policy.STOCK_READERS)
def lot_list(request: HttpRequest) -> HttpResponse:
    clinic_id = clinic_id_of(request)
    audit.record_read(request, None, clinic_id=clinic_id)
    page = Paginator(selectors.lots_for_clinic(clinic_id), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    clinic = request.user.membership.clinic
    today = timezone.localdate(timezone=clinic.zone)
    context = {
        "clinic_timezone": clinic.timezone,
        "page": page,
        "rows": [selectors.LotRow.of(lot, today) for lot in page.object_list],
        "may_handle": policy.can_handle_stock(request.user, clinic_id),
        "may_correct": policy.can_correct_stock(request.user, clinic_id),
    }
    return render(request, "stock/lot_list.html", context)


def _submit(request, form, action, done: str) -> HttpResponse | None:
    """Run `action(data)` on a valid form, or put the service's refusal next to its field."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        action(form.cleaned_data)
    except services.StockRefused as error:
        for name, text in error.errors.items():
            form.add_error(name if name in form.fields else None, text)
        return None
    except DomainError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, done)
    return redirect("stock:lot_list")


def _form_page(request, form, title: str, intro: str) -> HttpResponse:
    status = 400 if form.is_bound else 200
    context = {"form": form, "title": title, "intro": intro}
    return render(request, "stock/stock_form.html", context, status=status)


@policy.allow(*policy.CARE_TEAM)
def lot_receive(request: HttpRequest) -> HttpResponse:
    form = LotReceiveForm(request.POST or None)
    clinic = request.user.membership.clinic

    def action(data):
        services.lot_receive(clinic=clinic, by=request.user, **data)

    done = _submit(request, form, action, "Lot received: its balance is on the list.")
    intro = "Record a lot of ketamine as it arrives, from the package and the invoice."
    return done or _form_page(request, form, "Receive a lot", intro)


@policy.allow(*policy.CARE_TEAM)
def waste_record(request: HttpRequest) -> HttpResponse:
    lot = lot_from_query(request)
    form = WasteForm(
        request.POST or None,
        clinic_id=clinic_id_of(request),
        user=request.user,
        initial={"lot": lot},
    )

    def action(data):
        services.stock_waste(by=request.user, **data)

    done = _submit(request, form, action, "Waste recorded with its witness.")
    intro = "Medicine drawn and not given: record it with the person who watched it wasted."
    return done or _form_page(request, form, "Record waste", intro)


@policy.allow(*policy.PRESCRIBERS)
def correction_record(request: HttpRequest) -> HttpResponse:
    lot = lot_from_query(request)
    form = CorrectionForm(
        request.POST or None,
        clinic_id=clinic_id_of(request),
        user=request.user,
        initial={"lot": lot},
    )

    def action(data):
        services.stock_adjust(by=request.user, **data)

    done = _submit(request, form, action, "Correction recorded; the earlier entries stay.")
    intro = (
        "After a count that differs from the balance: a prescriber records the difference "
        "with a witness and the reason. Earlier entries are never changed."
    )
    return done or _form_page(request, form, "Correct a balance", intro)
