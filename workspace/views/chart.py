"""The couple's chart: the program's timeline, progress against the plan, each partner."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kapcouples import audit, policy
from workspace import chart
from workspace.views.common import get_couple_for_care_team


@policy.allow(*policy.CARE_TEAM)
def couple_chart(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = get_couple_for_care_team(request, couple_id)
    audit.record_read(request, couple, clinic_id=couple.clinic_id)
    records = chart.program_records(couple, list(couple.partners.all()))
    context = {
        "couple": couple,
        "records": records,
        "rounds": chart.timeline(records),
        "progress": chart.progress(records),
        "scores": chart.latest_scores(records),
        "zone": couple.clinic.zone,
    }
    return render(request, "workspace/chart.html", context)
