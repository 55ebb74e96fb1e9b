"""The C-SSRS gate: the riskiest screener no clinician has reviewed decides, and a high
result holds until a newer screener, reviewed by a clinician, shows lower risk."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from intake import services
from intake.models import ScreeningSettings
from intake.readiness import screening_status
from tests.intake.factories import QuestionnaireResponseFactory

NOW = datetime.datetime(2026, 11, 30, 15, tzinfo=datetime.UTC)  # 10:00 in New York
SESSION_DAY = datetime.date(2026, 11, 30)
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def screener(cast, band: str, day: int, *, reviewed: bool = False, hour: int = 10):
    """A C-SSRS of partner A completed on `day` Nov 2026 at `hour` New York time."""
    response = QuestionnaireResponseFactory(
        partner=cast.partner_a,
        band=band,
        completed_at=datetime.datetime(2026, 11, day, hour, tzinfo=cast.clinic.zone),
    )
    if reviewed:
        services.questionnaire_acknowledge(response=response, user=cast.clinician)
    return response


def blocker(cast, on: datetime.date = SESSION_DAY) -> str:
    return screening_status(cast.partner_a, on=on).cssrs_blocker


def test_the_window_is_the_validity_days_before_the_session_and_the_day_itself(cast):
    status = screening_status(cast.partner_a, on=SESSION_DAY)
    assert status.cssrs_window == (datetime.date(2026, 10, 31), SESSION_DAY)
    assert status.cssrs_blocker == (
        "Alexa needs a C-SSRS screener completed between 31 Oct and 30 Nov 2026."
    )


def test_a_window_across_the_new_year_names_both_years(cast):
    on = datetime.date(2027, 1, 10)
    assert blocker(cast, on) == (
        "Alexa needs a C-SSRS screener completed between 11 Dec 2026 and 10 Jan 2027."
    )


def test_a_screener_counts_from_the_first_minute_of_the_window_in_the_clinics_zone(cast):
    # 23:30 on 30 Oct in New York is already 31 Oct in UTC, and still outside the window.
    QuestionnaireResponseFactory(
        partner=cast.partner_a,
        completed_at=datetime.datetime(2026, 10, 30, 23, 30, tzinfo=cast.clinic.zone),
    )
    assert blocker(cast).startswith("Alexa needs a C-SSRS screener completed between")
    QuestionnaireResponseFactory(
        partner=cast.partner_a,
        completed_at=datetime.datetime(2026, 10, 31, 0, 30, tzinfo=cast.clinic.zone),
    )
    assert blocker(cast) == ""


def test_the_window_follows_the_clinics_validity_setting(cast):
    settings = ScreeningSettings.for_clinic(cast.clinic.pk)
    settings.cssrs_valid_days = 7
    settings.save()
    screener(cast, "none", 22)
    status = screening_status(cast.partner_a, on=SESSION_DAY)
    assert status.cssrs_window == (datetime.date(2026, 11, 23), SESSION_DAY)
    assert "between 23 Nov and 30 Nov 2026" in status.cssrs_blocker


@pytest.mark.parametrize("band", ["none", "low"])
def test_a_none_or_low_screener_passes_without_a_review(band, cast):
    screener(cast, band, 20)
    assert blocker(cast) == ""


def test_a_moderate_screener_needs_a_clinicians_review(cast):
    moderate = screener(cast, "moderate", 12)
    assert blocker(cast) == (
        "Alexa's C-SSRS screener of 12 Nov shows moderate risk: a clinician needs to review "
        "it before a medicine session."
    )
    services.questionnaire_acknowledge(response=moderate, user=cast.prescriber)
    assert blocker(cast) == ""


def test_a_partners_retake_does_not_clear_an_unreviewed_moderate(cast):
    screener(cast, "moderate", 12)
    screener(cast, "none", 14)
    assert "screener of 12 Nov shows moderate risk" in blocker(cast)


def test_a_high_screener_blocks(cast):
    screener(cast, "high", 12)
    assert blocker(cast) == (
        "Alexa's C-SSRS screener of 12 Nov shows high risk: no medicine session until a "
        "newer screener, reviewed by a clinician, shows lower risk."
    )


def test_a_high_screener_still_blocks_once_a_clinician_has_reviewed_it(cast):
    screener(cast, "high", 12, reviewed=True)
    assert "screener of 12 Nov shows high risk: no medicine session" in blocker(cast)


def test_a_partners_retake_after_a_high_clears_nothing_until_a_clinician_reviews_it(cast):
    screener(cast, "high", 12, reviewed=True)
    retake = screener(cast, "none", 14)
    assert blocker(cast) == (
        "Alexa's newer C-SSRS screener of 14 Nov needs a clinician's review before it counts."
    )
    services.questionnaire_acknowledge(response=retake, user=cast.clinician)
    assert blocker(cast) == ""


def test_a_newer_reviewed_screener_that_is_also_high_keeps_the_hold(cast):
    screener(cast, "high", 12, reviewed=True)
    screener(cast, "high", 14, reviewed=True)
    assert "screener of 14 Nov shows high risk: no medicine session" in blocker(cast)


def test_a_reviewed_moderate_after_a_high_lifts_the_hold(cast):
    screener(cast, "high", 12, reviewed=True)
    screener(cast, "moderate", 14, reviewed=True)
    assert blocker(cast) == ""


def test_a_high_nobody_reviewed_still_needs_review_after_a_reviewed_lower_retake(cast):
    high = screener(cast, "high", 12)
    screener(cast, "none", 14, reviewed=True)
    assert blocker(cast) == (
        "Alexa's C-SSRS screener of 12 Nov shows high risk: a clinician needs to review it "
        "before a medicine session."
    )
    services.questionnaire_acknowledge(response=high, user=cast.clinician)
    assert blocker(cast) == ""


def test_a_high_screener_stops_counting_once_it_leaves_the_window(cast):
    screener(cast, "high", 2, reviewed=True)
    screener(cast, "none", 20)
    assert "newer C-SSRS screener of 20 Nov needs a clinician's review" in blocker(cast)
    assert blocker(cast, datetime.date(2026, 12, 3)) == ""  # window from 3 Nov


def detail_url(response) -> str:
    return reverse("intake:questionnaire_detail", kwargs={"response_id": response.pk})


def test_a_care_team_clinician_reviews_any_cssrs_from_the_questionnaire_page(cast, client_for):
    none = screener(cast, "none", 20)
    client = client_for(cast.clinician)
    assert "Mark as reviewed" in client.get(detail_url(none)).content.decode()
    url = reverse("intake:questionnaire_acknowledge", kwargs={"response_id": none.pk})
    page = client.post(url, follow=True).content.decode()
    none.refresh_from_db()
    assert none.acknowledged_by == cast.clinician
    assert "Mark as reviewed" not in page and "Reviewed by" in page


def test_the_partner_sees_no_review_button_on_their_own_screener(cast, client_for):
    none = screener(cast, "none", 20)
    page = client_for(cast.user("partner_a")).get(detail_url(none)).content.decode()
    assert "Mark as reviewed" not in page


@pytest.mark.parametrize("viewer", ["partner_a", "front_desk", "clinician_outside"])
def test_nobody_outside_the_care_team_reviews_a_screener_through_the_page(viewer, cast, client_for):
    moderate = screener(cast, "moderate", 20)
    url = reverse("intake:questionnaire_acknowledge", kwargs={"response_id": moderate.pk})
    client_for(cast.user(viewer)).post(url)
    moderate.refresh_from_db()
    assert moderate.acknowledged_at is None
