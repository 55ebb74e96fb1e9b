"""The couple's outcome plots: questionnaire scores over time, for the care team."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kapcouples import audit, policy
from workspace import selectors
from workspace.views.common import get_couple_for_care_team


@policy.allow(*policy.CARE_TEAM)
def couple_outcomes(request: HttpRequest, couple_id: int) -> HttpResponse:
    # The care team reads both partners' scores (DESIGN §2): one check for the couple.
    couple = get_couple_for_care_team(request, couple_id)
    partners = list(couple.partners.all())
    audit.record_read(request, couple, clinic_id=couple.clinic_id)
    context = {
        "couple": couple,
        "partners": partners,
        "outcomes": selectors.couple_outcomes(couple, partners),
    }
    return render(request, "workspace/outcomes.html", context)
