"""The clinic admin's pages: staff accounts, rooms and the settings index.

Each page is for the clinic admin only; another clinic's staff or room is a logged 404.
The services decide and audit; these views parse, ask, call and render.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy

from kapcouples import audit, clinic_admin, policy
from kapcouples.clinic_admin import DomainError
from kapcouples.forms import (
    HandOverForm,
    RoomForm,
    StaffInviteForm,
    StaffRoleForm,
    StyledSetPasswordForm,
)
from kapcouples.models import Room, StaffMembership

HISTORY_ROWS = 20


def _membership_for_admin(request: HttpRequest, membership_id: int) -> StaffMembership:
    membership = get_object_or_404(StaffMembership.objects.select_related("user"), pk=membership_id)
    if not policy.can_manage_clinic(request.user, membership.clinic_id):
        policy.deny(request, reason="another clinic's staff member", obj=membership, hide=True)
    return membership


def _room_for_admin(request: HttpRequest, room_id: int) -> Room:
    room = get_object_or_404(Room.objects.select_related("clinic"), pk=room_id)
    if not policy.can_manage_clinic(request.user, room.clinic_id):
        policy.deny(request, reason="another clinic's room", obj=room, hide=True)
    return room


def _posted(request: HttpRequest):
    """The POST data, even when empty (an empty form must still be checked), else None."""
    return request.POST if request.method == "POST" else None


def _show_error(form, error: DomainError) -> None:
    form.add_error(getattr(error, "field", None), str(error))


# --- Staff ----------------------------------------------------------------------------------
@policy.allow(*policy.CLINIC_ADMINS)
def staff_list(request: HttpRequest) -> HttpResponse:
    staff = clinic_admin.staff_of_clinic(policy.staff_clinic_id(request.user))
    return render(request, "clinic_admin/staff_list.html", {"staff": staff})


@policy.allow(*policy.CLINIC_ADMINS)
def staff_invite(request: HttpRequest) -> HttpResponse:
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = clinic_admin.staff_invite(
                by=request.user,
                clinic=request.user.membership.clinic,
                where=audit.where_from(request),
                **form.cleaned_data,
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"Invitation sent to {membership.user.email}.")
            return redirect("clinic_admin:staff_list")
    return render(request, "clinic_admin/staff_invite.html", {"form": form})


@policy.allow(*policy.CLINIC_ADMINS)
def staff_detail(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _membership_for_admin(request, membership_id)
    form = StaffRoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            clinic_admin.staff_change_role(
                by=request.user,
                membership=membership,
                role=form.cleaned_data["role"],
                where=audit.where_from(request),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
            return redirect("clinic_admin:staff_detail", membership_id=membership.pk)
    return render(request, "clinic_admin/staff_detail.html", _staff_context(membership, form))


def _staff_context(membership: StaffMembership, form) -> dict:
    history = membership.history.select_related("history_user").order_by("-history_date")
    return {
        "membership": membership,
        "form": form,
        "couples": clinic_admin.caseload_of(membership.user),
        "history": history[:HISTORY_ROWS],
    }


def _hand_over_form(request: HttpRequest, membership, couples, label: str) -> HandOverForm:
    return HandOverForm(
        _posted(request),
        candidates=clinic_admin.clinicians_to_hand_to(membership),
        required=bool(couples),
        label=label,
    )


@policy.allow(*policy.CLINIC_ADMINS)
def staff_deactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _membership_for_admin(request, membership_id)
    couples = clinic_admin.caseload_of(membership.user)
    form = _hand_over_form(request, membership, couples, "Deactivate and end their sessions")
    if request.method == "POST" and form.is_valid():
        try:
            clinic_admin.staff_deactivate(
                by=request.user,
                membership=membership,
                hand_over_to=form.cleaned_data["hand_over_to"],
                where=audit.where_from(request),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"{membership.user} is deactivated and signed out.")
            return redirect("clinic_admin:staff_detail", membership_id=membership.pk)
    context = {"membership": membership, "couples": couples, "form": form}
    return render(request, "clinic_admin/staff_deactivate.html", context)


@policy.allow(*policy.CLINIC_ADMINS)
def staff_hand_over(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _membership_for_admin(request, membership_id)
    couples = clinic_admin.caseload_of(membership.user)
    form = _hand_over_form(request, membership, True, "Hand over their couples")
    if request.method == "POST" and form.is_valid():
        try:
            moved = clinic_admin.staff_hand_over(
                by=request.user,
                membership=membership,
                to=form.cleaned_data["hand_over_to"],
                where=audit.where_from(request),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"{len(moved)} couple(s) handed over.")
            return redirect("clinic_admin:staff_detail", membership_id=membership.pk)
    context = {"membership": membership, "couples": couples, "form": form}
    return render(request, "clinic_admin/staff_hand_over.html", context)


# --- Rooms ----------------------------------------------------------------------------------
@policy.allow(*policy.CLINIC_ADMINS)
def room_list(request: HttpRequest) -> HttpResponse:
    clinic = request.user.membership.clinic
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            room = clinic_admin.room_add(
                by=request.user,
                clinic=clinic,
                name=form.cleaned_data["name"],
                where=audit.where_from(request),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"{room.name} added.")
            return redirect("clinic_admin:room_list")
    rooms = clinic.rooms.order_by("-is_active", "name")
    return render(request, "clinic_admin/room_list.html", {"rooms": rooms, "form": form})


@policy.allow(*policy.CLINIC_ADMINS)
def room_rename(request: HttpRequest, room_id: int) -> HttpResponse:
    room = _room_for_admin(request, room_id)
    form = RoomForm(request.POST or None, initial={"name": room.name}, submit_label="Rename")
    if request.method == "POST" and form.is_valid():
        try:
            clinic_admin.room_rename(
                by=request.user,
                room=room,
                name=form.cleaned_data["name"],
                where=audit.where_from(request),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, f"Renamed to {room.name}.")
            return redirect("clinic_admin:room_list")
    return render(request, "clinic_admin/room_rename.html", {"room": room, "form": form})


@policy.allow(*policy.CLINIC_ADMINS)
def room_retire(request: HttpRequest, room_id: int) -> HttpResponse:
    room = _room_for_admin(request, room_id)
    bookings, error = clinic_admin.future_bookings_of(room), None
    if request.method == "POST":
        try:
            clinic_admin.room_retire(by=request.user, room=room, where=audit.where_from(request))
        except clinic_admin.RoomHasBookings as refusal:
            bookings, error = refusal.bookings, str(refusal)
        except DomainError as refusal:
            error = str(refusal)
        else:
            messages.success(request, f"{room.name} is retired: it can no longer be booked.")
            return redirect("clinic_admin:room_list")
    context = {"room": room, "bookings": bookings, "error": error}
    return render(request, "clinic_admin/room_retire.html", context)


# --- Settings ---------------------------------------------------------------------------------
@policy.allow(*policy.CLINIC_ADMINS)
def settings_index(request: HttpRequest) -> HttpResponse:
    """Links to each app's settings page: each app owns and edits its own settings."""
    return render(request, "clinic_admin/settings_index.html")


# --- The invitation link (before the new staff member has a password) -------------------------
staff_invitation_accept = policy.public(
    auth_views.PasswordResetConfirmView.as_view(
        token_generator=clinic_admin.staff_invitation_tokens,
        form_class=StyledSetPasswordForm,
        post_reset_login=True,
        post_reset_login_backend="kapcouples.auth_backends.KapModelBackend",
        # Staff enrol their second factor at once; the middleware would insist anyway.
        success_url=reverse_lazy("two_factor_setup"),
        template_name="clinic_admin/invitation_accept.html",
    )
)
