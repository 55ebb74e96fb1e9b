"""The caseload: the landing page of clinicians and prescribers, and the clinic admin's list
of the clinic's couples (operational columns only)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from intake.models import Couple
from kapcouples import audit, policy
from workspace import caseload, waiting


@policy.allow(*policy.CARE_TEAM, *policy.CLINIC_ADMINS)
def caseload_dashboard(request: HttpRequest) -> HttpResponse:
    filters = caseload.Filters.from_query(request.GET)
    clinical = caseload.shows_clinical(request.user)
    if clinical:  # the rows show scores and readiness of the couples listed
        audit.record_read(request, None, clinic_id=policy.staff_clinic_id(request.user))
    context = {
        "page": caseload.caseload_page(request.user, filters, request.GET.get("page")),
        "filters": filters,
        "query": _query_without_page(request),
        "clinical": clinical,
        "phases": Couple.Status.choices,
        "sorts": caseload.SORTS.items(),
        "waiting": waiting.waiting_for(request.user),
    }
    return render(request, "workspace/caseload.html", context)


def _query_without_page(request: HttpRequest) -> str:
    """The filters as a query string, for the pagination links to keep."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
