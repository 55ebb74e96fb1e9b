"""Front desk: calendars, booking, moving, cancelling, check-in, no-show, next free slot."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from intake import selectors as intake_selectors
from kapcouples import policy
from kapcouples.services import DomainError
from sessions import selectors, services
from sessions.forms import BookingForm, CancelForm, NextSlotForm, RescheduleForm
from sessions.views.common import (
    get_appointment_for_staff,
    get_couple_for_staff,
)


def _clinic(request: HttpRequest):
    return request.user.membership.clinic


def _day_from(request: HttpRequest, zone) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate(timezone=zone)


def _by(request: HttpRequest) -> str:
    return "clinician" if request.GET.get("by") == "clinician" else "room"


@policy.allow(*policy.DESK_AND_CARE)
def calendar_day(request: HttpRequest) -> HttpResponse:
    clinic = _clinic(request)
    day = _day_from(request, clinic.zone)
    return _calendar(request, clinic, [day], view="day")


@policy.allow(*policy.DESK_AND_CARE)
def calendar_week(request: HttpRequest) -> HttpResponse:
    clinic = _clinic(request)
    day = _day_from(request, clinic.zone)
    monday = day - datetime.timedelta(days=day.weekday())
    days = [monday + datetime.timedelta(days=n) for n in range(7)]
    return _calendar(request, clinic, days, view="week")


def _calendar(request: HttpRequest, clinic, days, *, view: str) -> HttpResponse:
    """The time grid; `?couple=` books that couple from an empty slot, `?room=` (or
    `?clinician=`) is the column a phone shows."""
    by = _by(request)
    grid = selectors.calendar_grid(clinic_id=clinic.pk, by=by, days=days, zone=clinic.zone)
    couple = _booking_couple(request)
    focus = _focus(request, grid)
    step = datetime.timedelta(days=1 if view == "day" else 7)
    context = {
        "clinic": clinic,
        "day": days[0],
        "grid": grid,
        "by": by,
        "view": view,
        "focus": focus,
        "couple": couple,
        "book_url": _slot_booking_url(couple),
        "keep": _calendar_query(by=by, focus=focus, couple=couple),
        "couple_query": _calendar_query(couple=couple),
        "previous": days[0] - step,
        "next": days[0] + step,
        "today": timezone.localdate(timezone=clinic.zone),
    }
    return render(request, "sessions/calendar.html", context)


def _booking_couple(request: HttpRequest):
    couple_id = request.GET.get("couple", "")
    return get_couple_for_staff(request, int(couple_id)) if couple_id.isdigit() else None


def _focus(request: HttpRequest, grid) -> int | None:
    """The column a phone shows: the one asked for if it is on the grid, else the first."""
    ids = [pk for pk, _ in grid.resources]
    asked = request.GET.get(grid.by, "")
    if asked.isdigit() and int(asked) in ids:
        return int(asked)
    return ids[0] if ids else None


def _slot_booking_url(couple) -> str:
    if couple is None:
        return reverse("clinic_sessions:calendar_book")
    return reverse("clinic_sessions:appointment_new", kwargs={"couple_id": couple.pk})


def _calendar_query(*, by=None, focus=None, couple=None) -> str:
    params = {"by": by} if by else {}
    if by and focus:
        params[by] = focus
    if couple is not None:
        params["couple"] = couple.pk
    return urlencode(params)


PICK_COUPLES = 10
PREFILL_KEYS = ("date", "start_time", "duration", "room", "clinician")


@policy.allow(*policy.DESK_AND_CARE)
def calendar_book(request: HttpRequest) -> HttpResponse:
    """An empty calendar slot chosen before the couple: find the couple, then book it."""
    clinic = _clinic(request)
    query = request.GET.get("q", "")[:100].strip()
    couples = []
    if query:
        mine = intake_selectors.couples_for_user(request.user)
        found = intake_selectors.search_couples(mine, query, clinic_id=clinic.pk)
        couples = list(found[:PICK_COUPLES])
    prefill = {k: request.GET[k][:20] for k in PREFILL_KEYS if request.GET.get(k)}
    context = {
        "clinic": clinic,
        "q": query,
        "couples": couples,
        "prefill": prefill,
        "prefill_query": urlencode(prefill, safe=":"),
        "slot": selectors.slot_summary(clinic_id=clinic.pk, prefill=prefill),
    }
    return render(request, "sessions/calendar_book.html", context)


@policy.allow(*policy.CARE_TEAM)
def today(request: HttpRequest) -> HttpResponse:
    """A clinician's own appointments today, with the way into each session record."""
    clinic = _clinic(request)
    day = timezone.localdate(timezone=clinic.zone)
    start, end = selectors.day_bounds(day, clinic.zone)
    appointments = selectors.appointments_for_clinician(request.user, start, end)
    context = {"clinic": clinic, "day": day, "appointments": appointments}
    return render(request, "sessions/today.html", context)


