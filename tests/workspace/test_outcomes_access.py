"""Who may open the outcome plots: the couple's care team, a clinician who broke the glass;
nobody else, and every refusal is logged. Each opening is audited."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from kapcouples.models import AccessLog
from tests.intake.factories import BreakGlassGrantFactory
from tests.workspace.helpers import score

MARKER_TOTAL = 23  # partner B's PHQ-9: only the care team may see it


def url(cast) -> str:
    return reverse("workspace:outcomes", kwargs={"couple_id": cast.couple.pk})


@pytest.mark.parametrize("who", ["clinician", "prescriber"])
def test_the_care_team_opens_the_plots_and_the_read_is_audited(who, cast, client_for):
    score(cast, cast.partner_b, "PHQ-9", datetime.date(2026, 3, 1), MARKER_TOTAL)
    response = client_for(cast.user(who)).get(url(cast))
    assert response.status_code == 200
    assert f'data-score="{MARKER_TOTAL}"' in response.content.decode()
    read = AccessLog.objects.get(action=AccessLog.Action.READ)
    assert (read.user, read.object_id, read.path) == (
        cast.user(who),
        str(cast.couple.pk),
        url(cast),
    )


@pytest.mark.parametrize(
    "who,status",
    [
        ("clinician_outside", 403),
        ("front_desk", 403),
        ("clinic_admin", 403),
        ("partner_a", 403),
        ("partner_b", 403),
        ("other_partner", 403),
        ("other_clinic_clinician", 404),
    ],
)
def test_everyone_else_is_refused_and_the_refusal_logged(who, status, cast, client_for):
    score(cast, cast.partner_b, "PHQ-9", datetime.date(2026, 3, 1), MARKER_TOTAL)
    response = client_for(cast.user(who)).get(url(cast))
    assert response.status_code == status
    assert 'data-score="' not in response.content.decode()
    denial = AccessLog.objects.get(action=AccessLog.Action.DENIED)
    assert (denial.user, denial.path) == (cast.user(who), url(cast))
    assert not AccessLog.objects.filter(action=AccessLog.Action.READ).exists()


def test_a_signed_out_visitor_is_sent_to_log_in(cast, client):
    response = client.get(url(cast))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_clinician_outside_the_team_opens_them_after_breaking_the_glass(cast, client_for):
    BreakGlassGrantFactory(couple=cast.couple, user=cast.clinician_outside)
    response = client_for(cast.clinician_outside).get(url(cast))
    assert response.status_code == 200
    assert AccessLog.objects.filter(
        action=AccessLog.Action.READ, user=cast.clinician_outside, object_id=str(cast.couple.pk)
    ).exists()


def test_an_expired_break_the_glass_no_longer_opens_them(cast, client_for):
    granted = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(hours=3)
    BreakGlassGrantFactory(couple=cast.couple, user=cast.clinician_outside, granted_at=granted)
    assert client_for(cast.clinician_outside).get(url(cast)).status_code == 403


@pytest.mark.parametrize("who", ["partner_a", "front_desk", "clinician_outside"])
def test_the_plots_tag_shows_nothing_to_a_viewer_outside_the_care_team(who, cast):
    score(cast, cast.partner_b, "PHQ-9", datetime.date(2026, 3, 1), MARKER_TOTAL)
    html = render_tag(cast, cast.user(who))
    assert html.strip() == ""


def test_the_plots_tag_draws_the_plots_for_the_care_team(cast):
    score(cast, cast.partner_b, "PHQ-9", datetime.date(2026, 3, 1), MARKER_TOTAL)
    assert f'data-score="{MARKER_TOTAL}"' in render_tag(cast, cast.clinician)


def render_tag(cast, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load workspace_plots %}{% outcome_plots couple partners %}")
    partners = [cast.partner_a, cast.partner_b]
    return template.render(
        Context({"request": request, "couple": cast.couple, "partners": partners})
    )
