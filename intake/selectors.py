"""Reads of couples and partners, already scoped to what the user may see."""

from django.db.models import Q, QuerySet

from intake.models import Couple, Partner
from kapcouples import policy
from kapcouples.models import Role


def couples_for_user(user) -> QuerySet[Couple]:
    """Couples the user's role lets them list: front desk the clinic's, clinicians their own."""
    role = policy.role_of(user)
    couples = Couple.objects.select_related("primary_clinician").prefetch_related("partners")
    if role == Role.FRONT_DESK:
        return couples.of_clinic(policy.staff_clinic_id(user)).order_by("-created_at")
    if role in policy.CLINICAL_ROLES:
        mine = couples.of_clinic(policy.staff_clinic_id(user)).with_care_team_member(user.pk)
        return mine.order_by("-created_at")
    return couples.none()


def search_couples(couples: QuerySet[Couple], query: str) -> QuerySet[Couple]:
    query = query.strip()
    if not query:
        return couples
    match = Partner.objects.filter(
        Q(first_name__icontains=query) | Q(last_name__icontains=query) | Q(email__icontains=query)
    ).values("couple_id")
    return couples.filter(pk__in=match)


def partner_of_user(user) -> Partner | None:
    return getattr(user, "partner_profile", None)
