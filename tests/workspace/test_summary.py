"""The treatment summary: its page and PDF for the care team only, audited, with the
program's sessions, doses, vitals, adverse events, scores and notes in it."""

import io

import pypdfium2
import pytest
from django.urls import reverse

from kapcouples.models import AccessLog
from sessions import medicine
from sessions.models import AdverseEvent
from tests.intake.factories import BreakGlassGrantFactory, QuestionnaireResponseFactory
from tests.kapcouples.test_query_counts import _grow
from tests.sessions.record_helpers import (
    discharge,
    dosed_session,
    minutes,
    readings_for_discharge,
    vitals,
)

pytestmark = pytest.mark.django_db


def summary_url(couple, name="workspace:summary") -> str:
    return reverse(name, kwargs={"couple_id": couple.pk})


def _held_session(cast):
    session, given = dosed_session(cast, mg="80")
    vitals(cast, session, cast.partner_a, 152, 96, moment="other", at=given + minutes(20))
    medicine.adverse_event_record(
        session=session,
        partner=cast.partner_a,
        kind=AdverseEvent.Kind.NAUSEA,
        severity=AdverseEvent.Severity.MILD,
        action="Ginger tea and rest.",
        by=cast.clinician,
        at=given + minutes(25),
    )
    leave = given + minutes(130)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    discharge(cast, session, cast.partner_a, leave)
    QuestionnaireResponseFactory(partner=cast.partner_b, code="CSI-4", total=11)
    return medicine.medicine_session_complete(session=session, by=cast.clinician)


def pdf_text(document: bytes) -> str:
    pdf = pypdfium2.PdfDocument(io.BytesIO(document))
    return "\n".join(page.get_textpage().get_text_range() for page in pdf)


def test_the_page_sums_up_the_program(cast, client_for):
    _held_session(cast)

    page = client_for(cast.clinician).get(summary_url(cast.couple)).content.decode()

    assert "Session 1 ·" in page
    assert "80 mg sublingual" in page
    assert "highest 152/96 mmHg" in page
    assert "Nausea / vomiting (mild)" in page and "Ginger tea and rest." in page
    assert "with Jamie Friend" in page
    assert "CSI-4" in page


def test_the_pdf_holds_the_same_summary_and_is_never_cached(cast, client_for):
    _held_session(cast)

    response = client_for(cast.prescriber).get(summary_url(cast.couple, "workspace:summary_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    assert response["Content-Disposition"].startswith('attachment; filename="treatment-summary-')
    text = pdf_text(response.content)
    assert "Treatment summary" in text
    assert "80 mg sublingual" in text
    assert "Alexa" in text and "Bobbie" in text
    assert AccessLog.objects.filter(
        user=cast.prescriber,
        action="read",
        path=summary_url(cast.couple, "workspace:summary_pdf"),
    ).exists()


@pytest.mark.parametrize("name", ["workspace:summary", "workspace:summary_pdf"])
@pytest.mark.parametrize(
    "who, status",
    [("clinician_outside", 403), ("front_desk", 403), ("partner_a", 403), ("clinic_admin", 403)],
)
def test_only_the_care_team_may_make_it(cast, client_for, name, who, status):
    response = client_for(cast.user(who)).get(summary_url(cast.couple, name))

    assert response.status_code == status
    assert AccessLog.objects.filter(user=cast.user(who), action="denied").exists()


def test_break_the_glass_opens_it(cast, client_for):
    BreakGlassGrantFactory(couple=cast.couple, user=cast.clinician_outside)

    response = client_for(cast.clinician_outside).get(summary_url(cast.couple))

    assert response.status_code == 200


def test_the_summary_makes_as_many_queries_on_a_bigger_clinic(
    cast, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _held_session(cast)
    client = client_for(cast.clinician)
    url = summary_url(cast.couple)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow(cast, 20)
    with django_assert_max_num_queries(21), CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
