"""Services ask the policy who is acting: a wrong actor gets the DomainError and nothing is
written, whatever page (or script) called the service."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from intake import services
from intake.models import ContraindicationReview, Prescription, QuestionnaireResponse
from kapcouples import policy
from kapcouples.models import Role
from kapcouples.services import DomainError
from tests.factories import StaffFactory
from tests.intake.factories import (
    IntakeFormFactory,
    PrescriptionFactory,
    QuestionnaireResponseFactory,
    complete_answers,
)

NOT_ON_THE_CARE_TEAM = ["front_desk", "clinic_admin", "clinician_outside", "other_clinic_clinician"]


def sign(partner, reviewer, *, decision="cleared", conditions=""):
    return services.review_sign(
        partner=partner,
        reviewer=reviewer,
        findings={},
        systolic=120,
        diastolic=80,
        heart_rate=70,
        weight_kg=Decimal("70"),
        decision=decision,
        reason="Seen in clinic.",
        conditions=conditions,
    )


def prescribe(partner, prescriber, **changes):
    today = timezone.localdate(timezone=partner.couple.clinic.zone)
    values = {
        "route": Prescription.Route.SUBLINGUAL,
        "single_dose_mg": Decimal("100"),
        "valid_from": today,
        "valid_until": today + datetime.timedelta(days=30),
        **changes,
    }
    return services.prescription_create(partner=partner, prescriber=prescriber, **values)


@pytest.mark.parametrize("actor", [*NOT_ON_THE_CARE_TEAM, "partner_a", "partner_b"])
def test_only_the_care_team_signs_a_review_and_a_refusal_writes_nothing(actor, cast):
    IntakeFormFactory(partner=cast.partner_a, submitted=True)
    with pytest.raises(policy.NotAllowed, match="rule: can_sign_review"):
        sign(cast.partner_a, cast.user(actor), decision="not_cleared")
    assert not ContraindicationReview.objects.exists()


def test_the_care_team_clinician_signs_a_review_without_a_role_string(cast):
    IntakeFormFactory(partner=cast.partner_a, submitted=True)
    review = sign(cast.partner_a, cast.clinician)
    assert review.reviewer == cast.clinician and review.decision == "cleared"


def test_a_clinician_cannot_clear_a_relative_contraindication_and_nothing_is_written(cast):
    answers = complete_answers(hypertension=True)
    IntakeFormFactory(partner=cast.partner_a, submitted=True, answers=answers)
    with pytest.raises(DomainError, match="rule: can_clear_relative_contraindication") as refusal:
        sign(cast.partner_a, cast.clinician)
    assert "High blood pressure" in str(refusal.value) and "Not cleared" in str(refusal.value)
    assert not ContraindicationReview.objects.exists()
    conditional = sign(
        cast.partner_a, cast.prescriber, decision="cleared_with_conditions", conditions="BP"
    )
    assert conditional.is_clearance


def test_a_prescriber_off_the_care_team_cannot_clear_a_relative_contraindication(cast):
    answers = complete_answers(seizures=True)
    IntakeFormFactory(partner=cast.partner_a, submitted=True, answers=answers)
    outsider = StaffFactory(clinic=cast.clinic, role=Role.PRESCRIBER)
    with pytest.raises(policy.NotAllowed):
        sign(cast.partner_a, outsider)
    assert not ContraindicationReview.objects.exists()


@pytest.mark.parametrize("actor", ["clinician", *NOT_ON_THE_CARE_TEAM, "partner_a"])
def test_only_a_care_team_prescriber_writes_a_prescription(actor, cast):
    with pytest.raises(policy.NotAllowed, match="rule: can_prescribe"):
        prescribe(cast.partner_a, cast.user(actor))
    assert not Prescription.objects.exists()


def test_a_prescriber_of_the_clinic_off_the_care_team_cannot_prescribe(cast):
    outsider = StaffFactory(clinic=cast.clinic, role=Role.PRESCRIBER)
    with pytest.raises(policy.NotAllowed):
        prescribe(cast.partner_a, outsider)
    assert not Prescription.objects.exists()


@pytest.mark.parametrize("actor", ["clinician", "front_desk", "clinician_outside", "partner_a"])
def test_only_a_care_team_prescriber_cancels_and_a_refusal_leaves_it_active(actor, cast):
    rx = PrescriptionFactory(partner=cast.partner_a, prescriber=cast.prescriber)
    with pytest.raises(policy.NotAllowed, match="rule: can_prescribe"):
        services.prescription_cancel(prescription=rx, by=cast.user(actor), reason="Changed")
    rx.refresh_from_db()
    assert (rx.status, rx.cancelled_reason) == ("active", "")
    services.prescription_cancel(prescription=rx, by=cast.prescriber, reason="Changed")
    rx.refresh_from_db()
    assert rx.status == "cancelled"


@pytest.mark.parametrize("actor", [*NOT_ON_THE_CARE_TEAM, "partner_a"])
def test_only_the_care_team_reviews_a_questionnaire_and_a_refusal_records_nothing(actor, cast):
    screener = QuestionnaireResponseFactory(partner=cast.partner_a, band="moderate")
    with pytest.raises(policy.NotAllowed, match="rule: can_review_questionnaire"):
        services.questionnaire_acknowledge(response=screener, user=cast.user(actor))
    screener.refresh_from_db()
    assert screener.acknowledged_by is None and screener.acknowledged_at is None


def test_a_clinician_may_review_any_cssrs_even_one_with_no_risk(cast):
    screener = QuestionnaireResponseFactory(partner=cast.partner_a, band="none")
    services.questionnaire_acknowledge(response=screener, user=cast.clinician)
    screener.refresh_from_db()
    assert screener.acknowledged_by == cast.clinician and screener.acknowledged_at


def test_an_unflagged_questionnaire_other_than_the_cssrs_needs_no_review(cast):
    gad = QuestionnaireResponseFactory(
        partner=cast.partner_a, code=QuestionnaireResponse.Code.GAD7, band="mild", total=6
    )
    with pytest.raises(DomainError, match="need a clinician's review"):
        services.questionnaire_acknowledge(response=gad, user=cast.clinician)
    gad.refresh_from_db()
    assert gad.acknowledged_at is None


@pytest.mark.parametrize(
    "user_name", ["partner_b", "front_desk", "clinician_outside", "other_partner"]
)
def test_only_the_partner_or_the_care_team_answers_a_partners_questionnaire(cast, user_name):
    from intake.models import QuestionnaireResponse

    with pytest.raises(DomainError, match="rule: can_answer_questionnaire"):
        services.questionnaire_submit(
            partner=cast.partner_a,
            user=cast.user(user_name),
            code="C-SSRS",
            answers=[0, 0, None, None, None, 0],
        )
    assert not QuestionnaireResponse.objects.exists()


def test_a_care_team_clinician_may_give_a_partner_the_screener(cast):
    response = services.questionnaire_submit(
        partner=cast.partner_a,
        user=cast.clinician,
        code="C-SSRS",
        answers=[0, 0, None, None, None, 0],
    )
    assert response.completed_by == cast.clinician


@pytest.mark.parametrize(
    "user_name", ["partner_b", "front_desk", "clinic_admin", "clinician_outside", "other_partner"]
)
def test_only_the_partner_or_the_care_team_fills_in_the_intake_form(cast, user_name):
    from intake.models import IntakeForm

    with pytest.raises(DomainError, match="rule: can_fill_intake"):
        services.intake_save_step(
            partner=cast.partner_a, by=cast.user(user_name), step="about", answers={}
        )
    assert not IntakeForm.objects.filter(partner=cast.partner_a).exists()


@pytest.mark.parametrize(
    "user_name", ["partner_b", "front_desk", "clinic_admin", "clinician_outside", "other_partner"]
)
def test_only_the_partner_or_the_care_team_changes_their_contact_details(cast, user_name):
    with pytest.raises(DomainError, match="rule: can_edit_partner_contact"):
        services.partner_update_contact(
            partner=cast.partner_a, by=cast.user(user_name), changes={"phone": "+1 555 0100"}
        )
    cast.partner_a.refresh_from_db()
    assert cast.partner_a.phone != "+1 555 0100"


@pytest.mark.parametrize("user_name", ["partner_a", "clinician"])
def test_the_partner_or_their_clinician_changes_the_contact_details(cast, user_name):
    services.partner_update_contact(
        partner=cast.partner_a, by=cast.user(user_name), changes={"phone": "+1 555 0100"}
    )
    cast.partner_a.refresh_from_db()
    assert cast.partner_a.phone == "+1 555 0100"


@pytest.mark.parametrize("user_name", ["partner_a", "clinician_outside", "other_clinic_clinician"])
def test_only_front_desk_or_the_care_team_sends_an_invitation(cast, user_name):
    from intake.models import Invitation

    with pytest.raises(DomainError, match="rule: can_invite_partners"):
        services.invitation_send(partner=cast.partner_a, sent_by=cast.user(user_name))
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("user_name", ["clinician", "front_desk", "other_partner"])
def test_only_the_two_partners_edit_their_shared_intentions(cast, user_name):
    from intake.models import CoupleIntentions

    with pytest.raises(DomainError, match="rule: can_edit_couple_intentions"):
        services.intentions_update(
            couple=cast.couple,
            user=cast.user(user_name),
            intentions="Ours",
            themes="",
            base_revision=0,
        )
    assert not CoupleIntentions.objects.filter(intentions="Ours").exists()


@pytest.mark.parametrize("user_name", ["clinician", "front_desk", "partner_a"])
def test_only_the_clinic_admin_publishes_the_consent_text(cast, user_name):
    from intake.models import ConsentText

    with pytest.raises(DomainError, match="rule: can_manage_clinic"):
        services.consent_text_publish(
            clinic=cast.clinic, user=cast.user(user_name), title="Consent", body="Text"
        )
    assert not ConsentText.objects.exists()


@pytest.mark.parametrize("user_name", ["clinician", "front_desk", "other_clinic_clinician"])
def test_breaking_the_glass_is_only_for_a_same_clinic_clinician_off_the_care_team(cast, user_name):
    from intake.models import BreakGlassGrant

    with pytest.raises(DomainError, match="rule: can_break_glass"):
        services.break_glass_grant(
            user=cast.user(user_name),
            couple=cast.couple,
            reason="Covering an urgent call tonight.",
            path="/",
            ip_address=None,
        )
    assert not BreakGlassGrant.objects.exists()
