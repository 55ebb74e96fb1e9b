"""A medicine session's monitoring record: each partner's readings, doses, adverse events,
discharge and criteria, as a page and a PDF, for the care team only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kapcouples.models import AccessLog
from sessions import medicine
from sessions.models import AdverseEvent
from tests.sessions.factories import started_session
from tests.sessions.record_helpers import (
    discharge,
    dosed_session,
    minutes,
    readings_for_discharge,
    vitals,
)
from tests.workspace.test_summary import pdf_text
from workspace import monitoring

pytestmark = pytest.mark.django_db


def record_url(session, name="workspace:monitoring_record") -> str:
    return reverse(name, kwargs={"session_id": session.pk})


def _monitored(cast):
    session, given = dosed_session(cast, mg="80")
    vitals(
        cast,
        session,
        cast.partner_a,
        130,
        85,
        moment="other",
        at=given + minutes(10),
        dissociation=True,
    )
    medicine.adverse_event_record(
        session=session,
        partner=cast.partner_a,
        kind=AdverseEvent.Kind.ANXIETY,
        severity=AdverseEvent.Severity.MILD,
        action="Reassurance, music.",
        by=cast.clinician,
        at=given + minutes(15),
    )
    leave = given + minutes(125)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    discharge(cast, session, cast.partner_a, leave)
    return session


def test_each_partner_has_readings_doses_events_and_discharge_criteria(cast):
    session = _monitored(cast)

    alexa, bobbie = monitoring.session_monitoring(session)

    assert alexa.partner == cast.partner_a and bobbie.partner == cast.partner_b
    assert [r.taken_at for r in alexa.readings] == sorted(r.taken_at for r in alexa.readings)
    assert [str(d.mg) for d in alexa.doses] == ["80.00"]
    assert [e.kind for e in alexa.adverse_events] == [AdverseEvent.Kind.ANXIETY]
    criteria = dict(alexa.criteria)
    assert all(criteria.values())
    assert any(text.startswith("Monitored 125 min (at least 120)") for text in criteria)
    assert any(t == "Taken home by Jamie Friend (friend, +1 555 010 2030)" for t in criteria)
    assert not bobbie.doses and bobbie.discharge is None and bobbie.criteria == []


def test_observations_are_named(cast):
    session = _monitored(cast)

    alexa = monitoring.session_monitoring(session)[0]

    assert [monitoring.observations(r) for r in alexa.readings][1] == "dissociation"


def test_the_pdf_is_the_record(cast, client_for):
    session = _monitored(cast)

    response = client_for(cast.clinician).get(
        record_url(session, "workspace:monitoring_record_pdf")
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    text = pdf_text(response.content)
    assert "Ketamine monitoring record" in text
    assert "80 mg" in text and "Reassurance, music." in text and "Jamie Friend" in text
    assert AccessLog.objects.filter(user=cast.clinician, action="read").exists()


@pytest.mark.parametrize(
    "who, status",
    [
        ("clinician_outside", 403),
        ("front_desk", 403),
        ("partner_a", 403),
        ("other_clinic_clinician", 404),
    ],
)
def test_only_the_care_team_opens_it(cast, client_for, who, status):
    session = _monitored(cast)

    response = client_for(cast.user(who)).get(record_url(session))

    assert response.status_code == status
    assert AccessLog.objects.filter(user=cast.user(who), action="denied").exists()


def test_a_dose_drawn_from_stock_names_its_lot_and_witness(cast, client_for):
    from tests.stock.helpers import receive

    session = started_session(cast)
    vitals(cast, session, cast.partner_a)
    lot = receive(cast, "500", lot_number="K-7")
    medicine.dose_record(
        session=session,
        partner=cast.partner_a,
        mg=Decimal("80"),
        by=cast.clinician,
        lot=lot,
        witness=cast.prescriber,
    )

    page = client_for(cast.clinician).get(record_url(session)).content.decode()

    assert f"K-7, witnessed by {cast.prescriber.get_full_name()}" in page
