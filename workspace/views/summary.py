"""The treatment summary: a printable page and its PDF, for the care team only."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kapcouples import audit, policy
from workspace import chart, pdf, summary
from workspace.views.common import get_couple_for_care_team


def _context(request: HttpRequest, couple_id: int) -> dict:
    couple = get_couple_for_care_team(request, couple_id)
    audit.record_read(request, couple, clinic_id=couple.clinic_id)
    records = chart.program_records(couple, list(couple.partners.all()))
    return {
        "couple": couple,
        "records": records,
        "sessions": summary.medicine_sessions(records),
        "scores": summary.score_rows(records, chart.SCORED_CODES),
        "notes": [n for n in records.notes if n.signed_at],
        "progress": chart.progress(records),
        "generated_at": timezone.now(),
        "generated_by": request.user,
        "zone": couple.clinic.zone,
    }


@policy.allow(*policy.CARE_TEAM)
def treatment_summary(request: HttpRequest, couple_id: int) -> HttpResponse:
    return render(request, "workspace/summary.html", _context(request, couple_id))


@policy.allow(*policy.CARE_TEAM)
def treatment_summary_pdf(request: HttpRequest, couple_id: int) -> HttpResponse:
    context = _context(request, couple_id)
    document = pdf.render_pdf("workspace/summary_document.html", context, request)
    day = timezone.localdate(timezone=context["zone"])
    return pdf.pdf_response(document, f"treatment-summary-{couple_id}-{day:%Y-%m-%d}.pdf")
