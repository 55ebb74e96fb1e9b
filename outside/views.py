"""The outside prescriber's home, and the clinic admin's pages for inviting outside
prescribers, granting them couples and revoking those grants."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from kapcouples import audit, policy
from kapcouples.services import DomainError
from outside import selectors, services
from outside.forms import GrantAddForm, OutsideInviteForm, RevokeForm
from outside.models import OutsidePrescriberGrant


def _show_error(form, error: DomainError) -> None:
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, str(error))


@policy.allow(*policy.OUTSIDE_PRESCRIBERS)
def home(request: HttpRequest) -> HttpResponse:
    context = selectors.outside_home(request.user)
    audit.record_read(request, None, clinic_id=request.user.membership.clinic_id)
    return render(request, "outside/home.html", context)


@policy.allow(*policy.CLINIC_ADMINS)
def grant_list(request: HttpRequest) -> HttpResponse:
    clinic_id = policy.staff_clinic_id(request.user)
    prescribers = selectors.outside_prescribers_of_clinic(clinic_id)
    return render(request, "outside/grant_list.html", {"prescribers": prescribers})


@policy.allow(*policy.CLINIC_ADMINS)
def invite(request: HttpRequest) -> HttpResponse:
    clinic = request.user.membership.clinic
    form = OutsideInviteForm(request.POST or None, couples=selectors.couples_to_grant(clinic.pk))
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.outside_prescriber_invite(
                by=request.user, clinic=clinic, where=audit.where_from(request), **form.cleaned_data
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"Invitation sent to {membership.user.email}.")
            return redirect("outside:grant_list")
    return render(request, "outside/invite.html", {"form": form})


@policy.allow(*policy.CLINIC_ADMINS)
def grant_add(request: HttpRequest) -> HttpResponse:
    clinic_id = policy.staff_clinic_id(request.user)
    form = GrantAddForm(
        request.POST or None,
        prescribers=selectors.outside_prescriber_users(clinic_id),
        couples=selectors.couples_to_grant(clinic_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.outside_grant_add(
                by=request.user, where=audit.where_from(request), **form.cleaned_data
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"{grant.prescriber} may now prescribe for {grant.couple}.")
            return redirect("outside:grant_list")
    return render(request, "outside/grant_add.html", {"form": form})


@policy.allow(*policy.CLINIC_ADMINS)
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = _grant_for_admin(request, grant_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.outside_grant_revoke(
                by=request.user,
                grant=grant,
                reason=form.cleaned_data["reason"],
                where=audit.where_from(request),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"{grant.prescriber}'s access to {grant.couple} is revoked.")
            return redirect("outside:grant_list")
    return render(request, "outside/grant_revoke.html", {"grant": grant, "form": form})


def _grant_for_admin(request: HttpRequest, grant_id: int) -> OutsidePrescriberGrant:
    grant = get_object_or_404(
        OutsidePrescriberGrant.objects.select_related("prescriber", "couple"), pk=grant_id
    )
    if not policy.can_manage_clinic(request.user, grant.couple.clinic_id):
        policy.deny(request, reason="another clinic's outside grant", obj=grant, hide=True)
    return grant
