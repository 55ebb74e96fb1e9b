"""The maintenance plan page (care team), its approval (prescriber), ending it, and
completing a couple's program."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kapcouples import policy
from kapcouples.services import DomainError
from maintenance import gate, selectors, services
from maintenance.forms import EndPlanForm, MaintenancePlanForm, MaintenanceSettingsForm
from maintenance.models import MaintenanceSettings
from sessions.boosters import is_booster_couple
from sessions.views.common import get_couple_for_care


def _to_plan(couple_id: int) -> HttpResponse:
    return redirect("maintenance:plan_edit", couple_id=couple_id)


@policy.allow(*policy.CARE_TEAM)
def plan_edit(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = get_couple_for_care(request, couple_id)
    plan = gate.open_plan(couple)
    form = MaintenancePlanForm(request.POST or None, instance=plan, couple=couple)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.maintenance_plan_save(couple=couple, by=request.user, values=values)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The maintenance plan is saved: a prescriber approves it.")
            return _to_plan(couple.pk)
    context = {
        "couple": couple,
        "plan": plan,
        "form": form,
        "end_form": EndPlanForm(),
        "booster": selectors.next_booster_for(couple),
        "program_completed": is_booster_couple(couple),
        "may_approve": policy.can_approve_maintenance_plan(request.user, couple),
    }
    return render(request, "maintenance/plan_form.html", context)


@policy.allow(*policy.PRESCRIBERS)
@require_POST
def plan_approve(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = get_couple_for_care(request, couple_id)
    plan = gate.open_plan(couple)
    if plan is None:
        messages.error(request, "Write the maintenance plan first.")
        return _to_plan(couple.pk)
    try:
        services.maintenance_plan_approve(plan=plan, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The maintenance plan is approved: boosters may be booked.")
    return _to_plan(couple.pk)


@policy.allow(*policy.CARE_TEAM)
@require_POST
def plan_end(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = get_couple_for_care(request, couple_id)
    plan = gate.open_plan(couple)
    form = EndPlanForm(request.POST)
    if plan is None or not form.is_valid():
        messages.error(request, "Say why the plan ends (at least 3 characters).")
        return _to_plan(couple.pk)
    try:
        services.maintenance_plan_end(
            plan=plan, by=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The maintenance plan has ended; it stays in the record.")
    return _to_plan(couple.pk)


@policy.allow(*policy.CARE_TEAM)
@require_POST
def program_complete(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = get_couple_for_care(request, couple_id)
    try:
        services.program_complete(couple=couple, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("intake:couple_detail", couple_id=couple.pk)
    messages.success(request, "The program is completed. Write a maintenance plan for boosters.")
    return _to_plan(couple.pk)


@policy.allow(*policy.CLINIC_ADMINS)
def settings_edit(request: HttpRequest) -> HttpResponse:
    clinic_id = request.user.membership.clinic_id
    form = MaintenanceSettingsForm(
        request.POST or None, instance=MaintenanceSettings.for_clinic(clinic_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.maintenance_settings_update(
                clinic_id=clinic_id, values=form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Booster rules saved.")
            return redirect("maintenance:settings_edit")
    return render(request, "maintenance/settings_form.html", {"form": form})
