"""The public request page, the front desk's inbox and the clinic admin's retention setting."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from discovery import selectors, services
from discovery.forms import (
    CONSENT_WORDING,
    CallBookForm,
    DiscoveryRequestForm,
    DiscoverySettingsForm,
)
from discovery.models import DiscoveryRequest, DiscoverySettings
from intake.forms import EnrolCoupleForm
from kapcouples import audit, policy
from kapcouples.models import Clinic


# --- The public page -----------------------------------------------------------------------
@policy.public
def request_call(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = get_object_or_404(Clinic, slug=clinic_slug)
    form = DiscoveryRequestForm(request.POST or None)
    if request.method == "POST":
        source = services.source_of(audit.client_ip(request), clinic)
        if form.is_spam:  # pretend it worked, so the bot learns nothing
            services.discovery_spam_caught(clinic=clinic, source=source)
            return redirect("discovery:request_thanks", clinic_slug=clinic.slug)
        if form.is_valid():
            try:
                services.discovery_request_submit(
                    clinic=clinic,
                    source=source,
                    values=form.values(),
                    consent_wording=str(CONSENT_WORDING),
                    language=get_language(),
                )
            except services.RateLimited as error:
                form.add_error(None, str(error))
            else:
                return redirect("discovery:request_thanks", clinic_slug=clinic.slug)
    return render(request, "discovery/request_call.html", {"clinic": clinic, "form": form})


@policy.public
def request_thanks(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = get_object_or_404(Clinic, slug=clinic_slug)
    days = DiscoverySettings.for_clinic(clinic.pk).retention_days
    return render(
        request, "discovery/request_thanks.html", {"clinic": clinic, "retention_days": days}
    )


# --- The inbox -------------------------------------------------------------------------------
def _get_request_for_user(request: HttpRequest, discovery_request_id: int) -> DiscoveryRequest:
    """The request if the reader may read it; a 404 (logged) otherwise, even for its clinic's
    existence, since another clinic's requests are none of their business."""
    found = (
        DiscoveryRequest.objects.select_related("clinic", "handled_by", "couple")
        .filter(pk=discovery_request_id)
        .first()
    )
    if found is None or not policy.can_read_discovery_request(request.user, found):
        policy.deny(request, reason="not a discovery request of this clinic", obj=found, hide=True)
    return found


@policy.allow(*policy.DISCOVERY_READERS)
def inbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in DiscoveryRequest.Status.values:
        status = ""
    context = {
        "requests": selectors.inbox_for_user(request.user, status=status)[:200],
        "status": status,
        "statuses": DiscoveryRequest.Status.choices,
    }
    return render(request, "discovery/inbox.html", context)


def _render_detail(request, found, *, book_form=None, status=200) -> HttpResponse:
    audit.record_read(request, found, clinic_id=found.clinic_id)
    context = {
        "found": found,
        "book_form": book_form or CallBookForm(zone=found.clinic.zone),
        "may_handle": policy.can_handle_discovery_request(request.user, found),
        "may_enrol": policy.can_enrol_from_discovery_request(request.user, found),
    }
    return render(request, "discovery/detail.html", context, status=status)


@policy.allow(*policy.DISCOVERY_READERS)
def detail(request: HttpRequest, discovery_request_id: int) -> HttpResponse:
    return _render_detail(request, _get_request_for_user(request, discovery_request_id))


@policy.allow(*policy.DISCOVERY_HANDLERS)
@require_POST
def book_call(request: HttpRequest, discovery_request_id: int) -> HttpResponse:
    found = _get_request_for_user(request, discovery_request_id)
    form = CallBookForm(request.POST, zone=found.clinic.zone)
    if form.is_valid():
        try:
            services.discovery_call_book(
                discovery_request=found,
                by=request.user,
                call_at=form.cleaned_data["call_at"],
                where=audit.where_from(request),
            )
        except services.FieldError as error:
            form.add_error("date", str(error))
        except services.DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Call booked.")
            return redirect("discovery:detail", discovery_request_id=found.pk)
    return _render_detail(request, found, book_form=form, status=400)


@policy.allow(*policy.DISCOVERY_HANDLERS)
@require_POST
def decline(request: HttpRequest, discovery_request_id: int) -> HttpResponse:
    found = _get_request_for_user(request, discovery_request_id)
    try:
        services.discovery_request_decline(
            discovery_request=found, by=request.user, where=audit.where_from(request)
        )
    except services.DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Marked as declined or unanswered.")
    return redirect("discovery:detail", discovery_request_id=found.pk)


def _enrol_initial(found: DiscoveryRequest) -> dict:
    return {
        "p1_first_name": found.first_name,
        "p1_email": found.email,
        "p2_first_name": found.second_name,
    }


@policy.allow(*policy.DISCOVERY_ENROLLERS)
def enrol(request: HttpRequest, discovery_request_id: int) -> HttpResponse:
    found = _get_request_for_user(request, discovery_request_id)
    form = EnrolCoupleForm(
        request.POST or None,
        initial=_enrol_initial(found),
        clinicians=selectors.clinicians_of(found.clinic_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            couple = services.discovery_request_enrol(
                discovery_request=found,
                by=request.user,
                primary_clinician=form.cleaned_data["primary_clinician"],
                care_team=form.cleaned_data["care_team"],
                partners=form.partners(),
                where=audit.where_from(request),
            )
        except services.DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Couple enrolled. Send each partner their invitation.")
            return redirect("intake:couple_detail", couple_id=couple.pk)
    audit.record_read(request, found, clinic_id=found.clinic_id)
    return render(request, "discovery/enrol.html", {"form": form, "found": found})


# --- The clinic admin's setting ----------------------------------------------------------------
@policy.allow(*policy.CLINIC_ADMINS)
def settings_edit(request: HttpRequest) -> HttpResponse:
    clinic_id = policy.staff_clinic_id(request.user)
    current = DiscoverySettings.for_clinic(clinic_id)
    form = DiscoverySettingsForm(
        request.POST or None, initial={"retention_days": current.retention_days}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.discovery_settings_update(
                by=request.user,
                clinic_id=clinic_id,
                retention_days=form.cleaned_data["retention_days"],
                where=audit.where_from(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Discovery-call settings saved.")
            return redirect("discovery:settings_edit")
    return render(request, "discovery/settings_form.html", {"form": form})
