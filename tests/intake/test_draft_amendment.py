"""An unsubmitted amendment that reports an absolute contraindication is seen by the gate;
the partner may withdraw an amendment, which stays on record."""

import pytest
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.contraindications import ITEMS_BY_KEY
from intake.models import IntakeForm
from intake.readiness import screening_status
from kapcouples.services import DomainError
from tests.intake.factories import IntakeFormFactory, ReviewFactory, complete_answers

PSYCHOSIS = ITEMS_BY_KEY["psychosis_or_mania"].label


def amend_with(partner, **medical) -> IntakeForm:
    services.intake_amend(partner=partner, by=partner.user)
    answers = complete_answers(**medical)["medical"]
    return services.intake_save_step(
        partner=partner, by=partner.user, step="medical", answers=answers
    )


def status_of(partner):
    return screening_status(partner, on=timezone.localdate(timezone=partner.couple.clinic.zone))


def test_an_absolute_item_in_the_draft_amendment_is_reported_before_it_is_submitted(cast):
    ReviewFactory(partner=cast.partner_a)
    amend_with(cast.partner_a, psychosis_or_mania=True, hypertension=True)
    status = status_of(cast.partner_a)
    assert status.draft_absolute == (PSYCHOSIS,)
    assert status.review_cleared  # the submitted version still stands; the gate decides


def test_an_absolute_item_already_in_the_submitted_version_is_not_reported_again(cast):
    answers = complete_answers(pregnancy_or_breastfeeding=True)
    IntakeFormFactory(partner=cast.partner_a, submitted=True, answers=answers)
    amend_with(cast.partner_a, pregnancy_or_breastfeeding=True, psychosis_or_mania=True)
    assert status_of(cast.partner_a).draft_absolute == (PSYCHOSIS,)


def test_a_first_draft_or_a_draft_with_only_relative_items_reports_nothing(cast):
    services.intake_save_step(
        partner=cast.partner_a,
        by=cast.partner_a.user,
        step="medical",
        answers=complete_answers(psychosis_or_mania=True)["medical"],
    )
    assert status_of(cast.partner_a).draft_absolute == ()
    IntakeFormFactory(partner=cast.partner_b, submitted=True)
    amend_with(cast.partner_b, seizures=True)
    assert status_of(cast.partner_b).draft_absolute == ()


def test_submitting_the_amendment_invalidates_the_review_so_a_new_one_is_needed(cast):
    ReviewFactory(partner=cast.partner_a)
    amend_with(cast.partner_a, psychosis_or_mania=True)
    services.intake_submit(
        partner=cast.partner_a, by=cast.partner_a.user, required_steps=list(complete_answers())
    )
    status = status_of(cast.partner_a)
    assert not status.review_cleared and status.draft_absolute == ()


def test_withdrawing_the_amendment_keeps_it_on_record_and_the_submitted_version_in_force(cast):
    submitted = IntakeFormFactory(partner=cast.partner_a, submitted=True)
    amend_with(cast.partner_a, psychosis_or_mania=True)
    withdrawn = services.intake_withdraw_draft(partner=cast.partner_a, by=cast.partner_a.user)
    assert (withdrawn.version, withdrawn.status) == (2, "withdrawn") and withdrawn.withdrawn_at
    assert services.intake_draft(cast.partner_a) is None
    assert status_of(cast.partner_a).draft_absolute == ()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    again = services.intake_amend(partner=cast.partner_a, by=cast.partner_a.user)
    assert again.version == 3
    versions = IntakeForm.objects.filter(partner=cast.partner_a).order_by("version")
    assert list(versions.values_list("status", flat=True)) == ["submitted", "withdrawn", "draft"]


def test_an_amendment_submitted_in_another_tab_is_not_withdrawn(cast, monkeypatch):
    IntakeFormFactory(partner=cast.partner_a, submitted=True)
    stale = amend_with(cast.partner_a, hypertension=True)  # what this tab read
    IntakeForm.objects.filter(partner=cast.partner_a, version=1).update(status="superseded")
    IntakeForm.objects.filter(pk=stale.pk).update(status="submitted", submitted_at=timezone.now())
    monkeypatch.setattr(services, "intake_draft", lambda partner: stale)
    with pytest.raises(DomainError, match="just submitted, so it can no longer be withdrawn"):
        services.intake_withdraw_draft(partner=cast.partner_a, by=cast.partner_a.user)
    stale.refresh_from_db()
    assert stale.status == "submitted"


def test_there_is_nothing_to_withdraw_without_an_amendment(cast):
    with pytest.raises(DomainError, match="nothing to withdraw"):
        services.intake_withdraw_draft(partner=cast.partner_a, by=cast.partner_a.user)
    services.intake_save_step(
        partner=cast.partner_a, by=cast.partner_a.user, step="about", answers={}
    )
    with pytest.raises(DomainError, match="no amendment to withdraw"):
        services.intake_withdraw_draft(partner=cast.partner_a, by=cast.partner_a.user)
    assert IntakeForm.objects.get(partner=cast.partner_a).status == "draft"


def overview(partner) -> str:
    return reverse("intake:intake_overview", kwargs={"partner_id": partner.pk})


def withdraw_url(partner) -> str:
    return reverse("intake:intake_withdraw_draft", kwargs={"partner_id": partner.pk})


def test_the_partner_withdraws_the_amendment_from_their_intake_page(cast, client_for):
    IntakeFormFactory(partner=cast.partner_a, submitted=True)
    services.intake_amend(partner=cast.partner_a, by=cast.partner_a.user)
    client = client_for(cast.user("partner_a"))
    assert "Withdraw this amendment" in client.get(overview(cast.partner_a)).content.decode()
    response = client.post(withdraw_url(cast.partner_a), follow=True)
    page = response.content.decode()
    assert "Amendment (version 2) withdrawn" in page
    assert "Withdraw this amendment" not in page and "Amend my answers" in page
    assert IntakeForm.objects.get(partner=cast.partner_a, version=2).status == "withdrawn"


@pytest.mark.parametrize("viewer", ["partner_b", "clinician", "prescriber", "front_desk"])
def test_nobody_else_withdraws_a_partners_amendment(viewer, cast, client_for):
    IntakeFormFactory(partner=cast.partner_a, submitted=True)
    services.intake_amend(partner=cast.partner_a, by=cast.partner_a.user)
    response = client_for(cast.user(viewer)).post(withdraw_url(cast.partner_a))
    assert response.status_code in (403, 404)
    assert IntakeForm.objects.get(partner=cast.partner_a, version=2).status == "draft"
