"""The care team's screening pages: a partner's screening, reviews, prescriptions."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from intake import selectors, services
from intake.display import answer_sections
from intake.forms import CancelPrescriptionForm, PrescriptionForm, ReviewForm
from intake.models import ContraindicationReview, Prescription
from intake.readiness import current_intake
from intake.views.common import get_partner_for_prescribing, get_partner_screening, is_self
from kapcouples import audit, policy


@policy.allow(*policy.SCREENING_READERS)
def partner_screening(request: HttpRequest, partner_id: int) -> HttpResponse:
    """A partner's questionnaires and prescriptions (own view); plus reviews for the team."""
    partner = get_partner_screening(request, partner_id)
    audit.record_read(request, partner, clinic_id=partner.couple.clinic_id)
    clinical = policy.can_view_prescribing(request.user, partner.couple)
    context = {
        "partner": partner,
        "is_self": is_self(request, partner),
        "clinical": clinical,
        "summary": selectors.screening_summary(partner),
        "responses": partner.questionnaire_responses.all(),
        "prescriptions": selectors.prescription_rows(partner),
        "reviews": partner.reviews.select_related("reviewer", "intake") if clinical else [],
        "can_prescribe": policy.can_prescribe(request.user, partner.couple),
    }
    return render(request, "intake/partner_screening.html", context)


@policy.allow(*policy.CARE_TEAM_AND_GRANTED)
def review_create(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_partner_for_prescribing(request, partner_id)
    intake = current_intake(partner)
    if intake is None:
        messages.error(request, "The partner has not submitted an intake yet; review it after.")
        return redirect("intake:partner_screening", partner_id=partner.pk)
    prefill = services.review_prefill(partner)
    form = ReviewForm(request.POST or None, prefill=prefill)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.review_sign(
                partner=partner,
                reviewer=request.user,
                findings=form.findings(),
                **{k: data[k] for k in ("systolic", "diastolic", "heart_rate", "weight_kg")},
                decision=data["decision"],
                reason=data["reason"],
                conditions=data["conditions"],
            )
        except services.DomainError as error:
            form.add_error("decision", str(error))
        else:
            messages.success(request, "Review signed.")
            return redirect("intake:review_detail", review_id=review.pk)
    audit.record_read(request, intake, clinic_id=partner.couple.clinic_id)
    context = {"partner": partner, "form": form, "intake": intake}
    context["sections"] = answer_sections(intake.answers)
    return render(request, "intake/review_form.html", context)


@policy.allow(*policy.CARE_TEAM_AND_GRANTED)
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(
        ContraindicationReview.objects.select_related("intake", "reviewer"), pk=review_id
    )
    partner = get_partner_for_prescribing(request, review.partner_id)
    audit.record_read(request, review, clinic_id=partner.couple.clinic_id)
    context = {"partner": partner, "review": review, "findings": _findings(review)}
    return render(request, "intake/review_detail.html", context)


def _findings(review: ContraindicationReview) -> list:
    from intake.contraindications import ITEMS

    return [(item, review.findings.get(item.key, False)) for item in ITEMS]


@policy.allow(*policy.PRESCRIBERS_AND_GRANTED)
def prescription_create(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_partner_for_prescribing(request, partner_id)
    form = PrescriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.prescription_create(
                partner=partner, prescriber=request.user, **form.cleaned_data
            )
        except services.DomainError as error:
            form.add_error(getattr(error, "field", None), str(error))
        else:
            messages.success(request, "Prescription signed.")
            return redirect("intake:partner_screening", partner_id=partner.pk)
    return render(request, "intake/prescription_form.html", {"partner": partner, "form": form})


@policy.allow(*policy.PRESCRIBERS_AND_GRANTED)
def prescription_cancel(request: HttpRequest, prescription_id: int) -> HttpResponse:
    prescription = get_object_or_404(Prescription, pk=prescription_id)
    partner = get_partner_for_prescribing(request, prescription.partner_id)
    form = CancelPrescriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.prescription_cancel(
                prescription=prescription, by=request.user, reason=form.cleaned_data["reason"]
            )
        except services.DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Prescription cancelled.")
            return redirect("intake:partner_screening", partner_id=partner.pk)
    context = {"partner": partner, "form": form, "prescription": prescription}
    return render(request, "intake/prescription_cancel.html", context)
