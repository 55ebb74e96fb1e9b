"""Reads for outside prescribers and the clinic admin's grant pages."""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from intake.models import Couple
from kapcouples.models import Role, StaffMembership, User
from outside.models import OutsidePrescriberGrant
from workspace import waiting


def has_active_grant(user_id: int, couple_id: int) -> bool:
    """The policy's question, asked on every request (a revocation takes effect at once)."""
    return (
        OutsidePrescriberGrant.objects.active()
        .filter(prescriber_id=user_id, couple_id=couple_id)
        .exists()
    )


def granted_couples(user) -> QuerySet[Couple]:
    """The couples `user` holds an unrevoked grant for, in their own clinic only."""
    granted = OutsidePrescriberGrant.objects.active().filter(prescriber=user).values("couple_id")
    return Couple.objects.of_clinic(user.membership.clinic_id).filter(pk__in=granted)


def outside_home(user) -> dict:
    """The outside prescriber's landing page: their couples, and what waits for them there
    (each list bounded, as on a prescriber's caseload)."""
    mine = granted_couples(user)
    today = timezone.localdate(timezone=user.membership.clinic.zone)
    return {
        "couples": list(mine.prefetch_related("partners").order_by("pk")),
        "waiting": waiting.WaitingForYou(
            reviews=waiting.reviews_to_sign(mine, today),
            vitals=waiting.vitals_to_decide(mine),
            overrides=waiting.overrides_possible(mine),
            prescriptions=waiting.prescriptions_ending(mine, today),
        ),
    }


def outside_prescribers_of_clinic(clinic_id: int) -> QuerySet[StaffMembership]:
    """The clinic's outside prescribers with all their grants (active first), for the admin."""
    grants = (
        OutsidePrescriberGrant.objects.select_related("couple", "granted_by", "revoked_by")
        .prefetch_related("couple__partners")
        .order_by("revoked_at", "-granted_at")
    )
    return (
        StaffMembership.objects.filter(clinic_id=clinic_id, role=Role.OUTSIDE_PRESCRIBER)
        .select_related("user")
        .prefetch_related(Prefetch("user__outside_grants", queryset=grants, to_attr="grants"))
        .order_by("-is_active", "user__full_name")
    )


def couples_to_grant(clinic_id: int) -> QuerySet[Couple]:
    return (
        Couple.objects.of_clinic(clinic_id)
        .exclude(status__in=[Couple.Status.COMPLETED, Couple.Status.WITHDRAWN])
        .prefetch_related("partners")
        .order_by("pk")
    )


def outside_prescriber_users(clinic_id: int):
    members = StaffMembership.objects.filter(
        clinic_id=clinic_id, role=Role.OUTSIDE_PRESCRIBER, is_active=True
    )
    return User.objects.filter(pk__in=members.values("user_id")).order_by("full_name")
