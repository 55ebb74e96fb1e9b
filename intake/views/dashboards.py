"""The front desk's couple list and the partner's portal (the care team's caseload is in
workspace)."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from intake import selectors
from intake.readiness import ScreeningFacts
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


@policy.allow(*policy.PARTNERS)
def portal(request: HttpRequest) -> HttpResponse:
    partner = selectors.partner_of_user(request.user)
    others = [p for p in partner.couple.partners.all() if p.pk != partner.pk]
    context = {"partner": partner, "other": others[:1], "screening": ScreeningFacts([partner])}
    return render(request, "dashboards/portal.html", context)
