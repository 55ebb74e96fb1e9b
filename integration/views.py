"""Outbox, check-in, integration-note and alert pages. Objects come through policy helpers."""

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from intake.models import ScreeningSettings
from integration import alerts, followups, selectors
from integration import outbox as outbox_service
from integration.clinic_settings import messaging_settings_update
from integration.forms import (
    AlertResolveForm,
    AmendmentForm,
    CheckInForm,
    IntegrationNoteForm,
    MessagingSettingsForm,
    OutboxFilterForm,
    QuestionnaireScheduleForm,
)
from integration.models import Alert, CheckIn, IntegrationNote, Reminder
from integration.outbox import messaging_settings_for
from kapcouples import audit, policy
from kapcouples.services import DomainError


def _get_checkin_for_partner(request: HttpRequest, checkin_id: int) -> CheckIn:
    checkin = get_object_or_404(CheckIn.objects.select_related("partner__couple"), pk=checkin_id)
    if not policy.can_answer_checkin(request.user, checkin):
        policy.deny(request, reason="another partner's check-in", obj=checkin.couple, hide=True)
    return checkin


def _get_couple_for_notes(request: HttpRequest, couple):
    if policy.is_outsider_to_clinic(request.user, couple.clinic_id):
        policy.deny(request, reason="couple of another clinic", obj=couple, hide=True)
    if not policy.can_write_integration_note(request.user, couple):
        policy.deny(request, reason="not on this couple's care team", obj=couple)
    return couple


def _get_integration_appointment(request: HttpRequest, appointment_id: int):
    Appointment = apps.get_model("clinic_sessions", "Appointment")  # see integration.lookups
    appointment = get_object_or_404(
        Appointment.objects.select_related("couple"),
        pk=appointment_id,
        kind=Appointment.Kind.INTEGRATION,
    )
    _get_couple_for_notes(request, appointment.couple)
    return appointment


def _get_note_for_care_team(request: HttpRequest, note_id: int) -> IntegrationNote:
    note = get_object_or_404(
        IntegrationNote.objects.select_related("couple", "appointment"), pk=note_id
    )
    _get_couple_for_notes(request, note.couple)
    return note


