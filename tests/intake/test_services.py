"""Screening services: the rules they enforce and the messages they give."""

from decimal import Decimal

import pytest

from intake import services
from intake.forms import INTAKE_STEPS
from intake.models import ConsentText, IntakeForm
from kapcouples.services import DomainError
from tests.intake.factories import IntakeFormFactory

STEPS = list(INTAKE_STEPS)


def test_submitting_without_a_draft_says_what_to_do(cast):
    with pytest.raises(DomainError, match="no draft to submit"):
        services.intake_submit(partner=cast.partner_a, by=cast.partner_a.user, required_steps=STEPS)


def test_a_second_amendment_cannot_start_while_one_is_open(cast):
    IntakeFormFactory(partner=cast.partner_a, submitted=True)
    services.intake_amend(partner=cast.partner_a, by=cast.partner_a.user)
    with pytest.raises(DomainError, match="already have an amendment"):
        services.intake_amend(partner=cast.partner_a, by=cast.partner_a.user)
    assert IntakeForm.objects.filter(partner=cast.partner_a).count() == 2


def test_amending_copies_the_answers_into_the_next_version(cast):
    submitted = IntakeFormFactory(partner=cast.partner_a, submitted=True)
    draft = services.intake_amend(partner=cast.partner_a, by=cast.partner_a.user)
    assert (draft.version, draft.answers) == (2, submitted.answers)


def test_a_partner_with_a_password_is_not_invited_again(cast):
    with pytest.raises(DomainError, match="already set a password"):
        services.invitation_send(partner=cast.partner_a, sent_by=cast.front_desk)


def test_a_review_needs_a_submitted_intake(cast):
    with pytest.raises(DomainError, match="not submitted an intake"):
        services.review_sign(
            partner=cast.partner_a,
            reviewer=cast.prescriber,
            findings={},
            systolic=120,
            diastolic=80,
            heart_rate=70,
            weight_kg=Decimal("70"),
            decision="cleared",
            reason="Fine.",
        )


def test_answers_that_cannot_be_scored_are_refused_with_the_reason(cast):
    with pytest.raises(DomainError, match="item 2: must be a whole number from 0 to 3"):
        services.questionnaire_submit(
            partner=cast.partner_a, user=cast.partner_a.user, code="GAD-7", answers=[0, 7] + [0] * 5
        )


def test_each_published_consent_text_is_the_next_version(cast):
    for title in ("First", "Second"):
        services.consent_text_publish(
            clinic=cast.clinic, user=cast.clinic_admin, title=title, body="Text"
        )
    versions = ConsentText.objects.filter(clinic=cast.clinic).values_list("version", "title")
    assert sorted(versions) == [(1, "First"), (2, "Second")]


def test_a_break_glass_reason_must_say_something(cast):
    with pytest.raises(DomainError, match="at least 15 characters"):
        services.break_glass_grant(
            user=cast.clinician_outside,
            couple=cast.couple,
            reason="  urgent  ",
            path="/",
            ip_address=None,
        )
