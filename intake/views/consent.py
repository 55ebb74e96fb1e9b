"""Consent (partners sign, clinic admin publishes), shared intentions and break the glass."""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from intake import selectors, services
from intake.forms import BreakGlassForm, ConsentSignForm, ConsentTextForm, IntentionsForm
from intake.models import ConsentText, Couple, CoupleIntentions
from intake.readiness import current_consent_text
from intake.views.common import get_own_partner
from kapcouples import audit, policy, session_lifetime


@policy.allow(*policy.PARTNERS)
def consent_sign(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = get_own_partner(request, partner_id)
    text = current_consent_text(partner.couple.clinic_id)
    signed = text is not None and text.signatures.filter(partner=partner).first()
    initial = {"consent_text_id": text.pk if text else None}
    form = ConsentSignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_sign(
                partner=partner,
                consent_text_id=form.cleaned_data["consent_text_id"],
                typed_name=form.cleaned_data["typed_name"],
                ip_address=audit.client_ip(request),
            )
        except services.DomainError as error:
            form.add_error("typed_name", str(error))
        else:
            return redirect(f"{reverse('portal:next')}?done=consent")  # what happens next
    context = {"partner": partner, "text": text, "signed": signed, "form": form}
    return render(request, "intake/consent_sign.html", context)


@policy.allow(*policy.CLINIC_ADMINS)
def consent_text_edit(request: HttpRequest) -> HttpResponse:
    """Write a new version, preview it as partners will see it, then confirm to publish.

    The three steps are one form posted again: nothing is saved before the confirmation.
    """
    clinic = request.user.membership.clinic
    current = current_consent_text(clinic.pk)
    initial = {"title": current.title, "body": current.body} if current else {}
    form = ConsentTextForm(request.POST or None, initial=initial)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step in ("preview", "publish") and form.is_valid():
        if step == "publish":
            return _publish(request, clinic, form) or _edit_page(request, form, current)
        context = {
            "form": form,
            "current": current,
            "preview": ConsentText(
                clinic=clinic, version=_next_version(current), **form.cleaned_data
            ),
            "to_sign": selectors.partners_asked_to_sign_again(clinic.pk),
        }
        return render(request, "intake/consent_text_preview.html", context)
    return _edit_page(request, form, current)


def _next_version(current) -> int:
    return current.version + 1 if current else 1


def _edit_page(request: HttpRequest, form, current) -> HttpResponse:
    clinic_id = request.user.membership.clinic_id
    context = {"form": form, "current": current, "versions": selectors.consent_versions(clinic_id)}
    return render(request, "intake/consent_text_form.html", context)


def _publish(request: HttpRequest, clinic, form) -> HttpResponse | None:
    try:
        text = services.consent_text_publish(clinic=clinic, user=request.user, **form.cleaned_data)
    except services.DomainError as error:
        form.add_error(None, str(error))
        return None
    to_sign = selectors.partners_asked_to_sign_again(clinic.pk)
    messages.success(
        request, f"Version {text.version} published. {to_sign} partner(s) will be asked to sign it."
    )
    return redirect("intake:consent_text_edit")


@policy.allow(*policy.CLINIC_ADMINS)
def consent_text_version(request: HttpRequest, version: int) -> HttpResponse:
    """An earlier (or the current) version, as partners saw it, with its signature count."""
    clinic_id = request.user.membership.clinic_id
    text = get_object_or_404(selectors.consent_versions(clinic_id), version=version)
    return render(request, "intake/consent_text_version.html", {"text": text})


@policy.allow(*policy.PARTNER_AND_CARE)
def intentions_edit(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = get_object_or_404(Couple, pk=couple_id)
    if not policy.can_view_couple_shared(request.user, couple):
        policy.deny(request, reason="another couple's intentions", obj=couple, hide=True)
    can_edit = policy.can_edit_couple_intentions(request.user, couple)
    current = CoupleIntentions.objects.filter(couple=couple).select_related("updated_by").first()
    revision = current.revision if current else 0
    conflict = None
    kept = session_lifetime.pop_kept_form(request) if can_edit else None
    data = (request.POST if request.method == "POST" and can_edit else None) or kept
    form = IntentionsForm(data, initial=_intentions_initial(current, revision))
    if data is not None and form.is_valid():
        try:
            services.intentions_update(
                couple=couple,
                user=request.user,
                intentions=form.cleaned_data["intentions"],
                themes=form.cleaned_data["themes"],
                base_revision=form.cleaned_data["revision"],
            )
        except services.IntentionsConflict as clash:
            conflict = clash.current
            form = _form_after_conflict(form, clash)
        else:
            return redirect(f"{reverse('portal:next')}?done=intentions")  # what happens next
    context = {"couple": couple, "current": current, "form": form, "can_edit": can_edit}
    context["conflict"] = conflict
    return render(request, "intake/intentions.html", context)


def _intentions_initial(current, revision: int) -> dict:
    if current is None:
        return {"revision": revision}
    return {"intentions": current.intentions, "themes": current.themes, "revision": revision}


def _form_after_conflict(form: IntentionsForm, clash) -> IntentionsForm:
    """Keep what this partner typed, but base the next save on the other partner's version."""
    data = form.data.copy()
    data["revision"] = clash.current.revision
    rebased = IntentionsForm(data)
    rebased.is_valid()
    rebased.add_error(None, str(clash))
    return rebased


def _couples_for_break_glass(user):
    clinic_id = policy.staff_clinic_id(user)
    return (
        Couple.objects.of_clinic(clinic_id)
        .exclude(Q(primary_clinician=user) | Q(care_team=user))
        .prefetch_related("partners")
        .order_by("-created_at")
    )


@policy.allow(*policy.CARE_TEAM)
def break_glass(request: HttpRequest) -> HttpResponse:
    form = BreakGlassForm(request.POST or None, couples=_couples_for_break_glass(request.user))
    if request.method == "POST" and form.is_valid():
        couple = form.cleaned_data["couple"]
        if not policy.can_break_glass(request.user, couple):
            policy.deny(request, reason="break the glass not allowed", obj=couple)
        try:
            grant = services.break_glass_grant(
                user=request.user,
                couple=couple,
                reason=form.cleaned_data["reason"],
                path=request.path,
                ip_address=audit.client_ip(request),
            )
        except services.DomainError as error:
            form.add_error("reason", str(error))
        else:
            messages.warning(
                request,
                f"Emergency access open until "
                f"{timezone.localtime(grant.expires_at, couple.clinic.zone):%H:%M}. "
                "The clinic admin sees this in the audit log.",
            )
            return redirect("intake:couple_detail", couple_id=couple.pk)
    return render(request, "intake/break_glass.html", {"form": form})
