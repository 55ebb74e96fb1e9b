"""The partner's multi-step intake form, its versions and amendments."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from intake import selectors, services
from intake.display import answer_sections
from intake.forms import INTAKE_STEPS
from intake.models import IntakeForm
from intake.readiness import current_intake
from intake.views.common import get_own_partner, get_partner_screening, is_self
from kapcouples import audit, policy, session_lifetime

STEP_SLUGS = list(INTAKE_STEPS)


@policy.allow(*policy.SCREENING_READERS)
def intake_overview(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_partner_screening(request, partner_id)
    audit.record_read(request, partner, clinic_id=partner.couple.clinic_id)
    draft = services.intake_draft(partner)
    current = current_intake(partner)
    saved = draft.steps_saved if draft else []
    context = {
        "partner": partner,
        "is_self": is_self(request, partner),
        "draft": draft,
        "current": current,
        "sections": answer_sections(current.answers) if current else [],
        "versions": selectors.intake_versions(partner),
        "steps": [(slug, form.title, slug in saved) for slug, form in INTAKE_STEPS.items()],
        "ready_to_submit": draft is not None and all(s in saved for s in STEP_SLUGS),
    }
    return render(request, "intake/intake_overview.html", context)


@policy.allow(*policy.PARTNERS)
def intake_step(request: HttpRequest, partner_id: int, step: str) -> HttpResponse:
    partner = get_own_partner(request, partner_id)
    form_class = INTAKE_STEPS.get(step)
    if form_class is None:
        raise Http404("No such step")
    draft = services.intake_draft(partner)
    if draft is None and current_intake(partner) is not None:
        messages.info(request, _("Your intake is submitted. Choose “Amend” to change an answer."))
        return redirect("intake:intake_overview", partner_id=partner.pk)
    kept = session_lifetime.pop_kept_form(request)
    if kept is not None:
        messages.info(request, _("We kept what you typed before you were signed out. Check it."))
    saved = draft.answers.get(step, {}) if draft else {}
    form = form_class(request.POST or kept, initial=form_class.initial_from(saved))
    if request.method == "POST" and request.POST.get("then") == "autosave":
        return _autosave(partner, step, form, saved)
    if request.method == "POST" and form.is_valid():
        services.intake_save_step(
            partner=partner, by=request.user, step=step, answers=form.answers()
        )
        return _after_step(request, partner, step)
    if request.method == "POST" and request.POST.get("then") == "stop":
        return _save_partial(request, partner, step, form, saved)
    context = {"partner": partner, "form": form, "step": step, **_progress(step)}
    return render(request, "intake/intake_step.html", context)


def _progress(step: str) -> dict:
    index = STEP_SLUGS.index(step)
    return {
        "step_number": index + 1,
        "step_count": len(STEP_SLUGS),
        "previous_step": STEP_SLUGS[index - 1] if index else None,
        "title": INTAKE_STEPS[step].title,
    }


def _autosave(partner, step: str, form, saved: dict) -> JsonResponse:
    """Background save from intake-autosave.js: keep the valid answers typed so far."""
    complete = form.is_valid()
    answers = form.answers() if complete else {**saved, **form.answers()}
    services.intake_save_step(  # the partner's own form (get_own_partner): they are the actor
        partner=partner, by=partner.user, step=step, answers=answers, complete=complete
    )
    return JsonResponse({"saved": True, "complete": complete})


def _save_partial(request: HttpRequest, partner, step: str, form, saved: dict) -> HttpResponse:
    """Keep the valid answers of an unfinished step; the step stays to do."""
    answers = {**saved, **form.answers()}
    services.intake_save_step(
        partner=partner, by=request.user, step=step, answers=answers, complete=False
    )
    unanswered = len(form.errors)
    message = ngettext(
        "Saved what you answered. “%(step)s” still has %(count)d answer to complete before "
        "you can submit.",
        "Saved what you answered. “%(step)s” still has %(count)d answers to complete before "
        "you can submit.",
        unanswered,
    )
    messages.warning(request, message % {"step": form.title, "count": unanswered})
    return redirect("intake:intake_overview", partner_id=partner.pk)


def _after_step(request: HttpRequest, partner, step: str) -> HttpResponse:
    index = STEP_SLUGS.index(step)
    if request.POST.get("then") == "stop" or index + 1 == len(STEP_SLUGS):
        messages.success(request, _("Saved. You can come back to it at any time."))
        return redirect("intake:intake_overview", partner_id=partner.pk)
    return redirect("intake:intake_step", partner_id=partner.pk, step=STEP_SLUGS[index + 1])


@policy.allow(*policy.PARTNERS)
@require_POST
def intake_submit(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_own_partner(request, partner_id)
    try:
        services.intake_submit(partner=partner, by=request.user, required_steps=STEP_SLUGS)
    except services.DomainError as error:
        messages.error(request, str(error))
        return redirect("intake:intake_overview", partner_id=partner.pk)
    return redirect(f"{reverse('portal:next')}?done=intake")  # what happens next


@policy.allow(*policy.PARTNERS)
@require_POST
def intake_amend(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_own_partner(request, partner_id)
    try:
        services.intake_amend(partner=partner, by=request.user)
    except services.DomainError as error:
        messages.error(request, str(error))
        return redirect("intake:intake_overview", partner_id=partner.pk)
    messages.info(
        request, _("A new version is open with your answers. Change what you need and submit it.")
    )
    return redirect("intake:intake_step", partner_id=partner.pk, step=STEP_SLUGS[0])


@policy.allow(*policy.PARTNERS)
@require_POST
def intake_withdraw_draft(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_own_partner(request, partner_id)
    try:
        withdrawn = services.intake_withdraw_draft(partner=partner, by=request.user)
    except services.DomainError as error:
        messages.error(request, str(error))
    else:
        message = _(
            "Amendment (version %(version)d) withdrawn. Your submitted intake is unchanged."
        )
        messages.success(request, message % {"version": withdrawn.version})
    return redirect("intake:intake_overview", partner_id=partner.pk)


@policy.allow(*policy.SCREENING_READERS)
def intake_version(request: HttpRequest, intake_id: int) -> HttpResponse:
    intake = get_object_or_404(IntakeForm, pk=intake_id)
    partner = get_partner_screening(request, intake.partner_id)
    audit.record_read(request, intake, clinic_id=partner.couple.clinic_id)
    context = {
        "partner": partner,
        "intake": intake,
        "sections": answer_sections(intake.answers),
        "reviews": intake.reviews.all()
        if policy.can_view_prescribing(request.user, partner.couple)
        else [],
    }
    return render(request, "intake/intake_version.html", context)
