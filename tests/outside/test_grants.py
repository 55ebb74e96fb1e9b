"""Grants: who may make and end them, what the database refuses, and that nothing is lost."""

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kapcouples import policy
from kapcouples.clinic_admin import FieldError, staff_change_role
from kapcouples.models import AccessLog, Role, StaffMembership
from kapcouples.services import DomainError
from outside import services
from outside.models import OutsidePrescriberGrant
from tests.factories import CoupleFactory, StaffFactory
from tests.outside.helpers import grant, outside_prescriber


def insert_grant(prescriber, couple, granted_by, **columns) -> None:
    values = {
        "prescriber_id": prescriber.pk,
        "couple_id": couple.pk,
        "granted_by_id": granted_by.pk,
        "granted_at": timezone.now(),
        "reason": "Referring psychiatrist",
        "revoked_at": None,
        "revoked_by_id": None,
        "revoke_reason": "",
        **columns,
    }
    names = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO outside_outsideprescribergrant ({names}) VALUES ({marks})",
            list(values.values()),
        )


def refused_by_the_database(**kwargs) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_grant(**kwargs)


# --- The database --------------------------------------------------------------------------
def test_the_database_refuses_a_second_active_grant_of_the_same_couple(cast):
    user = outside_prescriber(cast, cast.couple)
    refused_by_the_database(prescriber=user, couple=cast.couple, granted_by=cast.clinic_admin)


def test_the_database_accepts_a_new_grant_after_a_revoked_one(cast):
    user = outside_prescriber(cast)
    now = timezone.now()
    insert_grant(
        user,
        cast.couple,
        cast.clinic_admin,
        granted_at=now,
        revoked_at=now,
        revoked_by_id=cast.clinic_admin.pk,
        revoke_reason="Ended",
    )
    insert_grant(user, cast.couple, cast.clinic_admin)
    assert OutsidePrescriberGrant.objects.active().count() == 1


def test_the_database_refuses_a_grant_without_a_reason(cast):
    user = outside_prescriber(cast)
    refused_by_the_database(
        prescriber=user, couple=cast.couple, granted_by=cast.clinic_admin, reason=""
    )


def test_the_database_refuses_a_self_made_grant(cast):
    user = outside_prescriber(cast)
    refused_by_the_database(prescriber=user, couple=cast.couple, granted_by=user)


@pytest.mark.parametrize(
    "revocation",
    [
        {"revoked_by": False, "revoke_reason": "Ended"},  # no one named
        {"revoked_by": True, "revoke_reason": ""},  # no reason
        {"revoked_by": True, "revoke_reason": "Ended", "before_grant": True},
        {"revoked_at": False, "revoked_by": True, "revoke_reason": "Ended"},  # no time
    ],
)
def test_the_database_refuses_an_incomplete_revocation(cast, revocation):
    user = outside_prescriber(cast)
    now = timezone.now()
    revoked_at = now - timezone.timedelta(days=1) if revocation.get("before_grant") else now
    refused_by_the_database(
        prescriber=user,
        couple=cast.couple,
        granted_by=cast.clinic_admin,
        granted_at=now,
        revoked_at=revoked_at if revocation.get("revoked_at", True) else None,
        revoked_by_id=cast.clinic_admin.pk if revocation["revoked_by"] else None,
        revoke_reason=revocation["revoke_reason"],
    )


# --- Granting ----------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["clinic_admin", "clinician"])
def test_the_clinic_admin_and_the_primary_clinician_grant_a_couple(cast, who):
    user = outside_prescriber(cast)
    made = services.outside_grant_add(
        by=cast.user(who), prescriber=user, couple=cast.couple, reason="Referring psychiatrist"
    )
    assert made.granted_by == cast.user(who) and made.is_active
    assert policy.is_granted_outside_prescriber(user, cast.couple)
    assert AccessLog.objects.filter(action=AccessLog.Action.CHANGE, user=cast.user(who)).exists()


@pytest.mark.parametrize(
    "who", ["prescriber", "clinician_outside", "front_desk", "partner_a", "other_clinic_clinician"]
)
def test_no_one_else_grants_a_couple_and_nothing_is_written(cast, who):
    user = outside_prescriber(cast)
    with pytest.raises(policy.NotAllowed, match="rule: can_grant_outside_access"):
        services.outside_grant_add(
            by=cast.user(who), prescriber=user, couple=cast.couple, reason="Because"
        )
    assert not OutsidePrescriberGrant.objects.exists()


def test_an_outside_prescriber_cannot_grant_themself_another_couple(cast):
    user = outside_prescriber(cast, cast.couple)
    with pytest.raises(policy.NotAllowed):
        services.outside_grant_add(by=user, prescriber=user, couple=cast.other_couple, reason="x")
    assert user.outside_grants.count() == 1


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.CLINICIAN])
def test_a_grant_goes_to_an_outside_prescriber_only(cast, role):
    colleague = StaffFactory(clinic=cast.clinic, role=role)
    with pytest.raises(FieldError, match="outside prescriber of this clinic") as refusal:
        services.outside_grant_add(
            by=cast.clinic_admin, prescriber=colleague, couple=cast.couple, reason="x"
        )
    assert refusal.value.field == "prescriber"


