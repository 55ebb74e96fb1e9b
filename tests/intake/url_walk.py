"""Objects for this app's URL parameters in the URL walk (tests/kapcouples/test_url_access.py)."""


def url_kwargs(cast) -> dict:
    """Called once per URL: made the first time, reused after."""
    from tests.intake.factories import (
        InvitationFactory,
        PrescriptionFactory,
        QuestionnaireResponseFactory,
        ReviewFactory,
    )

    partner = cast.partner_a
    review = partner.reviews.first() or ReviewFactory(partner=partner, reviewer=cast.prescriber)
    response = partner.questionnaire_responses.first() or QuestionnaireResponseFactory(
        partner=partner, band="moderate", flags=["suicide_risk"]
    )
    prescription = partner.prescriptions.first() or PrescriptionFactory(
        partner=partner, prescriber=cast.prescriber
    )
    invitation = partner.invitations.first() or InvitationFactory(
        partner=partner, created_by=cast.front_desk
    )
    return {
        "couple_id": cast.couple.pk,
        "partner_id": partner.pk,
        "step": "about",
        "code": "phq-9",
        "intake_id": review.intake_id,
        "review_id": review.pk,
        "response_id": response.pk,
        "prescription_id": prescription.pk,
        "invitation_id": invitation.pk,
    }
