"""A medicine session's monitoring record: a printable page and its PDF."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kapcouples import audit, policy
from sessions.views.common import get_session_for_care
from workspace import monitoring, pdf


def _context(request: HttpRequest, session_id: int) -> dict:
    session = get_session_for_care(request, session_id)
    audit.record_read(request, session, clinic_id=session.couple.clinic_id)
    return {
        "session": session,
        "couple": session.couple,
        "partners": monitoring.session_monitoring(session),
        "zone": session.couple.clinic.zone,
    }


@policy.allow(*policy.CARE_TEAM)
def monitoring_record(request: HttpRequest, session_id: int) -> HttpResponse:
    return render(request, "workspace/monitoring.html", _context(request, session_id))


@policy.allow(*policy.CARE_TEAM)
def monitoring_record_pdf(request: HttpRequest, session_id: int) -> HttpResponse:
    context = _context(request, session_id)
    document = pdf.render_pdf("workspace/monitoring_document.html", context, request)
    day = (context["session"].started_at or context["session"].appointment.start).astimezone(
        context["zone"]
    )
    return pdf.pdf_response(document, f"monitoring-record-{session_id}-{day:%Y-%m-%d}.pdf")
