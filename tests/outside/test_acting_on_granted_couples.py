"""The writing services an outside prescriber may call, called directly (as a page, task or
script would): they act for a couple they are granted, and are refused, with nothing written,
for a couple they are not granted, after a revocation, or once deactivated."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from intake import services as intake_services
from intake.models import ContraindicationReview, Prescription, QuestionnaireResponse
from kapcouples import policy
from kapcouples.models import Role
from outside import services as outside_services
from sessions import medicine
from sessions import services as session_services
from sessions.models import ReadinessOverride
from tests.factories import StaffFactory
from tests.intake.factories import (
    IntakeFormFactory,
    PrescriptionFactory,
    QuestionnaireResponseFactory,
    complete_answers,
)
from tests.outside.helpers import grant, outside_prescriber, session_under_way
from tests.sessions.record_helpers import vitals


@pytest.fixture
def granted(cast):
    return outside_prescriber(cast, cast.couple)


@pytest.fixture
def not_granted(cast):
    """An outside prescriber of the same clinic, granted the other couple only."""
    return outside_prescriber(cast, cast.other_couple, name="Nadia Notgranted")


def sign(partner, reviewer, *, decision="cleared", conditions=""):
    return intake_services.review_sign(
        partner=partner,
        reviewer=reviewer,
        findings={},
        systolic=120,
        diastolic=80,
        heart_rate=70,
        weight_kg=Decimal("70"),
        decision=decision,
        reason="Seen by video.",
        conditions=conditions,
    )


def prescribe(partner, prescriber):
    today = timezone.localdate(timezone=partner.couple.clinic.zone)
    return intake_services.prescription_create(
        partner=partner,
        prescriber=prescriber,
        route=Prescription.Route.SUBLINGUAL,
        single_dose_mg=Decimal("100"),
        valid_from=today,
        valid_until=today + datetime.timedelta(days=30),
    )


def override(couple, by):
    return session_services.readiness_override(
        couple=couple,
        session_number=1,
        item=ReadinessOverride.Item.PREPARATION,
        reason="Two preparation sessions held elsewhere.",
        by=by,
    )


def revoke_all(cast, user):
    for active in user.outside_grants.active():
        outside_services.outside_grant_revoke(by=cast.clinic_admin, grant=active, reason="Ended")


# --- Granted: they act ---------------------------------------------------------------------
def test_a_granted_outside_prescriber_writes_a_prescription(cast, granted):
    prescription = prescribe(cast.partner_a, granted)
    assert prescription.prescriber == granted


def test_a_granted_outside_prescriber_cancels_a_prescription(cast, granted):
    prescription = PrescriptionFactory(partner=cast.partner_a, prescriber=cast.prescriber)
    intake_services.prescription_cancel(prescription=prescription, by=granted, reason="Dose")
    prescription.refresh_from_db()
    assert prescription.status == Prescription.Status.CANCELLED


def test_a_granted_outside_prescriber_clears_a_relative_contraindication(cast, granted):
    answers = complete_answers(hypertension=True)
    IntakeFormFactory(partner=cast.partner_a, submitted=True, answers=answers)
    review = sign(cast.partner_a, granted, decision="cleared_with_conditions", conditions="BP")
    assert review.reviewer == granted and review.is_clearance


def test_a_granted_outside_prescriber_acknowledges_a_questionnaire(cast, granted):
    response = QuestionnaireResponseFactory(partner=cast.partner_a, flags=["suicide_risk"])
    intake_services.questionnaire_acknowledge(response=response, user=granted)
    response.refresh_from_db()
    assert response.acknowledged_by == granted


def test_a_granted_outside_prescriber_signs_off_a_caution_reading(cast, granted):
    reading = vitals(cast, session_under_way(cast), cast.partner_a, 145, 85)
    medicine.vitals_acknowledge(vitals=reading, reason="", by=granted)
    reading.refresh_from_db()
    assert reading.acknowledged_by == granted


def test_a_granted_outside_prescriber_overrides_readiness(cast, granted):
    assert override(cast.couple, granted).prescriber == granted


# --- Not granted, revoked, deactivated: refused, nothing written ------------------------------
def test_an_outside_prescriber_cannot_prescribe_for_a_couple_not_granted(cast, not_granted):
    with pytest.raises(policy.NotAllowed, match="rule: can_prescribe"):
        prescribe(cast.partner_a, not_granted)
    assert not Prescription.objects.exists()


def test_an_outside_prescriber_cannot_cancel_a_prescription_of_a_couple_not_granted(
    cast, not_granted
):
    prescription = PrescriptionFactory(partner=cast.partner_a, prescriber=cast.prescriber)
    with pytest.raises(policy.NotAllowed, match="rule: can_prescribe"):
        intake_services.prescription_cancel(prescription=prescription, by=not_granted, reason="x")
    prescription.refresh_from_db()
    assert prescription.status == Prescription.Status.ACTIVE


def test_an_outside_prescriber_cannot_sign_a_review_for_a_couple_not_granted(cast, not_granted):
    IntakeFormFactory(partner=cast.partner_a, submitted=True)
    with pytest.raises(policy.NotAllowed, match="rule: can_sign_review"):
        sign(cast.partner_a, not_granted)
    assert not ContraindicationReview.objects.exists()


def test_an_outside_prescriber_cannot_acknowledge_a_result_of_a_couple_not_granted(
    cast, not_granted
):
    response = QuestionnaireResponseFactory(partner=cast.partner_a, flags=["suicide_risk"])
    with pytest.raises(policy.NotAllowed, match="rule: can_review_questionnaire"):
        intake_services.questionnaire_acknowledge(response=response, user=not_granted)
    assert QuestionnaireResponse.objects.get().acknowledged_at is None


def test_an_outside_prescriber_cannot_sign_off_a_reading_of_a_couple_not_granted(cast, not_granted):
    reading = vitals(cast, session_under_way(cast), cast.partner_a, 145, 85)
    with pytest.raises(policy.NotAllowed, match="rule: can_sign_off_vitals"):
        medicine.vitals_acknowledge(vitals=reading, reason="", by=not_granted)
    reading.refresh_from_db()
    assert reading.acknowledged_at is None


def test_an_outside_prescriber_cannot_override_readiness_of_a_couple_not_granted(cast, not_granted):
    with pytest.raises(policy.NotAllowed, match="rule: can_override_readiness"):
        override(cast.couple, not_granted)
    assert not ReadinessOverride.objects.exists()


def test_a_revoked_grant_refuses_the_next_service_call_for_the_same_user_object(cast, granted):
    prescribe(cast.partner_a, granted)
    revoke_all(cast, granted)
    with pytest.raises(policy.NotAllowed, match="rule: can_prescribe"):
        prescribe(cast.partner_b, granted)
    assert Prescription.objects.count() == 1


def test_a_deactivated_outside_prescriber_is_refused_despite_the_grant(cast, granted):
    granted.membership.is_active = False
    granted.membership.save()
    granted.refresh_from_db()
    with pytest.raises(policy.NotAllowed, match="rule: can_prescribe"):
        prescribe(cast.partner_a, granted)


def test_a_grant_does_not_reach_across_clinics(cast):
    """A grant row naming another clinic's couple (never made by the services) opens nothing."""
    elsewhere = StaffFactory(clinic=cast.other_clinic, role=Role.OUTSIDE_PRESCRIBER)
    grant(cast, elsewhere, cast.couple)
    assert not policy.is_granted_outside_prescriber(elsewhere, cast.couple)
    with pytest.raises(policy.NotAllowed):
        prescribe(cast.partner_a, elsewhere)


