"""Group program pages: the list, a program with its roster, booking a group session,
one group session with its group notes, a room's seats, and a partner's own group
sessions. Objects come through the helpers below, which ask the policy."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from groups import selectors, services
from groups.forms import (
    EnrolForm,
    GroupSessionForm,
    NoteForm,
    ProgramForm,
    ReasonForm,
    RoomSeatsForm,
)
from groups.models import GroupEnrolment, GroupProgram, GroupSession
from kapcouples import policy
from kapcouples.models import Room
from kapcouples.services import DomainError


def _get_program_for_user(request: HttpRequest, program_id: int) -> GroupProgram:
    program = get_object_or_404(
        GroupProgram.objects.select_related("room", "clinic"), pk=program_id
    )
    if not policy.can_view_group_program(request.user, program):
        hide = policy.is_outsider_to_clinic(request.user, program.clinic_id)
        policy.deny(request, reason="not on this group's team", obj=program, hide=hide)
    return program


def _get_session_for_user(request: HttpRequest, group_session_id: int) -> GroupSession:
    session = get_object_or_404(
        GroupSession.objects.select_related("program__clinic", "room"), pk=group_session_id
    )
    _get_program_for_user(request, session.program_id)
    return session


@policy.allow(*policy.DESK_AND_CARE)
def program_list(request: HttpRequest) -> HttpResponse:
    programs = selectors.programs_for_user(request.user)
    may_create = policy.can_create_group_program(request.user, policy.staff_clinic_id(request.user))
    return render(
        request, "groups/program_list.html", {"programs": programs, "may_create": may_create}
    )


@policy.allow(*policy.CARE_TEAM)
def program_create(request: HttpRequest) -> HttpResponse:
    clinic_id = policy.staff_clinic_id(request.user)
    form = ProgramForm(request.POST or None, clinic_id=clinic_id)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        facilitators = list(values.pop("facilitators"))
        try:
            program = services.program_create(
                by=request.user, values=values, facilitators=facilitators
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect("groups:program_detail", program_id=program.pk)
    return render(request, "groups/program_form.html", {"form": form})


@policy.allow(*policy.DESK_AND_CARE)
def program_detail(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _get_program_for_user(request, program_id)
    sheet = selectors.program_sheet(program, request.user)
    enrol = EnrolForm(user=request.user) if sheet.may_manage else None
    return render(request, "groups/program_detail.html", {"sheet": sheet, "enrol_form": enrol})


@policy.allow(*policy.CARE_TEAM)
@require_POST
def enrolment_add(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _get_program_for_user(request, program_id)
    form = EnrolForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.enrolment_add(
                program=program, couple=form.cleaned_data["couple"], by=request.user
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{form.cleaned_data['couple']} joined the group.")
    else:
        messages.error(request, "Choose a couple of your care team to enrol.")
    return redirect("groups:program_detail", program_id=program.pk)


@policy.allow(*policy.CARE_TEAM)
def enrolment_withdraw(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = get_object_or_404(GroupEnrolment.objects.select_related("couple"), pk=enrolment_id)
    program = _get_program_for_user(request, enrolment.program_id)
    form = ReasonForm(request.POST or None, label="Withdraw the couple")
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_withdraw(
                enrolment=enrolment, reason=form.cleaned_data["reason"], by=request.user
            )
        except DomainError as error:
            form.add_error("reason", str(error))
        else:
            return redirect("groups:program_detail", program_id=program.pk)
    title = f"Withdraw {enrolment.couple} from {program.name}"
    return render(request, "groups/reason_form.html", {"form": form, "title": title})


@policy.allow(*policy.DESK_AND_CARE)
def group_session_book(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _get_program_for_user(request, program_id)
    form = GroupSessionForm(request.POST or None, program=program)
    not_ready = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.group_session_book(
                program=program,
                kind=data["kind"],
                start=data["start"],
                end=data["end"],
                room=data["room"],
                by=request.user,
                outside_hours_reason=data["outside_hours_reason"],
            )
        except services.CouplesNotReady as error:
            not_ready = selectors.not_ready_rows(error.couples, request.user)
            form.add_error(None, "Not every couple is ready, so nothing was booked.")
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect("groups:session_detail", group_session_id=session.pk)
    context = {"form": form, "program": program, "not_ready": not_ready}
    return render(request, "groups/session_form.html", context)


@policy.allow(*policy.DESK_AND_CARE)
def session_detail(request: HttpRequest, group_session_id: int) -> HttpResponse:
    session = _get_session_for_user(request, group_session_id)
    context = selectors.session_sheet(session, request.user)
    context["note_form"] = NoteForm() if context["may_write_notes"] else None
    return render(request, "groups/session_detail.html", context)


@policy.allow(*policy.CARE_TEAM)
@require_POST
def note_add(request: HttpRequest, group_session_id: int) -> HttpResponse:
    session = _get_session_for_user(request, group_session_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.group_note_add(
                group_session=session, text=form.cleaned_data["text"], by=request.user
            )
        except DomainError as error:
            form.add_error("text", str(error))
        else:
            return redirect("groups:session_detail", group_session_id=session.pk)
    context = selectors.session_sheet(session, request.user) | {"note_form": form}
    return render(request, "groups/session_detail.html", context, status=400)


@policy.allow(*policy.DESK_AND_CARE)
def session_cancel(request: HttpRequest, group_session_id: int) -> HttpResponse:
    session = _get_session_for_user(request, group_session_id)
    form = ReasonForm(request.POST or None, label="Cancel for every couple")
    if request.method == "POST" and form.is_valid():
        try:
            services.group_session_cancel(
                group_session=session, reason=form.cleaned_data["reason"], by=request.user
            )
        except DomainError as error:
            form.add_error("reason", str(error))
        else:
            return redirect("groups:program_detail", program_id=session.program_id)
    title = f"Cancel the {session.get_kind_display().lower()} for every couple"
    return render(request, "groups/reason_form.html", {"form": form, "title": title})


@policy.allow(*policy.CLINIC_ADMINS)
def room_seats(request: HttpRequest, room_id: int) -> HttpResponse:
    room = get_object_or_404(Room, pk=room_id)
    if not policy.can_set_room_capacity(request.user, room):
        policy.deny(request, reason="room of another clinic", obj=room, hide=True)
    form = RoomSeatsForm(request.POST or None, initial={"capacity": room.capacity})
    if request.method == "POST" and form.is_valid():
        try:
            services.room_capacity_set(
                room=room, capacity=form.cleaned_data["capacity"], by=request.user
            )
        except DomainError as error:
            form.add_error("capacity", str(error))
        else:
            messages.success(request, f"{room.name} now seats {room.capacity} couple(s).")
            return redirect("clinic_admin:room_list")
    context = {"form": form, "title": f"Seats of {room.name}", "back_to_rooms": True}
    return render(request, "groups/reason_form.html", context)


@policy.allow(*policy.PARTNERS)
def partner_sessions(request: HttpRequest) -> HttpResponse:
    rows = selectors.partner_group_sessions(request.user)
    return render(request, "groups/partner_sessions.html", {"rows": rows})