def test_a_couple_of_another_clinic_cannot_be_granted(cast):
    user = outside_prescriber(cast)
    elsewhere = CoupleFactory(clinic=cast.other_clinic)
    with pytest.raises(policy.NotAllowed):
        services.outside_grant_add(
            by=cast.clinic_admin, prescriber=user, couple=elsewhere, reason="x"
        )


def test_granting_twice_says_the_access_exists(cast):
    user = outside_prescriber(cast, cast.couple)
    with pytest.raises(FieldError, match="already has access") as refusal:
        services.outside_grant_add(
            by=cast.clinic_admin, prescriber=user, couple=cast.couple, reason="Again"
        )
    assert refusal.value.field == "couple"


def test_a_grant_needs_a_reason(cast):
    user = outside_prescriber(cast)
    with pytest.raises(FieldError, match="Say why") as refusal:
        services.outside_grant_add(
            by=cast.clinic_admin, prescriber=user, couple=cast.couple, reason="  "
        )
    assert refusal.value.field == "reason"


# --- Revoking ------------------------------------------------------------------------------------
def test_revoking_ends_access_at_once_and_keeps_the_row_and_its_history(cast):
    user = outside_prescriber(cast, cast.couple)
    made = user.outside_grants.get()
    services.outside_grant_revoke(by=cast.clinic_admin, grant=made, reason="Care handed back")
    made.refresh_from_db()
    assert not made.is_active and made.revoked_by == cast.clinic_admin
    assert made.revoke_reason == "Care handed back"
    assert not policy.is_granted_outside_prescriber(user, cast.couple)
    assert made.history.count() == 2


def test_revoking_twice_says_when_it_was_revoked(cast):
    made = grant(cast, outside_prescriber(cast), cast.couple)
    services.outside_grant_revoke(by=cast.clinic_admin, grant=made, reason="Ended")
    with pytest.raises(DomainError, match="already revoked"):
        services.outside_grant_revoke(by=cast.clinic_admin, grant=made, reason="Again")


@pytest.mark.parametrize("who", ["prescriber", "front_desk", "other_clinic_clinician"])
def test_no_one_else_revokes_a_grant(cast, who):
    user = outside_prescriber(cast, cast.couple)
    made = user.outside_grants.get()
    with pytest.raises(policy.NotAllowed, match="rule: can_grant_outside_access"):
        services.outside_grant_revoke(by=cast.user(who), grant=made, reason="x")
    assert OutsidePrescriberGrant.objects.get().is_active


def test_an_outside_prescriber_cannot_revoke_their_own_grant(cast):
    user = outside_prescriber(cast, cast.couple)
    with pytest.raises(policy.NotAllowed):
        services.outside_grant_revoke(by=user, grant=user.outside_grants.get(), reason="x")


# --- Inviting ------------------------------------------------------------------------------------
def test_the_admin_invites_an_outside_prescriber_with_named_couples(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.outside_prescriber_invite(
            by=cast.clinic_admin,
            clinic=cast.clinic,
            email="Dr.Far@Elsewhere.example",
            full_name="Dr. Far Away",
            couples=[cast.couple],
            reason="Referring psychiatrist",
        )
    assert membership.role == Role.OUTSIDE_PRESCRIBER
    assert not membership.user.has_usable_password()
    assert [g.couple for g in membership.user.outside_grants.all()] == [cast.couple]
    assert mail.outbox[0].to == ["dr.far@elsewhere.example"]
    assert "Outside prescriber" in mail.outbox[0].body


def test_an_invitation_without_couples_is_refused_and_makes_no_account(cast):
    with pytest.raises(FieldError, match="at least one couple") as refusal:
        services.outside_prescriber_invite(
            by=cast.clinic_admin,
            clinic=cast.clinic,
            email="far@elsewhere.example",
            full_name="Dr. Far Away",
            couples=[],
            reason="Referring psychiatrist",
        )
    assert refusal.value.field == "couples"
    assert not StaffMembership.objects.filter(role=Role.OUTSIDE_PRESCRIBER).exists()


def test_only_the_clinic_admin_invites_an_outside_prescriber(cast):
    with pytest.raises(policy.NotAllowed, match="rule: can_manage_clinic"):
        services.outside_prescriber_invite(
            by=cast.clinician,
            clinic=cast.clinic,
            email="far@elsewhere.example",
            full_name="Dr. Far Away",
            couples=[cast.couple],
            reason="Referring psychiatrist",
        )


@pytest.mark.parametrize("direction", ["to_clinic_role", "to_outside"])
def test_an_outside_prescribers_account_never_changes_role(cast, direction):
    if direction == "to_clinic_role":
        membership, role = outside_prescriber(cast, cast.couple).membership, Role.PRESCRIBER
    else:
        membership, role = cast.front_desk.membership, Role.OUTSIDE_PRESCRIBER
    before = membership.role
    with pytest.raises(FieldError, match="outside prescriber's account stays one"):
        staff_change_role(by=cast.clinic_admin, membership=membership, role=role)
    membership.refresh_from_db()
    assert membership.role == before
