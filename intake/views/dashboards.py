"""The front desk's couple list (the care team's caseload is in workspace, the partner's
portal in the portal app)."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from intake import selectors
from kapcouples import policy

PAGE_SIZE = 25


def _page(request: HttpRequest, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@policy.allow(*policy.FRONT_DESK)
def desk_dashboard(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    couples = selectors.search_couples(
        selectors.couples_for_user(request.user),
        query,
        clinic_id=policy.staff_clinic_id(request.user),
    )
    return render(request, "dashboards/desk.html", {"page": _page(request, couples), "q": query})
