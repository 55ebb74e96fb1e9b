"""The medicine-session record (care team only): start, vitals, doses, events, discharge."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kapcouples import audit, policy
from kapcouples.services import DomainError
from sessions import medicine, selectors
from sessions.forms import (
    AcknowledgeForm,
    AdverseEventForm,
    DischargeForm,
    DoseForm,
    EndEarlyForm,
    RolesForm,
    VitalsForm,
)
from sessions.models import MedicineSession, VitalSigns
from sessions.views.common import get_session_for_care, get_session_for_sign_off

FORMS = {
    "vitals": VitalsForm,
    "dose": DoseForm,
    "event": AdverseEventForm,
    "discharge": DischargeForm,
}


def _redirect(session: MedicineSession) -> HttpResponse:
    return redirect("clinic_sessions:session_record", session_id=session.pk)


@policy.allow(*policy.CARE_TEAM_AND_GRANTED)
def session_record(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_sign_off(request, session_id)
    audit.record_read(request, session, clinic_id=session.couple.clinic_id)
    return _render(request, session)


def _render(request, session, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    sheet = selectors.session_sheet(session, request.user, timezone.now())
    context = {
        "session": session,
        "sheet": sheet,
        "appointment": session.appointment,
        "partners": list(session.couple.partners.all()),
        "forms": _record_forms(session, sheet, bound or {}),
        "zone": session.couple.clinic.timezone,
    }
    return render(request, "sessions/session_record.html", context, status=status)


def _record_forms(session, sheet, bound: dict) -> dict:
    """The recording forms, built only when the page shows them: a session in progress, to
    someone who may record (building them costs a millisecond or two per request)."""
    if not (sheet.in_progress and sheet.may_record):
        return {}
    forms = {name: cls(session=session) for name, cls in FORMS.items()}
    return forms | {"early": EndEarlyForm()} | bound


def _post(request, session_id, name, action) -> HttpResponse:
    """Validate the named sub-form, run `action(session, data)`, or show the record with
    the errors next to the fields and everything typed kept."""
    session = get_session_for_care(request, session_id)
    form = FORMS[name](request.POST, session=session)
    if form.is_valid():
        try:
            message = action(session, form.cleaned_data)
        except medicine.InvalidFields as error:
            for field_name, text in error.errors.items():
                form.add_error(field_name if field_name in form.fields else None, text)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, message)
            return _redirect(session)
    return _render(request, session, bound={name: form}, status=400)


@policy.allow(*policy.CARE_TEAM)
@require_POST
def vitals_add(request: HttpRequest, session_id: int) -> HttpResponse:
    def action(session, data):
        vitals = medicine.vitals_record(session=session, by=request.user, **data)
        return f"Vitals recorded ({vitals.get_level_display()})."

    return _post(request, session_id, "vitals", action)


@policy.allow(*policy.CARE_TEAM)
@require_POST
def dose_add(request: HttpRequest, session_id: int) -> HttpResponse:
    def action(session, data):
        dose = medicine.dose_record(session=session, by=request.user, **data)
        return f"{dose.mg} mg recorded for {dose.partner.first_name}."

    return _post(request, session_id, "dose", action)


@policy.allow(*policy.CARE_TEAM)
@require_POST
def adverse_event_add(request: HttpRequest, session_id: int) -> HttpResponse:
    def action(session, data):
        medicine.adverse_event_record(session=session, by=request.user, **data)
        return "Adverse event recorded."

    return _post(request, session_id, "event", action)


@policy.allow(*policy.CARE_TEAM)
@require_POST
def discharge_add(request: HttpRequest, session_id: int) -> HttpResponse:
    def action(session, data):
        discharge = medicine.discharge_record(session=session, by=request.user, **data)
        return f"{discharge.partner.first_name} is discharged with {discharge.escort_name}."

    return _post(request, session_id, "discharge", action)


@policy.allow(*policy.PRESCRIBERS_AND_GRANTED)
@require_POST
def vitals_acknowledge(request: HttpRequest, session_id: int, vitals_id: int) -> HttpResponse:
    session = get_session_for_sign_off(request, session_id)
    vitals = get_object_or_404(VitalSigns, pk=vitals_id, medicine_session=session)
    form = AcknowledgeForm(request.POST)
    form.is_valid()
    try:
        medicine.vitals_acknowledge(
            vitals=vitals, reason=form.cleaned_data.get("reason", ""), by=request.user
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Reading acknowledged.")
    return _redirect(session)


def _simple(request, session_id, run, done: str) -> HttpResponse:
    session = get_session_for_care(request, session_id)
    try:
        run(session)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return _redirect(session)


@policy.allow(*policy.CARE_TEAM)
@require_POST
def session_start(request: HttpRequest, session_id: int) -> HttpResponse:
    def run(session):
        medicine.medicine_session_start(session=session, by=request.user)

    return _simple(request, session_id, run, "The session has started.")


@policy.allow(*policy.CARE_TEAM)
@require_POST
def session_complete(request: HttpRequest, session_id: int) -> HttpResponse:
    def run(session):
        medicine.medicine_session_complete(session=session, by=request.user)

    return _simple(request, session_id, run, "The session is completed.")


@policy.allow(*policy.CARE_TEAM)
@require_POST
def session_end_early(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_care(request, session_id)
    form = EndEarlyForm(request.POST)
    if form.is_valid():
        try:
            medicine.medicine_session_end_early(
                session=session, reason=form.cleaned_data["reason"], by=request.user
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The session is ended early; the reason is recorded.")
            return _redirect(session)
    return _render(request, session, bound={"early": form}, status=400)


@policy.allow(*policy.CARE_TEAM)
def session_roles(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_care(request, session_id)
    initial = {
        "approach": session.approach,
        "dosing_partner": session.dosing_partner,
        "support_role": session.support_role,
        "route": session.route,
    }
    form = RolesForm(request.POST or None, couple=session.couple, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            medicine.medicine_session_update_roles(
                session=session, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Approach and roles saved for this session.")
            return _redirect(session)
    return render(request, "sessions/session_roles.html", {"session": session, "form": form})
