"""The caseload reads slimmer screening rows than the couple page: only the latest review,
the intake forms' medical answers, and C-SSRS screeners from today's window on. For any
session from today on, what it works out must be what the full rows say."""

import datetime

import pytest
from django.utils import timezone

from intake import services
from intake.models import ContraindicationReview, QuestionnaireResponse, ScreeningSettings
from intake.readiness import ScreeningFacts
from tests.intake.factories import (
    QuestionnaireResponseFactory,
    ReviewFactory,
    complete_answers,
    make_screened,
)
from tests.sessions.factories import local
from workspace.batch_readiness import _PageScreening

HIGH = {"code": QuestionnaireResponse.Code.CSSRS, "total": 5, "band": "high"}


def _both(cast):
    partners = [cast.partner_a, cast.partner_b]
    return _PageScreening(partners), ScreeningFacts(partners)


def _first_day_of_todays_window(cast) -> datetime.date:
    today = timezone.localdate(timezone=cast.clinic.zone)
    return today - datetime.timedelta(
        days=ScreeningSettings.for_clinic(cast.clinic.pk).cssrs_valid_days
    )


@pytest.mark.parametrize("days_ahead", [0, 1, 29])
def test_a_high_screener_on_the_first_day_of_todays_window_is_read(cast, days_ahead):
    for partner in (cast.partner_a, cast.partner_b):
        make_screened(partner, prescriber=cast.prescriber)
    first_day = _first_day_of_todays_window(cast)
    QuestionnaireResponseFactory(
        partner=cast.partner_a, **HIGH, completed_at=local(cast, first_day, 0, 1)
    )
    QuestionnaireResponseFactory(
        partner=cast.partner_b,
        **HIGH,
        completed_at=local(cast, first_day, 0) - datetime.timedelta(minutes=1),
    )
    slim, full = _both(cast)
    on = timezone.localdate(timezone=cast.clinic.zone) + datetime.timedelta(days=days_ahead)
    for partner in (cast.partner_a, cast.partner_b):
        assert slim.status(partner, on=on) == full.status(partner, on=on)
    today = on - datetime.timedelta(days=days_ahead)
    assert "needs a clinician's review" in slim.status(cast.partner_a, on=today).cssrs_blocker
    assert [s.band for s in slim.cssrs_in(cast.partner_b, (first_day, today))] == ["none"]


def test_an_absolute_item_in_the_amendment_is_seen_from_the_medical_answers_alone(cast):
    make_screened(cast.partner_a, prescriber=cast.prescriber)
    services.intake_amend(partner=cast.partner_a, by=cast.partner_a.user)
    medical = complete_answers(psychosis_or_mania=True)["medical"]
    services.intake_save_step(
        partner=cast.partner_a, by=cast.partner_a.user, step="medical", answers=medical
    )
    slim, full = _both(cast)
    today = timezone.localdate(timezone=cast.clinic.zone)
    assert slim.status(cast.partner_a, on=today).draft_absolute
    assert slim.status(cast.partner_a, on=today) == full.status(cast.partner_a, on=today)
    assert slim.status(cast.partner_b, on=today) == full.status(cast.partner_b, on=today)


def test_only_the_latest_review_is_read_and_a_same_second_refusal_is_the_latest(cast):
    make_screened(cast.partner_a, prescriber=cast.prescriber)
    clearance = cast.partner_a.reviews.get()
    ReviewFactory(
        partner=cast.partner_a,
        intake=clearance.intake,
        decision=ContraindicationReview.Decision.NOT_CLEARED,
        reason="Blood pressure uncontrolled.",
        reviewer=clearance.reviewer,
        signed_at=clearance.signed_at,
        expires_on=clearance.expires_on,
    )
    slim, full = _both(cast)
    today = timezone.localdate(timezone=cast.clinic.zone)
    assert slim.latest_review(cast.partner_a).decision == "not_cleared"
    assert not slim.status(cast.partner_a, on=today).review_cleared
    assert slim.status(cast.partner_a, on=today) == full.status(cast.partner_a, on=today)
