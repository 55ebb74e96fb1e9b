"""The clinic admin's writes: staff accounts and rooms. Each is audited; history keeps rows.

Every service takes the acting user (`by`) and asks the policy itself. What only a domain
app knows (a clinician's couples, a room's future bookings) is registered by that app at
start-up, since this core package imports none of them.
"""

from collections.abc import Callable, Sequence
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from kapcouples import audit, policy
from kapcouples.models import STAFF_ROLE_CHOICES, Clinic, Role, Room, StaffMembership, User
from kapcouples.services import DomainError, user_end_all_sessions

STAFF_INVITATION_DAYS = 7


class FieldError(DomainError):
    """A refusal about one input; `field` names it so the form shows it beside that field."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


# --- What domain apps tell this one ----------------------------------------------------
_hooks: dict[str, Callable] = {}


def register_caseload(*, couples_of: Callable, hand_over: Callable) -> None:
    """couples_of(user) -> the couples they are primary clinician or care team of;
    hand_over(by=, from_user=, to_user=, where=) -> the couples handed over."""
    _hooks["couples_of"], _hooks["hand_over"] = couples_of, hand_over


def register_room_bookings(future_bookings: Callable) -> None:
    """future_bookings(room) -> descriptions of the room's booked appointments still to come."""
    _hooks["room_bookings"] = future_bookings


def caseload_of(user: User) -> list:
    return list(_hooks["couples_of"](user)) if "couples_of" in _hooks else []


def future_bookings_of(room: Room) -> list[str]:
    return list(_hooks["room_bookings"](room)) if "room_bookings" in _hooks else []


# --- The invitation link ---------------------------------------------------------------
class StaffInvitationTokens(PasswordResetTokenGenerator):
    """Django's password-reset tokens, salted apart and valid for days rather than hours.

    The hash covers the password and activity, so the link dies once a password is set or
    the account is deactivated.
    """

    key_salt = "kapcouples.clinic_admin.StaffInvitationTokens"
    valid_for = timedelta(days=STAFF_INVITATION_DAYS)

    def _make_hash_value(self, user, timestamp) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"

    def check_token(self, user, token) -> bool:
        if not (user and token) or token.count("-") != 1:
            return False
        ts_b36, _ = token.split("-")
        try:
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, s), token)
            for s in secrets
        ):
            return False
        return self._num_seconds(self._now()) - ts <= self.valid_for.total_seconds()


staff_invitation_tokens = StaffInvitationTokens()


def staff_invitation_link(user: User) -> str:
    path = reverse(
        "staff_invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": staff_invitation_tokens.make_token(user),
        },
    )
    return settings.KAP_SITE_URL.rstrip("/") + path


def _email_staff_invitation(user: User, clinic: Clinic, invited_by: User) -> None:
    context = {
        "user": user,
        "clinic": clinic,
        "invited_by": invited_by,
        "role": user.membership.get_role_display(),
        "link": staff_invitation_link(user),
        "days": STAFF_INVITATION_DAYS,
    }
    subject = render_to_string("clinic_admin/emails/staff_invitation_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=subject.strip(),
        body=render_to_string("clinic_admin/emails/staff_invitation.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("clinic_admin/emails/staff_invitation.html", context), "text/html"
    )
    message.send()


# --- Staff --------------------------------------------------------------------------------
def _ensure_admin(by: User, clinic_id: int, *, to: str) -> None:
    policy.ensure(policy.can_manage_clinic, by, clinic_id, to=to)


def _ensure_not_self(by: User, membership: StaffMembership, *, to: str) -> None:
    if membership.user_id == by.pk:
        raise DomainError(f"You cannot {to} your own account; ask another clinic admin.")


@transaction.atomic
def staff_invite(
    *, by: User, clinic: Clinic, email: str, full_name: str, role: str, where: dict | None = None
) -> StaffMembership:
    """Create a staff account without a password and email its invitation link.

    The link sets a password and signs in; the second factor is enrolled straight after.
    """
    _ensure_admin(by, clinic.pk, to="invite staff")
    if role not in dict(STAFF_ROLE_CHOICES):
        raise FieldError("Choose one of the staff roles.", field="role")
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise FieldError(f"{email} already has an account here.", field="email")
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password=None, full_name=full_name.strip())
    except IntegrityError as error:
        raise FieldError(f"{email} already has an account here.", field="email") from error
    membership = StaffMembership(user=user, clinic=clinic, role=role)
    membership.full_clean()
    membership.save()
    detail = f"invited {email} as {membership.get_role_display()}"
    audit.record_change(by=by, clinic_id=clinic.pk, obj=membership, detail=detail, where=where)
    transaction.on_commit(lambda: _email_staff_invitation(user, clinic, by))
    return membership


