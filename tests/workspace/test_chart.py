"""The couple's chart: who may open it, the timeline's rounds, the progress sentences, and a
query count that does not grow with the program or the clinic."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integration.models import CheckIn
from kapcouples.models import AccessLog
from sessions import medicine
from sessions.models import Appointment
from tests.intake.factories import BreakGlassGrantFactory, QuestionnaireResponseFactory
from tests.kapcouples.test_query_counts import _grow
from tests.sessions.factories import book, held, local, tomorrow
from tests.sessions.record_helpers import (
    discharge,
    dosed_session,
    minutes,
    readings_for_discharge,
)
from workspace import chart

pytestmark = pytest.mark.django_db


def chart_url(couple) -> str:
    return reverse("workspace:chart", kwargs={"couple_id": couple.pk})


@pytest.mark.parametrize("who", ["clinician", "prescriber"])
def test_the_care_team_opens_the_chart_and_the_read_is_audited(cast, client_for, who):
    response = client_for(cast.user(who)).get(chart_url(cast.couple))

    assert response.status_code == 200
    assert AccessLog.objects.filter(
        user=cast.user(who), action="read", path=chart_url(cast.couple)
    ).exists()


@pytest.mark.parametrize(
    "who, status",
    [
        ("clinician_outside", 403),
        ("front_desk", 403),
        ("clinic_admin", 403),
        ("partner_a", 403),
        ("other_clinic_clinician", 404),
    ],
)
def test_anyone_else_is_refused_and_the_refusal_logged(cast, client_for, who, status):
    response = client_for(cast.user(who)).get(chart_url(cast.couple))

    assert response.status_code == status
    assert AccessLog.objects.filter(user=cast.user(who), action="denied").exists()


def test_a_clinician_outside_the_team_opens_it_through_break_the_glass(cast, client_for):
    BreakGlassGrantFactory(couple=cast.couple, user=cast.clinician_outside)

    response = client_for(cast.clinician_outside).get(chart_url(cast.couple))

    assert response.status_code == 200


def _program(cast):
    """Assessment and two preparations, a medicine session with a dose and a discharge,
    then a questionnaire, a check-in and an integration session booked for tomorrow."""
    session, given = dosed_session(cast)
    leave = given + minutes(130)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    discharge(cast, session, cast.partner_a, leave)
    session = medicine.medicine_session_complete(session=session, by=cast.clinician)
    QuestionnaireResponseFactory(
        partner=cast.partner_b, code="CSI-4", completed_at=leave + minutes(30)
    )
    # Completing the session scheduled the check-ins; partner A answers the first.
    CheckIn.objects.filter(partner=cast.partner_a, medicine_session=session, day=1).update(
        connection=4, answered_at=leave + minutes(60)
    )
    integration = book(
        cast, Appointment.Kind.INTEGRATION, local(cast, tomorrow(cast) + datetime.timedelta(1), 10)
    )
    return session, integration


def _records(cast):
    return chart.program_records(cast.couple, [cast.partner_a, cast.partner_b])


def test_the_timeline_puts_each_record_in_its_round_in_time_order(cast):
    session, _ = _program(cast)

    rounds = chart.timeline(_records(cast))

    assert [r.title for r in rounds] == [
        "Assessment and preparation",
        f"Medicine session 1 · {session.get_approach_display()}",
    ]
    before, first = rounds
    # Both partners' C-SSRS screeners were completed an hour before the session started.
    assert [e.kind for e in before.entries] == [
        "assessment",
        "preparation",
        "preparation",
        "questionnaire",
        "questionnaire",
    ]
    titles = [e.title for e in first.entries]
    assert titles[0] == "Medicine session"
    assert (
        titles.index("Dose: Alexa")
        < titles.index("Discharged: Alexa")
        < titles.index("CSI-4: Bobbie")
    )
    assert titles[-1] == "Integration"
    assert [e.at for e in first.entries] == sorted(e.at for e in first.entries)
    dose = next(e for e in first.entries if e.kind == "dose")
    assert dose.title == "Dose: Alexa" and dose.detail.startswith("80 mg")


def test_a_cancelled_appointment_stays_on_the_timeline_greyed(cast):
    cancelled = held(
        cast, Appointment.Kind.PREPARATION, timezone.now() - datetime.timedelta(days=40)
    )
    Appointment.objects.filter(pk=cancelled.pk).update(
        status=Appointment.Status.CANCELLED, cancel_reason="Unwell"
    )

    entries = chart.timeline(_records(cast))[0].entries

    assert [(e.at, e.muted) for e in entries] == [(cancelled.start, True)]


def test_progress_says_what_is_held_done_and_booked(cast):
    _, integration = _program(cast)

    progress = chart.progress(_records(cast))

    when = f"{timezone.localtime(integration.start, cast.clinic.zone):%a %d %b %H:%M}"
    assert progress.lines == (
        "Medicine sessions held: 1 of 3",
        "Preparation 0 of 2 done before medicine session 2",
        f"Integration after medicine session 1 booked {when}",
        f"Next: Integration {when}",
    )


def test_progress_of_a_session_under_way_and_with_no_integration_booked(cast):
    dosed_session(cast)

    assert chart.progress(_records(cast)).lines[:2] == (
        "Medicine session 1 of 3 under way",
        "Preparation 2 of 2 done before medicine session 1",
    )


def test_the_page_shows_progress_each_partner_and_the_timeline(cast, client_for):
    _program(cast)

    page = client_for(cast.clinician).get(chart_url(cast.couple)).content.decode()

    assert "Medicine sessions held: 1 of 3" in page
    assert page.count('data-testid="partner-section"') == 2
    assert "Dose: Alexa" in page and "Check-in day 1: Alexa" in page
    assert "CSI-4" in page


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_chart_makes_as_many_queries_for_a_long_program_on_a_big_clinic(
    cast, client_for, django_assert_max_num_queries
):
    _program(cast)
    client = client_for(cast.clinician)
    url = chart_url(cast.couple)
    client.get(url)
    small = _count(client, url)
    _grow(cast, 20)  # 20 more couples in the clinic, 20 more responses for the couple
    for days in range(30, 90, 10):
        held(cast, Appointment.Kind.PREPARATION, timezone.now() - datetime.timedelta(days=days))
    with django_assert_max_num_queries(20):
        large = _count(client, url)
    assert large == small


def test_break_the_glass_into_the_chart_is_on_the_clinic_admins_page(cast, client_for):
    reason = "Primary clinician unreachable; partner called in crisis."
    outsider = client_for(cast.clinician_outside)
    outsider.post(reverse("intake:break_glass"), {"couple": cast.couple.pk, "reason": reason})

    assert outsider.get(chart_url(cast.couple)).status_code == 200
    page = client_for(cast.clinic_admin).get(reverse("admin_dashboard")).content.decode()
    card = page[page.index('data-testid="break-glass"') :]
    assert cast.clinician_outside.full_name in card[: card.index("Recent access")]
    assert reason in card
    assert AccessLog.objects.filter(
        user=cast.clinician_outside, action="read", path=chart_url(cast.couple)
    ).exists()


def test_the_care_team_sees_who_opened_the_record_including_emergency_access(cast, client_for):
    reason = "Primary clinician unreachable; partner called in crisis."
    outsider = client_for(cast.clinician_outside)
    outsider.post(reverse("intake:break_glass"), {"couple": cast.couple.pk, "reason": reason})
    outsider.get(chart_url(cast.couple))
    url = reverse("workspace:couple_access", kwargs={"couple_id": cast.couple.pk})

    page = client_for(cast.clinician).get(url).content.decode()

    assert page.count(cast.clinician_outside.full_name) >= 2  # broke the glass, then read
    assert reason in page
    assert client_for(cast.front_desk).get(url).status_code == 403
    assert client_for(cast.other_clinic_clinician).get(url).status_code == 404
