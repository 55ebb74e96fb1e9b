"""Couple and partner pages, enrolment and invitations."""

from django.contrib import messages
from django.contrib.auth import login
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from intake import services
from intake.forms import AcceptInvitationForm, EnrolCoupleForm, PartnerContactForm
from intake.models import Invitation, Partner
from intake.readiness import ScreeningFacts
from intake.views.common import get_couple_for_staff, get_partner_private
from kapcouples import audit, languages, policy, session_lifetime
from kapcouples.models import User


@policy.allow(*policy.DESK_AND_CARE)
def couple_detail(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = get_couple_for_staff(request, couple_id)
    # Every panel (and the access log's subject) reads the partners from here, and their
    # screening from one ScreeningFacts.
    prefetch_related_objects(
        [couple], Prefetch("partners", queryset=Partner.objects.select_related("user"))
    )
    partners = list(couple.partners.all())
    clinical = policy.can_view_clinical(request.user, couple)
    if clinical:
        audit.record_read(request, couple, clinic_id=couple.clinic_id)
    context = {
        "couple": couple,
        "partners": partners,
        "show_clinical": clinical,
        "screening": ScreeningFacts(partners),
    }
    return render(request, "intake/couple_detail.html", context)


@policy.allow(*policy.PARTNER_AND_CARE)
def partner_detail(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_partner_private(request, partner_id)
    audit.record_read(request, partner, clinic_id=partner.couple.clinic_id)
    is_self = partner.user_id == request.user.pk
    return render(request, "intake/partner_detail.html", {"partner": partner, "is_self": is_self})


@policy.allow(*policy.PARTNER_AND_CARE)
def partner_contact_edit(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_partner_private(request, partner_id)
    kept = session_lifetime.pop_kept_form(request)
    if kept is not None:
        messages.info(
            request,
            gettext("We kept what you typed before you were signed out. Check it and save."),
        )
    form = PartnerContactForm(request.POST or kept, instance=partner)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        services.partner_update_contact(partner=partner, by=request.user, changes=changes)
        if partner.user_id == request.user.pk:  # a partner's own form: what happens next
            return redirect(f"{reverse('portal:next')}?done=profile")
        messages.success(request, "The contact details are saved.")
        return redirect("intake:partner_detail", partner_id=partner.pk)
    return render(request, "intake/partner_contact_form.html", {"partner": partner, "form": form})


# --- Enrolment and invitations ----------------------------------------------------------------
def _clinicians(clinic_id: int):
    return User.objects.filter(
        membership__clinic_id=clinic_id,
        membership__is_active=True,
        membership__role__in=policy.CARE_TEAM,
    ).order_by("full_name")


@policy.allow(*policy.DESK_AND_CARE)
def couple_enrol(request: HttpRequest) -> HttpResponse:
    clinic_id = policy.staff_clinic_id(request.user)
    form = EnrolCoupleForm(request.POST or None, clinicians=_clinicians(clinic_id))
    if request.method == "POST" and form.is_valid():
        try:
            couple = services.couple_enrol(
                clinic=request.user.membership.clinic,
                primary_clinician=form.cleaned_data["primary_clinician"],
                care_team=form.cleaned_data["care_team"],
                partners=form.partners(),
            )
        except services.DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Couple enrolled. Send each partner their invitation.")
            return redirect("intake:couple_detail", couple_id=couple.pk)
    return render(request, "intake/couple_enrol.html", {"form": form})


@policy.allow(*policy.DESK_AND_CARE)
@require_POST
def invitation_send(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_object_or_404(Partner.objects.select_related("user"), pk=partner_id)
    couple = get_couple_for_staff(request, partner.couple_id)
    try:
        invitation, _ = services.invitation_send(partner=partner, sent_by=request.user)
    except services.DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Invitation sent to {invitation.sent_to}; the link works until "
            f"{timezone.localtime(invitation.expires_at, couple.clinic.zone):%Y-%m-%d %H:%M}.",
        )
    return redirect("intake:couple_detail", couple_id=couple.pk)


@policy.allow(*policy.DESK_AND_CARE)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("partner"), pk=invitation_id)
    couple = get_couple_for_staff(request, invitation.partner.couple_id)
    try:
        services.invitation_revoke(invitation=invitation)
    except services.DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Invitation revoked: the link no longer works.")
    return redirect("intake:couple_detail", couple_id=couple.pk)


@policy.public
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_check(token=token)
    except services.InvitationRefused as refusal:
        context = {"message": str(refusal), "contact": refusal.contact}
        return render(request, "intake/invitation_refused.html", context, status=410)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["password1"])
        except services.InvitationRefused as refusal:
            context = {"message": str(refusal), "contact": refusal.contact}
            return render(request, "intake/invitation_refused.html", context, status=410)
        except services.DomainError as error:
            form.add_error("password1", str(error))
        else:
            login(request, user, backend="kapcouples.auth_backends.KapModelBackend")
            # The language they accepted in (the switch or the browser) becomes their choice.
            languages.partner_language_set(
                user=user, partner=invitation.partner, language=get_language()
            )
            messages.success(
                request, gettext("Welcome! Your password is set. Here is your portal.")
            )
            return redirect("portal")
    context = {"form": form, "partner": invitation.partner}
    return render(request, "intake/invitation_accept.html", context)
