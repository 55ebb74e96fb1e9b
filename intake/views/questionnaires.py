"""Questionnaires: a partner fills one in, checks a summary and submits it; the partner and
the care team read the result.

The steps are posted, never kept on the server: the form page posts `step=check` and gets
the summary; the summary carries the answers in hidden fields and posts `step=submit`, or
`step=change` to go back to a question with every answer still filled in. With JavaScript
on a narrow screen, static/js/questionnaire.js shows the form one question at a time.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intake import display, instruments, services
from intake.forms import QuestionnaireForm
from intake.models import Partner, QuestionnaireResponse, ScreeningSettings
from intake.views.common import get_own_partner, get_partner_screening, is_self
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
    if request.method != "POST" or request.POST.get("step") == "change":
        kept = request.POST or session_lifetime.pop_kept_form(request)
        form = QuestionnaireForm(initial=_filled_in(kept), instrument=instrument)
        return _form_page(request, partner, form)
    step = request.POST.get("step", "check")
    form = QuestionnaireForm(request.POST, instrument=instrument)
    if not form.is_valid():
        return _form_page(request, partner, form)
    if step != "submit":
        return _summary_page(request, partner, form)
    try:
        response = services.questionnaire_submit(
            partner=partner, user=request.user, code=instrument.code, answers=form.answers()
        )
    except services.DomainError as error:
        form.add_error(None, str(error))
        return _form_page(request, partner, form)
    if response.calls_for_crisis_line:
        # Whom to call now comes before anything else (the crisis box on the result).
        messages.success(request, _("Thank you: your answers are saved."))
        return redirect("intake:questionnaire_detail", response_id=response.pk)
    return _onward(request, partner)


def _onward(request: HttpRequest, partner: Partner) -> HttpResponse:
    """Where a partner goes once their answers are saved: what happens next."""
    return redirect(f"{reverse('portal:next')}?done=questionnaire")


def _filled_in(data: QueryDict | None) -> dict:
    """Answers posted earlier, as initial values for a fresh (error-free) form."""
    return {} if data is None else {name: data.get(name) for name in data}


def _form_page(request: HttpRequest, partner: Partner, form: QuestionnaireForm) -> HttpResponse:
    context = {"partner": partner, "form": form, "instrument": form.instrument}
    return render(request, "intake/questionnaire_fill.html", context)


def _summary_page(request: HttpRequest, partner: Partner, form: QuestionnaireForm) -> HttpResponse:
    answers = form.answers()
    context = {
        "partner": partner,
        "instrument": form.instrument,
        "rows": display.question_rows(form.instrument, answers),
        "carried": [
            (f"item_{item.number}", value)
            for item, value in zip(form.instrument.items, answers, strict=True)
            if value is not None
        ],
    }
    return render(request, "intake/questionnaire_summary.html", context)


def _get_response(request: HttpRequest, response_id: int) -> QuestionnaireResponse:
    response = get_object_or_404(QuestionnaireResponse, pk=response_id)
    get_partner_screening(request, response.partner_id)
    return response


@policy.allow(*policy.SCREENING_READERS)
def questionnaire_detail(request: HttpRequest, response_id: int) -> HttpResponse:
    response = _get_response(request, response_id)
    partner = response.partner
    audit.record_read(request, response, clinic_id=partner.couple.clinic_id)
    instrument = instruments.instrument(response.code)
    own = is_self(request, partner)
    context = {
        "partner": partner,
        "response": response,
        "instrument": instrument,
        "rows": display.question_rows(instrument, response.answers),
        "is_self": own,
        "can_review": response.needs_review
        and policy.can_review_questionnaire(request.user, partner.couple),
        "plain_result": _plain_result(response) if own else "",
        "crisis": _crisis_contacts(partner) if own and response.calls_for_crisis_line else None,
    }
    return render(request, "intake/questionnaire_detail.html", context)


def _plain_result(response: QuestionnaireResponse) -> str:
    """The partner's own result in plain words, where their clinic shows scores."""
    settings = ScreeningSettings.for_clinic(response.partner.couple.clinic_id)
    if not settings.partners_see_their_scores:
        return ""
    return display.plain_result(response.code, response.band)


def _crisis_contacts(partner) -> ScreeningSettings:
    return ScreeningSettings.for_clinic(partner.couple.clinic_id)


@policy.allow(*policy.CARE_TEAM_AND_GRANTED)
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
