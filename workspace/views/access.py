"""Who opened a couple's record: for its care team, from the chart."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kapcouples import audit, policy, selectors
from workspace.views.common import get_couple_for_care_team


@policy.allow(*policy.CARE_TEAM)
def couple_access(request: HttpRequest, couple_id: int) -> HttpResponse:
    """Every entry the audit log holds about the couple or either partner, newest first:
    the care team sees who read their couple's record (and who broke the glass to)."""
    couple = get_couple_for_care_team(request, couple_id)
    audit.record_read(request, couple, clinic_id=couple.clinic_id)
    page = selectors.access_log_page(
        couple.clinic_id,
        selectors.AuditFilters(couple_id=couple.pk),
        after=selectors.Cursor.parse(request.GET.get("after")),
    )
    context = {"couple": couple, "page": page, "zone": couple.clinic.zone}
    return render(request, "workspace/couple_access.html", context)
