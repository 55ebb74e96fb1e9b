"""A leaving clinician's couples, and handing them to a colleague (clinic admin only).

Registered with the core app at start-up (IntakeConfig.ready): the clinic admin's staff
pages ask through `kapcouples.clinic_admin`, which imports no domain app.
"""

from django.db import transaction

from intake.models import Couple
from kapcouples import audit, policy
from kapcouples.models import User


def couples_of_staff(user: User) -> list[Couple]:
    """Every couple `user` is primary clinician or care-team member of, ended ones too: a
    chart must always have someone who may read it."""
    found = Couple.objects.with_care_team_member(user.pk).prefetch_related("partners")
    return list(found.order_by("pk"))


@transaction.atomic
def couples_hand_over(
    *, by: User, from_user: User, to_user: User, where: dict | None = None
) -> list[Couple]:
    """Make `to_user` primary clinician wherever `from_user` was, and put them on the care
    team wherever `from_user` was on it; `from_user` leaves every care team. Audited."""
    clinic_id = policy.staff_clinic_id(by)
    policy.ensure(policy.can_manage_clinic, by, clinic_id, to="hand couples over")
    couples = [c for c in couples_of_staff(from_user) if c.clinic_id == clinic_id]
    for couple in couples:
        if couple.primary_clinician_id == from_user.pk:
            couple.primary_clinician = to_user
            couple.save(update_fields=["primary_clinician"])
            couple.care_team.remove(to_user)
        elif couple.care_team.filter(pk=from_user.pk).exists():
            couple.care_team.add(to_user)
        couple.care_team.remove(from_user)
        detail = f"handed over from {from_user.email} to {to_user.email}"
        audit.record_change(by=by, clinic_id=clinic_id, obj=couple, detail=detail, where=where)
    return couples
