"""Treatment plans, readiness overrides, protocol settings and calendar feeds."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kapcouples import audit, policy
from kapcouples.models import Role
from kapcouples.services import DomainError
from sessions import ical, selectors, services
from sessions.forms import OpeningHoursForm, OverrideForm, PlanForm, ProtocolForm
from sessions.hours import opening_hours_for
from sessions.models import Appointment, CalendarFeed, TreatmentPlan
from sessions.protocol import protocol_for
from sessions.readiness import readiness_check
from sessions.views.common import (
    get_appointment_for_viewer,
    get_couple_for_care,
    get_couple_for_sign_off,
)

FEED_PAST_DAYS, FEED_AHEAD_DAYS, FEED_LIMIT = 30, 180, 1000


def _to_couple(couple) -> HttpResponse:
    return redirect("intake:couple_detail", couple_id=couple.pk)


@policy.allow(*policy.CARE_TEAM)
def plan_edit(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = get_couple_for_care(request, couple_id)
    audit.record_read(request, couple, clinic_id=couple.clinic_id)
    plan = TreatmentPlan.objects.filter(couple=couple).first()
    form = PlanForm(request.POST or None, instance=plan, couple=couple)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.plan_save(couple=couple, by=request.user, values=values)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The plan is saved. Approve it when it is complete.")
            return redirect("clinic_sessions:plan_edit", couple_id=couple.pk)
    context = {
        "couple": couple,
        "plan": plan,
        "form": form,
        "missing": services.plan_missing_preparation(plan) if plan else [],
        "may_approve": policy.can_approve_plan(request.user, couple),
        "plan_is_active": plan is not None and plan.status == TreatmentPlan.Status.ACTIVE,
        "plan_awaits_approval": plan is not None and plan.status == TreatmentPlan.Status.DRAFT,
        "checklist": protocol_for(couple.clinic_id).checklist_items,
    }
    return render(request, "sessions/plan_form.html", context)


@policy.allow(*policy.PRESCRIBERS)
@require_POST
def plan_approve(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = get_couple_for_care(request, couple_id)
    plan = TreatmentPlan.objects.filter(couple=couple).first()
    if plan is None:
        messages.error(request, "Write the plan first.")
    else:
        try:
            services.plan_approve(plan=plan, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The plan is approved and active.")
    return redirect("clinic_sessions:plan_edit", couple_id=couple.pk)


@policy.allow(*policy.PRESCRIBERS_AND_GRANTED)
def readiness_override(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = get_couple_for_sign_off(request, couple_id)
    upcoming = (
        Appointment.objects.active()
        .filter(couple=couple, kind=Appointment.Kind.MEDICINE, start__gte=timezone.now())
        .order_by("start")
        .first()
    )
    start = upcoming.start if upcoming else timezone.now()
    readiness = readiness_check(couple=couple, start=start, appointment=upcoming)
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.readiness_override(
                couple=couple,
                session_number=readiness.session_number,
                appointment=upcoming,
                by=request.user,
                **form.cleaned_data,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Override recorded.")
            return _to_couple(couple)
    context = {"couple": couple, "form": form, "readiness": readiness}
    return render(request, "sessions/override_form.html", context)


@policy.allow(*policy.CLINIC_ADMINS)
def protocol_edit(request: HttpRequest) -> HttpResponse:
    protocol = protocol_for(request.user.membership.clinic_id)
    form = ProtocolForm(request.POST or None, instance=protocol)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.protocol_update(protocol=protocol, values=values, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)  # a dict of messages goes next to each field
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Protocol settings saved.")
            return redirect("clinic_sessions:protocol_edit")
    return render(request, "sessions/protocol_form.html", {"form": form})


@policy.allow(*policy.CLINIC_ADMINS)
def opening_hours_edit(request: HttpRequest) -> HttpResponse:
    clinic = request.user.membership.clinic
    form = OpeningHoursForm(request.POST or None, hours=opening_hours_for(clinic.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.opening_hours_update(
                clinic_id=clinic.pk, values=form.values(), by=request.user
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Opening hours saved.")
            return redirect("clinic_sessions:opening_hours_edit")
    return render(request, "sessions/opening_hours_form.html", {"form": form, "clinic": clinic})


@policy.allow(*policy.CARE_TEAM)
def feed_manage(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(clinician=request.user)
            messages.success(request, "The calendar link is switched off.")
        else:
            services.calendar_feed_renew(clinician=request.user)
            messages.success(request, "A new calendar link is ready; any earlier one stopped.")
        return redirect("clinic_sessions:feed_manage")
    feed = CalendarFeed.objects.filter(clinician=request.user, revoked_at__isnull=True).first()
    url = request.build_absolute_uri(_feed_path(feed)) if feed is not None else None
    return render(request, "sessions/feed_manage.html", {"feed": feed, "feed_url": url})


def _feed_path(feed: CalendarFeed) -> str:
    return reverse("clinic_sessions:feed", kwargs={"feed_token": feed.token})


@policy.public
def feed(request: HttpRequest, feed_token: str) -> HttpResponse:
    """A clinician's calendar for their phone. The secret token is the credential."""
    found = (
        CalendarFeed.objects.select_related("clinician__membership")
        .filter(token=feed_token, revoked_at__isnull=True)
        .first()
    )
    if found is None or policy.role_of(found.clinician) not in policy.CLINICAL_ROLES:
        raise Http404("No such calendar")
    now = timezone.now()
    appointments = selectors.appointments_for_clinician(
        found.clinician,
        now - datetime.timedelta(days=FEED_PAST_DAYS),
        now + datetime.timedelta(days=FEED_AHEAD_DAYS),
    )[:FEED_LIMIT]
    body = ical.feed_ics(f"KAP Couples – {found.clinician.get_full_name()}", appointments)
    # Logged as the clinician's read, with the token left out of the path: the log's
    # readers must not learn a credential from it.
    audit.record_read(
        request,
        None,
        clinic_id=found.clinician.membership.clinic_id,
        user=found.clinician,
        path=reverse("clinic_sessions:feed", kwargs={"feed_token": "hidden"}),
        subject=f"Calendar feed of {found.clinician.get_full_name()}",
    )
    return _ics_response(body, "appointments.ics", inline=True)


@policy.allow(*policy.VIEWERS_OF_APPOINTMENTS)
def appointment_ics(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = get_appointment_for_viewer(request, appointment_id)
    for_partner = policy.role_of(request.user) == Role.PARTNER
    body = ical.appointment_ics(appointment, for_partner=for_partner)
    audit.record_read(request, appointment, clinic_id=appointment.clinic_id)
    return _ics_response(body, f"appointment-{appointment.pk}.ics", inline=False)


def _ics_response(body: bytes, filename: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
