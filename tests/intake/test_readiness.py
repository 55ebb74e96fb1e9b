"""The intake half of the readiness gate: what `screening_status` says about a partner."""

import datetime
from decimal import Decimal

import time_machine
from django.utils import timezone

from intake.models import ContraindicationReview, Prescription
from intake.readiness import active_prescription, screening_status
from tests.intake.factories import (
    ConsentTextFactory,
    IntakeFormFactory,
    PrescriptionFactory,
    QuestionnaireResponseFactory,
    ReviewFactory,
    make_screened,
)

TODAY = datetime.date(2026, 11, 22)


def test_a_partner_made_screened_is_ready_in_every_respect(cast):
    rx = make_screened(cast.partner_a, prescriber=cast.prescriber)
    status = screening_status(cast.partner_a, on=timezone.localdate(), route="sublingual")
    assert status.intake_submitted and status.review_cleared and status.consent_current
    assert status.prescription == rx
    assert status.cssrs_band == "none"
    assert status.review_conditions == ""


def test_a_partner_with_nothing_done_is_ready_in_no_respect(cast):
    status = screening_status(cast.partner_a, on=timezone.localdate())
    assert not status.intake_submitted
    assert not status.review_cleared
    assert not status.consent_current
    assert status.prescription is None
    assert status.cssrs_band is None
    assert not status.cssrs_acknowledged


def test_make_screened_holds_for_a_session_far_ahead(cast):
    later = timezone.localdate() + datetime.timedelta(days=60)
    make_screened(cast.partner_a, prescriber=cast.prescriber, on=later, route="intranasal")
    status = screening_status(cast.partner_a, on=later, route="intranasal")
    assert status.review_cleared and status.prescription and status.cssrs_band == "none"


@time_machine.travel(datetime.datetime(2026, 11, 22, 15, tzinfo=datetime.UTC), tick=False)
def test_a_review_stops_clearing_after_its_expiry_day(cast):
    ReviewFactory(partner=cast.partner_a, expires_on=TODAY + datetime.timedelta(days=10))
    assert screening_status(cast.partner_a, on=TODAY + datetime.timedelta(days=10)).review_cleared
    later = TODAY + datetime.timedelta(days=11)
    assert not screening_status(cast.partner_a, on=later).review_cleared


def test_a_not_cleared_review_after_a_clearing_one_wins(cast):
    first = ReviewFactory(partner=cast.partner_a)
    ReviewFactory(
        partner=cast.partner_a,
        intake=first.intake,
        decision=ContraindicationReview.Decision.NOT_CLEARED,
        signed_at=first.signed_at + datetime.timedelta(minutes=5),
    )
    assert not screening_status(cast.partner_a, on=timezone.localdate()).review_cleared


def test_conditions_are_reported_with_a_conditional_clearance(cast):
    ReviewFactory(
        partner=cast.partner_a,
        decision=ContraindicationReview.Decision.CLEARED_WITH_CONDITIONS,
        conditions="Blood pressure under 140/90 before dosing.",
    )
    status = screening_status(cast.partner_a, on=timezone.localdate())
    assert status.review_cleared
    assert status.review_conditions == "Blood pressure under 140/90 before dosing."


def test_a_review_of_a_superseded_intake_does_not_clear(cast):
    review = ReviewFactory(partner=cast.partner_a)
    review.intake.status = "superseded"
    review.intake.save()
    IntakeFormFactory(partner=cast.partner_a, version=2, submitted=True)
    assert not screening_status(cast.partner_a, on=timezone.localdate()).review_cleared


def test_a_new_consent_version_makes_the_old_signature_not_current(cast):
    make_screened(cast.partner_a, prescriber=cast.prescriber)
    ConsentTextFactory(clinic=cast.clinic)
    assert not screening_status(cast.partner_a, on=timezone.localdate()).consent_current


@time_machine.travel(datetime.datetime(2026, 11, 22, 15, tzinfo=datetime.UTC), tick=False)
def test_a_cssrs_counts_for_30_days_and_not_on_the_31st(cast):
    QuestionnaireResponseFactory(partner=cast.partner_a, band="moderate")
    assert screening_status(cast.partner_a, on=TODAY + datetime.timedelta(days=30)).cssrs_band
    assert (
        screening_status(cast.partner_a, on=TODAY + datetime.timedelta(days=31)).cssrs_band is None
    )


def test_an_acknowledged_moderate_cssrs_is_reported_as_acknowledged(cast):
    QuestionnaireResponseFactory(
        partner=cast.partner_a,
        band="moderate",
        acknowledged_by=cast.clinician,
        acknowledged_at=timezone.now(),
    )
    status = screening_status(cast.partner_a, on=timezone.localdate())
    assert status.cssrs_band == "moderate" and status.cssrs_acknowledged


def test_only_an_active_prescription_for_the_route_and_date_counts(cast):
    today = timezone.localdate()
    rx = PrescriptionFactory(partner=cast.partner_a, route=Prescription.Route.INTRANASAL)
    PrescriptionFactory(partner=cast.partner_a, status=Prescription.Status.CANCELLED)
    assert active_prescription(cast.partner_a, on=today, route="intranasal") == rx
    assert active_prescription(cast.partner_a, on=today, route="sublingual") is None
    assert active_prescription(cast.partner_a, on=rx.valid_until, route="intranasal") == rx
    after = rx.valid_until + datetime.timedelta(days=1)
    assert active_prescription(cast.partner_a, on=after, route="intranasal") is None


def test_the_dose_is_kept_to_the_hundredth_of_a_milligram(cast):
    rx = make_screened(cast.partner_a, prescriber=cast.prescriber, dose_mg=Decimal("62.25"))
    rx.refresh_from_db()
    assert rx.single_dose_mg == Decimal("62.25")