@policy.allow(*policy.ALL_STAFF)
def outbox(request: HttpRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    reminders = selectors.outbox_for_user(request.user, **filters)
    page = Paginator(reminders, 50).get_page(request.GET.get("page"))
    openable = selectors.couples_openable(request.user, page.object_list)
    context = {"page": page, "form": form, "openable": openable}
    return render(request, "integration/outbox.html", context)


@policy.allow(*policy.ALL_STAFF)
@require_POST
def outbox_retry(request: HttpRequest, reminder_id: int) -> HttpResponse:
    reminder = get_object_or_404(Reminder, pk=reminder_id)
    if not policy.can_view_outbox(request.user, reminder.clinic_id):
        policy.deny(request, reason="message of another clinic", hide=True)
    try:
        outbox_service.reminder_retry(reminder=reminder, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The message is queued to be sent again.")
    return redirect("integration:outbox")


@policy.allow(*policy.PARTNERS)
def checkin_answer(request: HttpRequest, checkin_id: int) -> HttpResponse:
    checkin = _get_checkin_for_partner(request, checkin_id)
    audit.record_read(request, checkin, clinic_id=checkin.partner.couple.clinic_id)
    initial = {field: getattr(checkin, field) for field in CheckInForm.base_fields}
    # An empty POST (nothing ticked, nothing typed) is still an answer to refuse.
    form = CheckInForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            followups.checkin_answer(checkin=checkin, by=request.user, values=form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect(f"{reverse('portal:next')}?done=checkin")  # what happens next
    crisis = ScreeningSettings.for_clinic(checkin.partner.couple.clinic_id)
    context = {"checkin": checkin, "form": form, "crisis": crisis}
    return render(request, "integration/checkin_form.html", context)


@policy.allow(*policy.CARE_TEAM)
def note_edit(request: HttpRequest, integration_appointment_id: int) -> HttpResponse:
    appointment = _get_integration_appointment(request, integration_appointment_id)
    note = IntegrationNote.objects.filter(appointment=appointment).first()
    if note is not None and note.is_signed:
        return redirect("integration:note_detail", note_id=note.pk)
    form = IntegrationNoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        note = _save_note(request, appointment, form)
        if note is not None:
            messages.success(request, "Draft saved. Sign it when it is complete.")
            return redirect("integration:note_detail", note_id=note.pk)
    context = {"appointment": appointment, "form": form, "note": note}
    return render(request, "integration/note_form.html", context)


def _save_note(request: HttpRequest, appointment, form):
    try:
        return followups.integration_note_save(
            appointment=appointment, author=request.user, values=form.cleaned_data
        )
    except DomainError as error:
        form.add_error(None, str(error))
        return None


@policy.allow(*policy.CARE_TEAM)
def note_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    note = _get_note_for_care_team(request, note_id)
    audit.record_read(request, note, clinic_id=note.couple.clinic_id)
    versions = note.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "integration/note_detail.html", {"note": note, "versions": versions})


@policy.allow(*policy.CARE_TEAM)
@require_POST
def note_sign(request: HttpRequest, note_id: int) -> HttpResponse:
    note = _get_note_for_care_team(request, note_id)
    try:
        followups.integration_note_sign(note=note, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The note is signed. From now on it can only be amended.")
    return redirect("integration:note_detail", note_id=note.pk)


@policy.allow(*policy.CARE_TEAM)
def note_amend(request: HttpRequest, note_id: int) -> HttpResponse:
    note = _get_note_for_care_team(request, note_id)
    form = AmendmentForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        values, reason = form.cleaned_data, form.cleaned_data["reason"]
        note.refresh_from_db()  # the ModelForm wrote the typed values onto the instance
        try:
            followups.integration_note_amend(
                note=note, by=request.user, values=values, reason=reason
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The amendment is signed; the earlier version is kept.")
            return redirect("integration:note_detail", note_id=note.pk)
    return render(request, "integration/note_amend.html", {"note": note, "form": form})


INBOX_PAGE_SIZE = 25


@policy.allow(*policy.CARE_TEAM)
def alerts_inbox(request: HttpRequest) -> HttpResponse:
    return _render_inbox(request)


def _render_inbox(request: HttpRequest, *, refused=None, status: int = 200) -> HttpResponse:
    """The inbox; `refused`: an (alert, bound form) whose resolution was refused, shown
    first with its error and the typed note, whichever page it was on."""
    alerts_page = Paginator(
        selectors.open_alerts_for_user(request.user)
        .select_related("couple", "partner", "acknowledged_by")
        .prefetch_related("couple__partners"),  # the couple's name
        INBOX_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    rows = [(a, AlertResolveForm(alert_id=a.pk)) for a in alerts_page]
    if refused is not None:
        rows = [refused] + [row for row in rows if row[0].pk != refused[0].pk]
    # Alert messages are clinical: the read is logged like a chart's (the path names it).
    audit.record_read(request, None, clinic_id=policy.staff_clinic_id(request.user))
    context = {"page": alerts_page, "rows": rows, "zone": request.user.membership.clinic.timezone}
    return render(request, "integration/alerts_inbox.html", context, status=status)


def _get_alert_for_care_team(request: HttpRequest, alert_id: int) -> Alert:
    alert = get_object_or_404(Alert.objects.select_related("couple"), pk=alert_id)
    if policy.is_outsider_to_clinic(request.user, alert.clinic_id):
        policy.deny(request, reason="alert of another clinic", obj=alert.couple, hide=True)
    if not policy.can_acknowledge_alert(request.user, alert.couple):
        policy.deny(request, reason="not on this couple's care team", obj=alert.couple)
    return alert


def _back(request: HttpRequest, alert: Alert) -> HttpResponse:
    """Back where the button was: the inbox, or the couple's page."""
    if request.POST.get("back") == "inbox":
        return redirect("integration:alerts_inbox")
    return redirect("intake:couple_detail", couple_id=alert.couple_id)


@policy.allow(*policy.CARE_TEAM)
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = _get_alert_for_care_team(request, alert_id)
    try:
        alerts.alert_acknowledge(alert=alert, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Alert acknowledged.")
    return _back(request, alert)


@policy.allow(*policy.CARE_TEAM)
@require_POST
def alert_resolve(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = _get_alert_for_care_team(request, alert_id)
    form = AlertResolveForm(request.POST, alert_id=alert.pk)
    if form.is_valid():
        try:
            alerts.alert_resolve(alert=alert, by=request.user, note=form.cleaned_data["note"])
        except alerts.InvalidNote as error:
            form.add_error("note", str(error))
        except DomainError as error:
            messages.error(request, str(error))
            return _back(request, alert)
        else:
            messages.success(request, "Alert resolved; the note is kept with it.")
            return _back(request, alert)
    # The inbox again, with the error next to this alert's note and the typing kept.
    return _render_inbox(request, refused=(alert, form), status=400)


@policy.allow(*policy.CLINIC_ADMINS)
def messaging_settings_edit(request: HttpRequest) -> HttpResponse:
    clinic_id = policy.staff_clinic_id(request.user)
    current = messaging_settings_for(clinic_id)
    data = request.POST or None
    form = MessagingSettingsForm(data, instance=current)
    schedule_form = QuestionnaireScheduleForm(
        data, schedule=current.questionnaire_schedule, prefix="schedule"
    )
    if request.method == "POST" and form.is_valid() & schedule_form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        values["questionnaire_schedule"] = schedule_form.cleaned_data["schedule"]
        try:
            messaging_settings_update(
                by=request.user, clinic_id=clinic_id, values=values, where=audit.where_from(request)
            )
        except ValidationError as error:
            form.add_error(None, error)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Message settings saved.")
            return redirect("integration:messaging_settings_edit")
    context = {"form": form, "schedule_form": schedule_form}
    return render(request, "integration/messaging_settings_form.html", context)