# --- Everything else of the chart stays closed, even for a granted couple --------------------
CLOSED_PREDICATES = [
    "can_view_clinical",
    "can_view_couple_statuses",
    "can_view_couple_shared",
    "can_record_session",
    "can_edit_plan",
    "can_approve_plan",
    "can_book",
    "can_acknowledge_alert",
    "can_write_integration_note",
    "can_start_conversation",
    "can_invite_partners",
    "can_break_glass",
    "can_complete_appointment",
    "can_grant_outside_access",
]
CLOSED_CLINIC_PREDICATES = [
    "can_view_outbox",
    "can_view_stock",
    "can_handle_stock",
    "can_manage_clinic",
    "can_read_audit_log",
    "is_staff_of_clinic",
]


@pytest.mark.parametrize("name", CLOSED_PREDICATES)
def test_a_grant_opens_nothing_else_of_the_couple(cast, granted, name):
    assert not getattr(policy, name)(granted, cast.couple)


@pytest.mark.parametrize("name", CLOSED_CLINIC_PREDICATES)
def test_a_grant_opens_nothing_of_the_clinic(cast, granted, name):
    assert not getattr(policy, name)(granted, cast.clinic.pk)


def test_a_grant_does_not_let_them_fill_in_or_edit_a_partners_details(cast, granted):
    assert policy.can_read_screening(granted, cast.partner_a)
    assert not policy.can_fill_intake(granted, cast.partner_a)
    assert not policy.can_edit_partner_contact(granted, cast.partner_a)
    assert not policy.can_answer_questionnaire(granted, cast.partner_a)


def test_a_session_recording_service_refuses_a_granted_outside_prescriber(cast, granted):
    session = session_under_way(cast)
    with pytest.raises(policy.NotAllowed, match="rule: can_record_session"):
        vitals(cast, session, cast.partner_a, by=granted)


def test_outside_prescribers_prove_a_second_factor(granted):
    assert policy.needs_second_factor(granted)
