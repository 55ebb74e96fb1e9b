"""The clinic admin runs the clinic in the app: staff, rooms. Each action is the admin's own
clinic's only, audited, and refused to everyone else with nothing written."""

import datetime
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kapcouples import clinic_admin
from kapcouples.models import AccessLog, Role, Room, StaffMembership, User
from kapcouples.policy import NotAllowed
from sessions.models import Appointment
from tests.conftest import sign_in
from tests.factories import TEST_PASSWORD, RoomFactory, StaffFactory

NEW_PASSWORD = "a-long-new-password-77"
WRONG_ACTORS = ("clinician", "prescriber", "front_desk", "partner_a", "other_admin")


@pytest.fixture
def other_admin(cast):
    return StaffFactory(clinic=cast.other_clinic, role=Role.CLINIC_ADMIN)


def actor(cast, name: str, other_admin) -> User:
    return other_admin if name == "other_admin" else cast.user(name)


def changes_by(user: User) -> list[AccessLog]:
    return list(AccessLog.objects.filter(action=AccessLog.Action.CHANGE, user=user))


def invite(client: Client, email: str = "new@example.test", role: str = Role.CLINICIAN):
    return client.post(
        reverse("clinic_admin:staff_invite"),
        {"full_name": "Nina New", "email": email, "role": role},
    )


# --- Inviting staff -------------------------------------------------------------------------
def test_it_invites_staff_by_email_with_a_link_to_set_a_password(
    cast, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(cast.clinic_admin))
    assert response.status_code == 302
    user = User.objects.get(email="new@example.test")
    assert not user.has_usable_password()
    assert (user.membership.clinic, user.membership.role) == (cast.clinic, Role.CLINICIAN)
    (message,) = mail.outbox
    assert message.to == ["new@example.test"] and cast.clinic.name in message.subject
    assert "/account/invitation/" in message.body
    (entry,) = changes_by(cast.clinic_admin)
    assert entry.object_id == str(user.membership.pk) and "invited new@example.test" in entry.detail


def test_an_email_already_in_use_is_refused_beside_the_field_keeping_what_was_typed(
    cast, client_for
):
    response = invite(client_for(cast.clinic_admin), email=cast.front_desk.email.upper())
    page = response.content.decode()
    assert response.status_code == 200 and "already has an account" in page
    assert "Nina New" in page
    assert StaffMembership.objects.filter(clinic=cast.clinic).count() == 5  # the cast only


@pytest.mark.parametrize("who", WRONG_ACTORS)
def test_only_the_clinics_admin_invites_staff(cast, who, other_admin):
    with pytest.raises(NotAllowed):
        clinic_admin.staff_invite(
            by=actor(cast, who, other_admin),
            clinic=cast.clinic,
            email="new@example.test",
            full_name="Nina New",
            role=Role.CLINICIAN,
        )
    assert not User.objects.filter(email="new@example.test").exists()
    assert not AccessLog.objects.filter(action=AccessLog.Action.CHANGE).exists()