@transaction.atomic
def staff_change_role(
    *, by: User, membership: StaffMembership, role: str, where: dict | None = None
) -> StaffMembership:
    """Give a staff member another role. Someone with couples keeps a clinical role until
    they are handed over, so no couple is left without its clinician."""
    _ensure_admin(by, membership.clinic_id, to="change a staff member's role")
    _ensure_not_self(by, membership, to="change the role of")
    if role not in dict(STAFF_ROLE_CHOICES):
        raise FieldError("Choose one of the staff roles.", field="role")
    if Role.OUTSIDE_PRESCRIBER in (role, membership.role) and role != membership.role:
        # Their account is scoped to granted couples; a clinic role would open the whole clinic.
        raise FieldError(
            "An outside prescriber's account stays one: invite a separate account for a "
            "clinic role, or an outside prescriber from the Outside prescribers page.",
            field="role",
        )
    couples = caseload_of(membership.user)
    if role not in policy.CLINICAL_ROLES and couples:
        names = ", ".join(str(couple) for couple in couples)
        raise FieldError(
            f"{membership.user} cares for {len(couples)} couple(s) ({names}); "
            "hand them to another clinician first.",
            field="role",
        )
    before = membership.get_role_display()
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    detail = f"role of {membership.user.email}: {before} → {membership.get_role_display()}"
    audit.record_change(
        by=by, clinic_id=membership.clinic_id, obj=membership, detail=detail, where=where
    )
    return membership


def clinicians_to_hand_to(membership: StaffMembership):
    """Active clinicians and prescribers of the clinic, other than the one leaving."""
    return (
        StaffMembership.objects.filter(
            clinic_id=membership.clinic_id, is_active=True, role__in=policy.CLINICAL_ROLES
        )
        .exclude(pk=membership.pk)
        .select_related("user")
        .order_by("user__full_name")
    )


@transaction.atomic
def staff_hand_over(
    *, by: User, membership: StaffMembership, to: User, where: dict | None = None
) -> list:
    """Hand every couple of `membership`'s user to `to`: primary clinician and care team."""
    _ensure_admin(by, membership.clinic_id, to="hand couples over")
    if not clinicians_to_hand_to(membership).filter(user=to).exists():
        raise FieldError(
            "Choose an active clinician or prescriber of this clinic.", field="hand_over_to"
        )
    if "hand_over" not in _hooks:
        return []
    return list(_hooks["hand_over"](by=by, from_user=membership.user, to_user=to, where=where))


@transaction.atomic
def staff_deactivate(
    *,
    by: User,
    membership: StaffMembership,
    hand_over_to: User | None = None,
    where: dict | None = None,
) -> list:
    """Switch a staff account off: their sessions end at once, they cannot sign in again, and
    their couples go to `hand_over_to` (required while they have any). Returns those couples.
    """
    _ensure_admin(by, membership.clinic_id, to="deactivate staff")
    _ensure_not_self(by, membership, to="deactivate")
    if not membership.is_active:
        raise DomainError(f"{membership.user} is already deactivated.")
    couples = caseload_of(membership.user)
    if couples and hand_over_to is None:
        raise FieldError(
            f"{membership.user} cares for {len(couples)} couple(s): choose who takes them over.",
            field="hand_over_to",
        )
    if couples:
        staff_hand_over(by=by, membership=membership, to=hand_over_to, where=where)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    user = membership.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    user_end_all_sessions(user=user)
    detail = f"deactivated {user.email}; sessions ended; {len(couples)} couple(s) handed over"
    audit.record_change(
        by=by, clinic_id=membership.clinic_id, obj=membership, detail=detail, where=where
    )
    return couples


# --- Rooms --------------------------------------------------------------------------------
def _save_room(room: Room) -> Room:
    if not room.name:
        raise FieldError("Give the room a name, e.g. “Garden room”.", field="name")
    taken = Room.objects.filter(clinic_id=room.clinic_id, name__iexact=room.name)
    if taken.exclude(pk=room.pk).exists():
        raise FieldError(f"The clinic already has a room called “{room.name}”.", field="name")
    room.full_clean()
    room.save()
    return room


@transaction.atomic
def room_add(*, by: User, clinic: Clinic, name: str, where: dict | None = None) -> Room:
    _ensure_admin(by, clinic.pk, to="add a room")
    room = _save_room(Room(clinic=clinic, name=name.strip()))
    detail = f"added room {room.name}"
    audit.record_change(by=by, clinic_id=clinic.pk, obj=room, detail=detail, where=where)
    return room


@transaction.atomic
def room_rename(*, by: User, room: Room, name: str, where: dict | None = None) -> Room:
    _ensure_admin(by, room.clinic_id, to="rename a room")
    before = room.name
    room.name = name.strip()
    _save_room(room)
    detail = f"renamed room {before} → {room.name}"
    audit.record_change(by=by, clinic_id=room.clinic_id, obj=room, detail=detail, where=where)
    return room


class RoomHasBookings(DomainError):
    def __init__(self, room: Room, bookings: Sequence[str]):
        super().__init__(
            f"{room.name} has {len(bookings)} booking(s) still to come; move them to another "
            "room before retiring it."
        )
        self.bookings = list(bookings)


@transaction.atomic
def room_retire(*, by: User, room: Room, where: dict | None = None) -> Room:
    """Stop offering a room for booking; refused while appointments are booked in it."""
    _ensure_admin(by, room.clinic_id, to="retire a room")
    Room.objects.select_for_update().get(pk=room.pk)
    bookings = future_bookings_of(room)
    if bookings:
        raise RoomHasBookings(room, bookings)
    room.is_active = False
    room.save(update_fields=["is_active"])
    detail = f"retired room {room.name}"
    audit.record_change(by=by, clinic_id=room.clinic_id, obj=room, detail=detail, where=where)
    return room


def staff_of_clinic(clinic_id: int):
    return (
        StaffMembership.objects.filter(clinic_id=clinic_id)
        .select_related("user")
        .order_by("-is_active", "user__full_name")
    )
