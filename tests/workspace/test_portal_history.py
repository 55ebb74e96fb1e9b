"""A partner's portal tells them their own scores over time in plain words, when their
clinic says so, and never anything of the other partner's."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from intake.models import ScreeningSettings
from tests.workspace.helpers import score

D = datetime.date


@pytest.fixture
def scored(cast):
    score(cast, cast.partner_a, "PHQ-9", D(2026, 3, 10), 14)
    score(cast, cast.partner_a, "PHQ-9", D(2026, 6, 2), 11)
    score(cast, cast.partner_a, "PHQ-9", D(2026, 10, 20), 6)
    score(cast, cast.partner_a, "CSI-4", D(2026, 4, 1), 12)
    score(cast, cast.partner_a, "C-SSRS", D(2026, 4, 1), 0)
    # Partner B's scores, with totals partner A's do not share.
    score(cast, cast.partner_b, "PHQ-9", D(2026, 3, 11), 23)
    score(cast, cast.partner_b, "PHQ-9", D(2026, 10, 21), 19)
    score(cast, cast.partner_b, "PCL-5", D(2026, 5, 5), 47)
    return cast


def history(client) -> str:
    html = client.get(reverse("portal:history")).content.decode()
    found = re.search(r"Your questionnaire scores over time.*?</ul>", html, re.DOTALL)
    return re.sub(r"\s+", " ", found.group(0)) if found else ""


def test_the_partner_reads_their_own_scores_in_plain_words(scored, client_for):
    text = history(client_for(scored.partner_a.user))
    assert "Your PHQ-9 (mood) score went from 14 in March to 6 in October." in text
    assert "Your CSI-4 (relationship satisfaction) score was 12 in April." in text
    assert "A lower score usually means your mood is lifting." in text
    assert "C-SSRS" not in text and "GAD-7" not in text  # not plotted / not answered


def test_the_other_partners_scores_never_appear(scored, client_for):
    text = history(client_for(scored.partner_a.user))
    for total in ("23", "19", "47"):
        assert total not in text
    assert "PCL-5" not in text  # only partner B answered it
    other = history(client_for(scored.partner_b.user))
    assert "from 23 in March to 19 in October" in other
    assert "14" not in other and "CSI-4" not in other


def test_no_clinical_band_or_flag_is_named(scored, client_for):
    text = history(client_for(scored.partner_a.user)).lower()
    for word in ("moderate", "severe", "mild", "distress", "cut-off", "flag"):
        assert word not in text


def test_readings_in_one_month_name_their_days(cast, client_for):
    score(cast, cast.partner_a, "GAD-7", D(2026, 5, 3), 9)
    score(cast, cast.partner_a, "GAD-7", D(2026, 5, 24), 4)
    text = history(client_for(cast.partner_a.user))
    assert "Your GAD-7 (anxiety) score went from 9 on 3 May to 4 on 24 May." in text


def test_readings_across_years_name_the_years(cast, client_for):
    score(cast, cast.partner_a, "PCL-5", D(2025, 11, 3), 40)
    score(cast, cast.partner_a, "PCL-5", D(2026, 2, 4), 30)
    text = history(client_for(cast.partner_a.user))
    assert "went from 40 in November 2025 to 30 in February 2026." in text


def test_a_clinic_can_keep_scores_off_the_portal(scored, client_for):
    ScreeningSettings.objects.filter(clinic=scored.clinic).update(partners_see_their_scores=False)
    assert history(client_for(scored.partner_a.user)) == ""


def test_clinics_show_partners_their_scores_unless_they_choose_not_to(cast):
    assert ScreeningSettings.for_clinic(cast.clinic.pk).partners_see_their_scores is True


def test_a_partner_who_has_answered_nothing_sees_no_history(cast, client_for):
    response = client_for(cast.partner_a.user).get(reverse("portal:history"))
    assert response.status_code == 200
    assert "Your questionnaire scores over time" not in response.content.decode()


def render_history_tag(user, partner) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load workspace_plots %}{% own_score_history partner %}")
    return template.render(Context({"request": request, "partner": partner}))


def test_the_history_tag_shows_a_partner_only_their_own(scored):
    assert "from 14 in March to 6 in October" in render_history_tag(
        scored.partner_a.user, scored.partner_a
    )
    for viewer in (scored.partner_b.user, scored.clinician):
        assert render_history_tag(viewer, scored.partner_a).strip() == ""


def test_the_portal_home_leads_to_the_history_without_reading_it(scored, client_for):
    home = client_for(scored.partner_a.user).get(reverse("portal")).content.decode()
    assert reverse("portal:history") in home
    assert "Your questionnaire scores over time" not in home
