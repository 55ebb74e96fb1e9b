"""The couple's outcome plots: questionnaire scores over time, for the care team."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from intake.models import Couple, Partner
from intake.views.common import get_couple_for_staff
from kapcouples import audit, policy
from workspace import selectors


@policy.allow(*policy.CARE_TEAM)
def couple_outcomes(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = get_couple_for_staff(request, couple_id)
    partners = _partners_for_care_team(request, couple)
    audit.record_read(request, couple, clinic_id=couple.clinic_id)
    context = {
        "couple": couple,
        "partners": partners,
        "outcomes": selectors.couple_outcomes(couple, partners),
    }
    return render(request, "workspace/outcomes.html", context)


def _partners_for_care_team(request: HttpRequest, couple: Couple) -> list[Partner]:
    """The couple's partners, refusing anyone who may not read each one's scores."""
    partners = list(couple.partners.order_by("slot"))
    for partner in partners:
        if not policy.can_view_partner_private(request.user, partner):
            policy.deny(request, reason="partner-private scores", obj=couple)
    return partners
