"""Contraindication reviews and prescriptions: who may sign what, and what can be cleared."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from intake.models import ContraindicationReview, Prescription
from intake.readiness import screening_status
from tests.intake.factories import IntakeFormFactory, complete_answers

REVIEW = {
    "systolic": "128",
    "diastolic": "82",
    "heart_rate": "72",
    "weight_kg": "71.5",
    "decision": "cleared",
    "reason": "No contraindication on history or examination.",
    "conditions": "",
}


def review_url(partner) -> str:
    return reverse("intake:review_create", kwargs={"partner_id": partner.pk})


def submitted(partner, **medical):
    return IntakeFormFactory(partner=partner, submitted=True, answers=complete_answers(**medical))


def test_a_clinician_clears_a_partner_without_contraindications(cast, client_for):
    submitted(cast.partner_a)
    with time_machine.travel(datetime.datetime(2026, 11, 22, 15, tzinfo=datetime.UTC)):
        response = client_for(cast.clinician).post(review_url(cast.partner_a), REVIEW)
    review = ContraindicationReview.objects.get()
    assert response.status_code == 302
    assert review.reviewer == cast.clinician and review.decision == "cleared"
    assert review.expires_on == datetime.date(2026, 11, 22) + datetime.timedelta(days=180)
    assert (review.systolic, review.weight_kg) == (128, Decimal("71.5"))


def test_the_checklist_is_prefilled_from_the_intake(cast, client_for):
    submitted(cast.partner_a, seizures=True)
    page = client_for(cast.prescriber).get(review_url(cast.partner_a)).content.decode()
    assert "Reported in the intake." in page
    seizures = re.search(r'<input[^>]*name="finding_seizures"[^>]*>', page).group(0)
    assert "checked" in seizures and "disabled" in seizures
    hypertension = re.search(r'<input[^>]*name="finding_hypertension"[^>]*>', page).group(0)
    assert "checked" not in hypertension


def test_an_absolute_contraindication_cannot_be_cleared_even_by_a_prescriber(cast, client_for):
    submitted(cast.partner_a, psychosis_or_mania=True)
    response = client_for(cast.prescriber).post(review_url(cast.partner_a), REVIEW)
    assert response.status_code == 200
    assert "An absolute contraindication is present" in response.content.decode()
    assert not ContraindicationReview.objects.exists()


def test_a_relative_contraindication_is_cleared_only_by_a_prescriber(cast, client_for):
    submitted(cast.partner_a, hypertension=True)
    refused = client_for(cast.clinician).post(review_url(cast.partner_a), REVIEW)
    assert (
        "Only a prescriber on the couple&#x27;s care team or an outside prescriber granted it "
        "may clear" in refused.content.decode()
    )
    assert not ContraindicationReview.objects.exists()
    data = {**REVIEW, "decision": "cleared_with_conditions", "conditions": "BP < 140/90 pre-dose"}
    client_for(cast.prescriber).post(review_url(cast.partner_a), data)
    status = screening_status(cast.partner_a, on=datetime.date.today())
    assert status.review_cleared and status.review_conditions == "BP < 140/90 pre-dose"


def test_a_reviewer_cannot_untick_an_item_the_partner_reported(cast, client_for):
    submitted(cast.partner_a, hypertension=True)
    client_for(cast.clinician).post(
        review_url(cast.partner_a), {**REVIEW, "decision": "not_cleared"}
    )
    assert ContraindicationReview.objects.get().findings["hypertension"] is True


def test_a_reviewer_can_add_an_item_the_intake_missed_and_it_counts(cast, client_for):
    submitted(cast.partner_a)
    data = {**REVIEW, "finding_pregnancy_or_breastfeeding": "on"}
    response = client_for(cast.prescriber).post(review_url(cast.partner_a), data)
    assert "absolute contraindication" in response.content.decode()
    assert not ContraindicationReview.objects.exists()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("systolic", "", "This field is required."),
        ("systolic", "400", "less than or equal to 300"),
        ("diastolic", "130", "Diastolic must be lower than systolic"),
        ("weight_kg", "heavy", "Enter a number."),
        ("decision", "maybe", "Select a valid choice"),
        ("reason", "r" * 10_000, "Keep this under 2,000 characters"),
        ("conditions", "", "State the conditions"),
    ],
)
def test_bad_review_values_are_refused_next_to_the_field(field, value, message, cast, client_for):
    submitted(cast.partner_a)
    data = {**REVIEW, field: value}
    if field == "conditions":
        data["decision"] = "cleared_with_conditions"
    response = client_for(cast.prescriber).post(review_url(cast.partner_a), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ContraindicationReview.objects.exists()


@pytest.mark.parametrize(
    "viewer", ["front_desk", "partner_a", "clinician_outside", "other_clinic_clinician"]
)
def test_only_the_care_team_reviews(viewer, cast, client_for):
    submitted(cast.partner_a)
    response = client_for(cast.user(viewer)).post(review_url(cast.partner_a), REVIEW)
    assert response.status_code in (403, 404)
    assert not ContraindicationReview.objects.exists()


def rx_form(**changes) -> dict:
    """A valid prescription from today for three months, with `changes`."""
    today = timezone.localdate()
    return {
        "route": "sublingual",
        "single_dose_mg": "150.5",
        "valid_from": today.isoformat(),
        "valid_until": (today + datetime.timedelta(days=91)).isoformat(),
        "instructions": "Hold under the tongue 15 minutes.",
        **changes,
    }


def rx_url(partner) -> str:
    return reverse("intake:prescription_create", kwargs={"partner_id": partner.pk})


def test_a_prescriber_writes_a_prescription(cast, client_for):
    response = client_for(cast.prescriber).post(rx_url(cast.partner_a), rx_form())
    rx = Prescription.objects.get()
    assert response.status_code == 302
    assert (rx.prescriber, rx.single_dose_mg, rx.status) == (
        cast.prescriber,
        Decimal("150.50"),
        "active",
    )


@pytest.mark.parametrize("viewer", ["clinician", "front_desk", "partner_a", "clinician_outside"])
def test_nobody_but_a_prescriber_prescribes(viewer, cast, client_for):
    response = client_for(cast.user(viewer)).post(rx_url(cast.partner_a), rx_form())
    assert response.status_code in (403, 404)
    assert not Prescription.objects.exists()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("single_dose_mg", "0", "greater than or equal to 0.01"),
        ("single_dose_mg", "5000", "less than or equal to 1000"),
        ("single_dose_mg", "1.234", "no more than 2 decimal places"),
        ("valid_until", "yesterday", "must be on or after"),
        ("route", "oral", "Select a valid choice"),
    ],
)
def test_bad_prescriptions_are_refused_next_to_the_field(field, value, message, cast, client_for):
    if value == "yesterday":
        value = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client_for(cast.prescriber).post(rx_url(cast.partner_a), rx_form(**{field: value}))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Prescription.objects.exists()


def test_a_partner_sees_their_own_prescription_and_nobody_else_does(cast, client_for):
    client_for(cast.prescriber).post(rx_url(cast.partner_a), rx_form())
    own = reverse("intake:partner_screening", kwargs={"partner_id": cast.partner_a.pk})
    assert "150.50 mg" in client_for(cast.user("partner_a")).get(own).content.decode()
    for viewer in ("partner_b", "front_desk", "other_partner"):
        response = client_for(cast.user(viewer)).get(own)
        assert response.status_code in (403, 404) and "150.50" not in response.content.decode()


def test_a_cancelled_prescription_stays_on_record_and_is_no_longer_active(cast, client_for):
    client_for(cast.prescriber).post(rx_url(cast.partner_a), rx_form())
    rx = Prescription.objects.get()
    url = reverse("intake:prescription_cancel", kwargs={"prescription_id": rx.pk})
    client_for(cast.prescriber).post(url, {"reason": "Dose changed"})
    rx.refresh_from_db()
    assert rx.status == "cancelled" and rx.cancelled_reason == "Dose changed"
