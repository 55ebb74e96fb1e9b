"""Inviting outside prescribers, granting them couples and revoking those grants.

Each service takes the acting user (`by`), asks the policy itself and records the change in
the access log; grants are never deleted (history keeps every change).
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from intake.models import Couple
from kapcouples import audit, clinic_admin, policy
from kapcouples.clinic_admin import FieldError
from kapcouples.models import Clinic, Role, StaffMembership, User
from kapcouples.services import DomainError
from outside.models import OutsidePrescriberGrant


@transaction.atomic
def outside_prescriber_invite(
    *,
    by: User,
    clinic: Clinic,
    email: str,
    full_name: str,
    couples: Iterable[Couple],
    reason: str,
    where: dict | None = None,
) -> StaffMembership:
    """Create an outside prescriber's account for the named couples and email the invitation
    link (the staff one: a password, then the second factor, before any page opens)."""
    policy.ensure(policy.can_manage_clinic, by, clinic.pk, to="invite an outside prescriber")
    couples = list(couples)
    if not couples:
        raise FieldError("Choose at least one couple they will prescribe for.", field="couples")
    _ensure_reason(reason, field="reason")
    membership = clinic_admin.staff_invite(
        by=by,
        clinic=clinic,
        email=email,
        full_name=full_name,
        role=Role.OUTSIDE_PRESCRIBER,
        where=where,
    )
    for couple in couples:
        outside_grant_add(
            by=by, prescriber=membership.user, couple=couple, reason=reason, where=where
        )
    return membership


@transaction.atomic
def outside_grant_add(
    *, by: User, prescriber: User, couple: Couple, reason: str, where: dict | None = None
) -> OutsidePrescriberGrant:
    """Grant an outside prescriber of the couple's clinic access to that couple."""
    policy.ensure(
        policy.can_grant_outside_access, by, couple, to="grant an outside prescriber a couple"
    )
    _ensure_outside_prescriber_of(prescriber, couple)
    _ensure_reason(reason, field="reason")
    grant = OutsidePrescriberGrant(
        prescriber=prescriber, couple=couple, granted_by=by, reason=reason.strip()
    )
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError as error:
        raise FieldError(
            f"{prescriber} already has access to {couple}; revoke it first to grant it anew.",
            field="couple",
        ) from error
    detail = f"granted outside prescriber {prescriber.email} couple {couple.pk}"
    audit.record_change(by=by, clinic_id=couple.clinic_id, obj=grant, detail=detail, where=where)
    return grant


@transaction.atomic
def outside_grant_revoke(
    *, by: User, grant: OutsidePrescriberGrant, reason: str, where: dict | None = None
) -> OutsidePrescriberGrant:
    """End a grant at once: the policy reads grants on every request and service call."""
    grant = (
        OutsidePrescriberGrant.objects.select_for_update().select_related("couple").get(pk=grant.pk)
    )
    policy.ensure(
        policy.can_grant_outside_access, by, grant.couple, to="revoke an outside prescriber"
    )
    if not grant.is_active:
        raise DomainError(f"This access was already revoked on {grant.revoked_at:%d %b %Y}.")
    _ensure_reason(reason, field="reason")
    grant.revoked_at, grant.revoked_by, grant.revoke_reason = timezone.now(), by, reason.strip()
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    detail = f"revoked outside prescriber {grant.prescriber.email} couple {grant.couple_id}"
    audit.record_change(
        by=by, clinic_id=grant.couple.clinic_id, obj=grant, detail=detail, where=where
    )
    return grant


def _ensure_outside_prescriber_of(prescriber: User, couple: Couple) -> None:
    membership = StaffMembership.objects.filter(
        user=prescriber, clinic_id=couple.clinic_id, role=Role.OUTSIDE_PRESCRIBER, is_active=True
    )
    if not membership.exists():
        raise FieldError(
            "Choose an active outside prescriber of this clinic (invite them first).",
            field="prescriber",
        )


def _ensure_reason(reason: str, *, field: str) -> None:
    if not reason.strip():
        raise FieldError("Say why, in a few words; the reason is kept with the grant.", field=field)
