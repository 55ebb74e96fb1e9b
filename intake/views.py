"""Couple and partner pages. Each object is fetched through a helper that applies the policy."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from intake import services
from intake.forms import PartnerContactForm
from intake.models import Couple, Partner
from kapcouples import audit, policy, sessions
from kapcouples.models import Role

STAFF_WHO_SEE_COUPLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.FRONT_DESK)


def _get_couple_for_staff(request: HttpRequest, couple_id: int) -> Couple:
    couple = get_object_or_404(
        Couple.objects.select_related("clinic", "primary_clinician"), pk=couple_id
    )
    if policy.is_outsider_to_clinic(request.user, couple.clinic_id):
        policy.deny(request, reason="couple of another clinic", obj=couple, hide=True)
    if not policy.can_view_couple_statuses(request.user, couple):
        policy.deny(request, reason="not on this couple's care team", obj=couple)
    return couple


def _get_partner_private(request: HttpRequest, partner_id: int) -> Partner:
    partner = get_object_or_404(Partner.objects.select_related("couple", "user"), pk=partner_id)
    if not policy.can_view_partner_private(request.user, partner):
        # 404 for everyone refused: even that this partner exists is private.
        policy.deny(request, reason="partner-private page", obj=partner.couple, hide=True)
    return partner


@policy.allow(*STAFF_WHO_SEE_COUPLES)
def couple_detail(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = _get_couple_for_staff(request, couple_id)
    clinical = policy.can_view_clinical(request.user, couple)
    if clinical:
        audit.record_read(request, couple, clinic_id=couple.clinic_id)
    context = {"couple": couple, "partners": couple.partners.all(), "show_clinical": clinical}
    return render(request, "intake/couple_detail.html", context)


@policy.allow(Role.PARTNER, Role.CLINICIAN, Role.PRESCRIBER)
def partner_detail(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = _get_partner_private(request, partner_id)
    audit.record_read(request, partner, clinic_id=partner.couple.clinic_id)
    is_self = partner.user_id == request.user.pk
    return render(request, "intake/partner_detail.html", {"partner": partner, "is_self": is_self})


@policy.allow(Role.PARTNER, Role.CLINICIAN, Role.PRESCRIBER)
def partner_contact_edit(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = _get_partner_private(request, partner_id)
    kept = sessions.pop_kept_form(request)
    if kept is not None:
        messages.info(
            request, "We kept what you typed before you were signed out. Check it and save."
        )
    form = PartnerContactForm(request.POST or kept, instance=partner)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        services.partner_update_contact(partner=partner, changes=changes)
        messages.success(request, "Your contact details are saved.")
        return redirect("intake:partner_detail", partner_id=partner.pk)
    return render(request, "intake/partner_contact_form.html", {"partner": partner, "form": form})
