"""Questionnaires: a partner fills one in; the partner and the care team read the result."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from intake import instruments, services
from intake.forms import QuestionnaireForm
from intake.models import QuestionnaireResponse, ScreeningSettings
from intake.views.common import get_own_partner, get_partner_private, is_self
from kapcouples import audit, policy, session_lifetime


def _instrument_for_slug(slug: str) -> instruments.Instrument:
    for code, form in instruments.INSTRUMENTS.items():
        if code.lower() == slug:
            return form
    raise Http404("No such questionnaire")


@policy.allow(*policy.PARTNERS)
def questionnaire_fill(request: HttpRequest, partner_id: int, code: str) -> HttpResponse:
    partner = get_own_partner(request, partner_id)
    instrument = _instrument_for_slug(code)
    kept = session_lifetime.pop_kept_form(request)
    form = QuestionnaireForm(request.POST or kept, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            response = services.questionnaire_submit(
                partner=partner, user=request.user, code=instrument.code, answers=form.answers()
            )
        except services.DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Thank you: your {instrument.code} answers are saved.")
            return redirect("intake:questionnaire_detail", response_id=response.pk)
    context = {"partner": partner, "form": form, "instrument": instrument}
    return render(request, "intake/questionnaire_fill.html", context)


def _get_response(request: HttpRequest, response_id: int) -> QuestionnaireResponse:
    response = get_object_or_404(QuestionnaireResponse, pk=response_id)
    get_partner_private(request, response.partner_id)
    return response


@policy.allow(*policy.PARTNER_AND_CARE)
def questionnaire_detail(request: HttpRequest, response_id: int) -> HttpResponse:
    response = _get_response(request, response_id)
    partner = response.partner
    audit.record_read(request, response, clinic_id=partner.couple.clinic_id)
    instrument = instruments.instrument(response.code)
    rows = [
        (item, dict((o.value, o.label) for o in item.options).get(value, value))
        for item, value in zip(instrument.items, response.answers, strict=False)
    ]
    own = is_self(request, partner)
    context = {
        "partner": partner,
        "response": response,
        "instrument": instrument,
        "rows": rows,
        "is_self": own,
        "can_review": response.needs_review
        and policy.can_review_questionnaire(request.user, partner.couple),
        "crisis": _crisis_contacts(partner) if own and response.calls_for_crisis_line else None,
    }
    return render(request, "intake/questionnaire_detail.html", context)


def _crisis_contacts(partner) -> ScreeningSettings:
    return ScreeningSettings.for_clinic(partner.couple.clinic_id)


@policy.allow(*policy.CARE_TEAM)
@require_POST
def questionnaire_acknowledge(request: HttpRequest, response_id: int) -> HttpResponse:
    response = _get_response(request, response_id)
    try:
        services.questionnaire_acknowledge(response=response, user=request.user)
    except services.DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Marked as reviewed by you.")
    return redirect("intake:questionnaire_detail", response_id=response.pk)