def invitation_link(cast, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        clinic_admin.staff_invite(
            by=cast.clinic_admin,
            clinic=cast.clinic,
            email="new@example.test",
            full_name="Nina New",
            role=Role.PRESCRIBER,
        )
    return re.search(r"https?://\S+", mail.outbox[-1].body).group(0)


def test_the_invitation_sets_a_password_then_asks_for_the_second_factor(
    cast, client, django_capture_on_commit_callbacks
):
    link = invitation_link(cast, django_capture_on_commit_callbacks)
    form_page = client.get(link, follow=True)
    assert "choose your password" in form_page.content.decode()
    done = client.post(
        form_page.request["PATH_INFO"],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == reverse("two_factor_setup")
    assert User.objects.get(email="new@example.test").check_password(NEW_PASSWORD)
    staff_page = client.get(reverse("care_dashboard"))
    assert staff_page["Location"].startswith(reverse("two_factor_setup"))


def test_an_invitation_link_works_once(cast, client, django_capture_on_commit_callbacks):
    link = invitation_link(cast, django_capture_on_commit_callbacks)
    form_url = client.get(link, follow=True).request["PATH_INFO"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = Client().get(link, follow=True)
    assert "no longer works" in again.content.decode()


def test_an_invitation_link_expires_after_its_days(
    cast, client, django_capture_on_commit_callbacks
):
    import time_machine

    link = invitation_link(cast, django_capture_on_commit_callbacks)
    later = timezone.now() + datetime.timedelta(days=clinic_admin.STAFF_INVITATION_DAYS, hours=1)
    with time_machine.travel(later):
        assert "no longer works" in client.get(link, follow=True).content.decode()


# --- Roles ----------------------------------------------------------------------------------
def role_url(membership) -> str:
    return reverse("clinic_admin:staff_detail", kwargs={"membership_id": membership.pk})


def test_it_changes_a_role_audited_with_the_history_kept(cast, client_for):
    membership = cast.front_desk.membership
    client_for(cast.clinic_admin).post(role_url(membership), {"role": Role.CLINIC_ADMIN})
    membership.refresh_from_db()
    assert membership.role == Role.CLINIC_ADMIN
    assert [h.role for h in membership.history.order_by("history_date")] == [
        Role.FRONT_DESK,
        Role.CLINIC_ADMIN,
    ]
    (entry,) = changes_by(cast.clinic_admin)
    assert "Front desk → Clinic admin" in entry.detail


def test_a_clinician_with_couples_keeps_a_clinical_role_until_handed_over(cast, client_for):
    response = client_for(cast.clinic_admin).post(
        role_url(cast.clinician.membership), {"role": Role.FRONT_DESK}
    )
    assert "hand them to another clinician first" in response.content.decode()
    cast.clinician.membership.refresh_from_db()
    assert cast.clinician.membership.role == Role.CLINICIAN


def test_an_admin_cannot_change_their_own_role(cast):
    with pytest.raises(clinic_admin.DomainError, match="your own account"):
        clinic_admin.staff_change_role(
            by=cast.clinic_admin, membership=cast.clinic_admin.membership, role=Role.CLINICIAN
        )


@pytest.mark.parametrize("who", WRONG_ACTORS)
def test_only_the_clinics_admin_changes_roles(cast, who, other_admin):
    membership = cast.front_desk.membership
    with pytest.raises(NotAllowed):
        clinic_admin.staff_change_role(
            by=actor(cast, who, other_admin), membership=membership, role=Role.CLINIC_ADMIN
        )
    membership.refresh_from_db()
    assert membership.role == Role.FRONT_DESK


def test_another_clinics_staff_page_is_not_found_and_logged(cast, client_for, other_admin):
    response = client_for(other_admin).get(role_url(cast.front_desk.membership))
    assert response.status_code == 404
    assert AccessLog.objects.filter(user=other_admin, action=AccessLog.Action.DENIED).exists()


# --- Deactivation and hand-over -------------------------------------------------------------
def deactivate_url(membership) -> str:
    return reverse("clinic_admin:staff_deactivate", kwargs={"membership_id": membership.pk})


def test_the_deactivation_page_warns_naming_the_couples_to_hand_over(cast, client_for):
    page = client_for(cast.clinic_admin).get(deactivate_url(cast.clinician.membership))
    warning = page.content.decode()
    assert "2 couples will be handed over" in warning
    assert "Alexa &amp; Bobbie" in warning


def test_deactivating_someone_with_couples_needs_who_takes_them_over(cast, client_for):
    response = client_for(cast.clinic_admin).post(deactivate_url(cast.clinician.membership), {})
    assert "Choose the clinician who takes over" in response.content.decode()
    cast.clinician.membership.refresh_from_db()
    assert cast.clinician.membership.is_active


def test_deactivating_hands_couples_over_and_ends_their_sessions_at_once(cast, client_for):
    leaving = client_for(cast.clinician)
    assert leaving.get(reverse("care_dashboard")).status_code == 200
    client_for(cast.clinic_admin).post(
        deactivate_url(cast.clinician.membership), {"hand_over_to": cast.clinician_outside.pk}
    )
    cast.couple.refresh_from_db()
    cast.other_couple.refresh_from_db()
    assert cast.couple.primary_clinician == cast.clinician_outside
    assert cast.other_couple.primary_clinician == cast.clinician_outside
    assert not User.objects.get(pk=cast.clinician.pk).is_active
    assert not StaffMembership.objects.get(user=cast.clinician).is_active
    response = leaving.get(reverse("care_dashboard"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    details = [entry.detail for entry in changes_by(cast.clinic_admin)]
    assert sum("handed over" in d for d in details) == 3  # two couples, then the account
    assert any(d.startswith(f"deactivated {cast.clinician.email}") for d in details)


def test_a_deactivated_user_cannot_sign_in_again(cast, client):
    clinic_admin.staff_deactivate(by=cast.clinic_admin, membership=cast.front_desk.membership)
    response = client.post(
        reverse("login"), {"username": cast.front_desk.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200 and SESSION_KEY not in client.session


def test_handing_over_swaps_the_care_team_too(cast):
    clinic_admin.staff_hand_over(
        by=cast.clinic_admin, membership=cast.prescriber.membership, to=cast.clinician_outside
    )
    team = set(cast.couple.care_team.all())
    assert cast.clinician_outside in team and cast.prescriber not in team
    assert cast.couple.primary_clinician == cast.clinician


def test_couples_go_only_to_an_active_clinician_of_the_clinic(cast):
    with pytest.raises(clinic_admin.FieldError, match="active clinician or prescriber"):
        clinic_admin.staff_deactivate(
            by=cast.clinic_admin,
            membership=cast.clinician.membership,
            hand_over_to=cast.front_desk,
        )
    cast.couple.refresh_from_db()
    assert cast.couple.primary_clinician == cast.clinician


@pytest.mark.parametrize("who", WRONG_ACTORS)
def test_only_the_clinics_admin_deactivates(cast, who, other_admin):
    with pytest.raises(NotAllowed):
        clinic_admin.staff_deactivate(
            by=actor(cast, who, other_admin),
            membership=cast.clinician.membership,
            hand_over_to=cast.clinician_outside,
        )
    assert StaffMembership.objects.get(user=cast.clinician).is_active
    cast.couple.refresh_from_db()
    assert cast.couple.primary_clinician == cast.clinician
    assert not AccessLog.objects.filter(action=AccessLog.Action.CHANGE).exists()


def test_the_staff_list_makes_the_same_queries_for_any_number_of_staff(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.clinic_admin)
    url = reverse("clinic_admin:staff_list")
    client.get(url)
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    StaffFactory.create_batch(20, clinic=cast.clinic, role=Role.FRONT_DESK)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).content.decode().count("list-group-item") == 25


def test_the_staff_page_makes_the_same_queries_for_any_caseload(
    cast, client_for, django_assert_max_num_queries
):
    from tests.factories import CoupleFactory, PartnerFactory

    client = client_for(cast.clinic_admin)
    url = role_url(cast.clinician.membership)
    client.get(url)
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    for _ in range(10):
        PartnerFactory(couple=CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


# --- Rooms ----------------------------------------------------------------------------------
def test_it_adds_and_renames_rooms_audited(cast, client_for):
    client = client_for(cast.clinic_admin)
    client.post(reverse("clinic_admin:room_list"), {"name": "Garden room"})
    room = Room.objects.get(clinic=cast.clinic, name="Garden room")
    client.post(reverse("clinic_admin:room_rename", kwargs={"room_id": room.pk}), {"name": "Oak"})
    room.refresh_from_db()
    assert room.name == "Oak"
    assert [h.name for h in room.history.order_by("history_date")] == ["Garden room", "Oak"]
    details = [entry.detail for entry in changes_by(cast.clinic_admin)]
    assert sorted(details) == ["added room Garden room", "renamed room Garden room → Oak"]


def test_a_room_name_already_used_is_refused_beside_the_field(cast, client_for):
    RoomFactory(clinic=cast.clinic, name="Oak")
    response = client_for(cast.clinic_admin).post(
        reverse("clinic_admin:room_list"), {"name": "oak"}
    )
    assert "already has a room called" in response.content.decode()
    assert Room.objects.filter(clinic=cast.clinic).count() == 1


def book_in(cast, room, *, days: int, status=Appointment.Status.BOOKED) -> Appointment:
    start = timezone.now() + datetime.timedelta(days=days)
    return Appointment.objects.create(
        clinic=cast.clinic,
        couple=cast.couple,
        kind=Appointment.Kind.PREPARATION,
        start=start,
        end=start + datetime.timedelta(hours=1),
        room=room,
        booked_by=cast.front_desk,
        status=status,
        cancel_reason="Ill" if status == Appointment.Status.CANCELLED else "",
    )


def retire_url(room) -> str:
    return reverse("clinic_admin:room_retire", kwargs={"room_id": room.pk})


def test_a_room_with_future_bookings_is_not_retired_and_they_are_listed(cast, client_for):
    room = RoomFactory(clinic=cast.clinic)
    book_in(cast, room, days=3)
    response = client_for(cast.clinic_admin).post(retire_url(room))
    page = response.content.decode()
    assert "1 booking(s) still to come" in page and "Preparation · Alexa &amp; Bobbie" in page
    room.refresh_from_db()
    assert room.is_active
    assert not changes_by(cast.clinic_admin)


def test_a_room_with_only_past_or_cancelled_bookings_is_retired(cast, client_for):
    room = RoomFactory(clinic=cast.clinic)
    book_in(cast, room, days=-3, status=Appointment.Status.COMPLETED)
    book_in(cast, room, days=4, status=Appointment.Status.CANCELLED)
    client_for(cast.clinic_admin).post(retire_url(room))
    room.refresh_from_db()
    assert not room.is_active
    assert [entry.detail for entry in changes_by(cast.clinic_admin)] == [f"retired room {room}"]


@pytest.mark.parametrize("who", WRONG_ACTORS)
def test_only_the_clinics_admin_manages_rooms(cast, who, other_admin):
    room = RoomFactory(clinic=cast.clinic, name="Oak")
    by = actor(cast, who, other_admin)
    for attempt in (
        lambda: clinic_admin.room_add(by=by, clinic=cast.clinic, name="Elm"),
        lambda: clinic_admin.room_rename(by=by, room=room, name="Elm"),
        lambda: clinic_admin.room_retire(by=by, room=room),
    ):
        with pytest.raises(NotAllowed):
            attempt()
    room.refresh_from_db()
    assert (room.name, room.is_active) == ("Oak", True)
    assert Room.objects.filter(clinic=cast.clinic).count() == 1


def test_another_clinics_room_is_not_found_and_logged(cast, other_admin):
    room = RoomFactory(clinic=cast.clinic)
    client = sign_in(Client(), other_admin)
    assert client.post(retire_url(room)).status_code == 404
    room.refresh_from_db()
    assert room.is_active
    assert AccessLog.objects.filter(user=other_admin, action=AccessLog.Action.DENIED).exists()


def test_the_admin_navigation_reaches_staff_rooms_and_settings(cast, client_for):
    page = client_for(cast.clinic_admin).get(reverse("clinic_admin:settings")).content.decode()
    for name in ("clinic_admin:staff_list", "clinic_admin:room_list", "clinic_admin:settings"):
        assert f'href="{reverse(name)}"' in page
    for name in ("intake:screening_settings_edit", "integration:messaging_settings_edit"):
        assert f'href="{reverse(name)}"' in page