def _booking_initial(request: HttpRequest) -> dict:
    initial = {
        k: request.GET[k] for k in ("date", "start_time", "room", "kind") if request.GET.get(k)
    }
    if request.GET.get("duration", "").isdigit():
        initial["duration"] = int(request.GET["duration"])
    if request.GET.get("clinician"):
        initial["clinicians"] = [request.GET["clinician"]]
    return initial


@policy.allow(*policy.DESK_AND_CARE)
def appointment_new(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = get_couple_for_staff(request, couple_id)
    form = BookingForm(
        request.POST or None, clinic=couple.clinic, initial=_booking_initial(request)
    )
    check = None
    if request.method == "POST" and form.is_valid():
        slot = _slot(form)
        if "check" in request.POST:
            check = _check(couple, form.cleaned_data["kind"], _place(slot))
            form.ask_to_confirm(services.appointment_time_concerns(couple=couple, **_times(slot)))
        else:
            try:
                appointment = services.appointment_book(
                    couple=couple, kind=form.cleaned_data["kind"], by=request.user, **slot
                )
            except services.ConfirmationNeeded as error:
                form.ask_to_confirm(error.concerns)
            except services.NotReadyError as error:
                check = {"readiness": error.readiness}
                form.add_error(None, _readiness_message(request, couple, error))
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Booked: {services.describe_appointment(appointment)}.")
                return redirect("clinic_sessions:appointment_detail", appointment_id=appointment.pk)
    context = {"couple": couple, "form": form, "check": check, **_viewer(request, couple)}
    return render(request, "sessions/appointment_form.html", context)


def _slot(form) -> dict:
    """The service's arguments: the time and place, and the reasons confirmed for it."""
    data = form.cleaned_data
    return {
        "start": data["start"],
        "end": data["end"],
        "room": data["room"],
        "clinicians": list(data["clinicians"]),
        "outside_hours_reason": data["outside_hours_reason"],
        "backdated_reason": data["backdated_reason"],
    }


def _place(slot: dict) -> dict:
    return {k: slot[k] for k in ("start", "end", "room", "clinicians")}


def _times(slot: dict) -> dict:
    return {"start": slot["start"], "end": slot["end"]}


def _check(couple, kind, slot, exclude=None) -> dict:
    try:
        conflict, readiness = services.appointment_check(
            couple=couple, kind=kind, exclude=exclude, **slot
        )
    except DomainError as error:
        return {"problem": str(error)}
    described = None
    if conflict:
        described = f"{conflict[1]} then: {services.describe_appointment(conflict[0])}."
    return {"conflict": described, "readiness": readiness, "checked": True}


def _viewer(request: HttpRequest, couple) -> dict:
    return {"show_clinical": policy.can_view_clinical(request.user, couple)}


def _readiness_message(request, couple, error) -> str:
    return error.readiness.summary(clinical=policy.can_view_clinical(request.user, couple))


@policy.allow(*policy.DESK_AND_CARE)
def appointment_detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = get_appointment_for_staff(request, appointment_id)
    context = {
        "appointment": appointment,
        "clinicians": [slot.clinician for slot in appointment.clinician_slots.all()],
        "cancel_form": CancelForm(),
        "actions": selectors.appointment_actions(appointment, request.user, timezone.now()),
        **_viewer(request, appointment.couple),
    }
    return render(request, "sessions/appointment_detail.html", context)


@policy.allow(*policy.DESK_AND_CARE)
def appointment_reschedule(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = get_appointment_for_staff(request, appointment_id)
    zone = appointment.clinic.zone
    local = appointment.start.astimezone(zone)
    minutes = int((appointment.end - appointment.start).total_seconds() // 60)
    initial = {
        "date": local.date(),
        "start_time": local.time(),
        "duration": minutes,
        "room": appointment.room,
        "clinicians": [slot.clinician for slot in appointment.clinician_slots.all()],
    }
    form = RescheduleForm(request.POST or None, clinic=appointment.clinic, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_reschedule(appointment=appointment, by=request.user, **_slot(form))
        except services.ConfirmationNeeded as error:
            form.ask_to_confirm(error.concerns)
        except services.NotReadyError as error:
            form.add_error(None, _readiness_message(request, appointment.couple, error))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The appointment is moved.")
            return redirect("clinic_sessions:appointment_detail", appointment_id=appointment.pk)
    context = {"appointment": appointment, "form": form}
    return render(request, "sessions/appointment_reschedule.html", context)


@policy.allow(*policy.DESK_AND_CARE)
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = get_appointment_for_staff(request, appointment_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_cancel(
                appointment=appointment, reason=form.cleaned_data["reason"], by=request.user
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The appointment is cancelled; its slot is free.")
            return redirect("clinic_sessions:appointment_detail", appointment_id=appointment.pk)
    context = {"appointment": appointment, "form": form}
    return render(request, "sessions/appointment_cancel.html", context)


def _status_change(request, appointment_id, service, done: str) -> HttpResponse:
    appointment = get_appointment_for_staff(request, appointment_id)
    try:
        service(appointment=appointment, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("clinic_sessions:appointment_detail", appointment_id=appointment.pk)


@policy.allow(*policy.DESK_AND_CARE)
@require_POST
def appointment_check_in(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _status_change(request, appointment_id, services.appointment_check_in, "Checked in.")


@policy.allow(*policy.DESK_AND_CARE)
@require_POST
def appointment_no_show(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _status_change(
        request, appointment_id, services.appointment_mark_no_show, "Marked as a no-show."
    )


@policy.allow(*policy.CARE_TEAM)
@require_POST
def appointment_complete(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _status_change(
        request, appointment_id, services.appointment_complete, "Marked as completed."
    )


@policy.allow(*policy.DESK_AND_CARE)
def next_free_slot(request: HttpRequest) -> HttpResponse:
    clinic = _clinic(request)
    couple_id = request.GET.get("couple", "")
    couple = get_couple_for_staff(request, int(couple_id)) if couple_id.isdigit() else None
    form = NextSlotForm(request.GET if "duration" in request.GET else None, clinic=clinic)
    slot, book_query = None, ""
    if form.is_valid():
        data = form.cleaned_data
        after = timezone.now()
        if data.get("after"):
            after = max(after, selectors.day_bounds(data["after"], clinic.zone)[0])
        slot = selectors.next_free_slot(
            clinic=clinic,
            duration=datetime.timedelta(minutes=data["duration"]),
            after=after,
            room=data.get("room"),
            clinician=data.get("clinician"),
            couple=couple,
        )
        if slot:
            book_query = _book_query(slot.astimezone(clinic.zone), data)
    context = {
        "form": form,
        "slot": slot,
        "clinic": clinic,
        "book_query": book_query,
        "couple": couple,
    }
    return render(request, "sessions/next_free_slot.html", context)


def _book_query(local, data) -> str:
    params = {"date": local.date().isoformat(), "start_time": f"{local:%H:%M}"}
    params["duration"] = data["duration"]
    if data.get("room"):
        params["room"] = data["room"].pk
    if data.get("clinician"):
        params["clinician"] = data["clinician"].pk
    return urlencode(params)
