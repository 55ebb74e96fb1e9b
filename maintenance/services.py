"""Completing a program, and the maintenance plan that follows it (write, approve, end)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake.models import Couple
from kapcouples import audit, policy
from kapcouples.models import User
from kapcouples.services import DomainError
from maintenance.models import MaintenancePlan, MaintenanceSettings
from sessions.models import Appointment, Approach, MedicineSession, TreatmentPlan

# A prescriber looks at a maintenance plan at least once a year.
MAX_REVIEW_PERIOD = datetime.timedelta(days=366)
PLAN_FIELDS = (
    "interval_weeks",
    "boosters_per_review",
    "approach",
    "dosing_partner",
    "support_role",
    "route",
    "starts_on",
    "review_on",
    "notes",
)


def _locked_couple(couple: Couple) -> Couple:
    return Couple.objects.select_for_update().select_related("clinic").get(pk=couple.pk)


def _validated(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error


@transaction.atomic
def program_complete(*, couple: Couple, by: User) -> Couple:
    """Mark the couple's program completed: the treatment plan ends with it, and from now
    on a medicine session of this couple is a booster under a maintenance plan."""
    couple = _locked_couple(couple)
    policy.ensure(policy.can_complete_program, by, couple, to="complete a program")
    if couple.status in (Couple.Status.COMPLETED, Couple.Status.WITHDRAWN):
        raise DomainError(f"This program is already {couple.get_status_display().lower()}.")
    held = MedicineSession.objects.filter(couple=couple, status=MedicineSession.Status.COMPLETED)
    if not held.exists():
        raise DomainError("No medicine session is completed yet: nothing to complete.")
    pending = Appointment.objects.filter(
        couple=couple, kind=Appointment.Kind.MEDICINE, status__in=Appointment.UPCOMING_STATUSES
    )
    if pending.exists():
        raise DomainError("A medicine session is still booked: hold or cancel it first.")
    plan = TreatmentPlan.objects.select_for_update().filter(couple=couple).first()
    if plan is not None:
        plan.status = TreatmentPlan.Status.COMPLETED
        plan.save(update_fields=["status"])
    couple.status = Couple.Status.COMPLETED
    couple.save(update_fields=["status"])
    return couple


@transaction.atomic
def maintenance_plan_save(*, couple: Couple, by: User, values: dict) -> MaintenancePlan:
    """Write the couple's open maintenance plan (a new one if none). Editing an approved
    plan sends it back to draft: a prescriber approves the changed plan."""
    couple = _locked_couple(couple)
    policy.ensure(policy.can_write_maintenance_plan, by, couple, to="write a maintenance plan")
    if couple.status != Couple.Status.COMPLETED:
        raise DomainError("A maintenance plan follows a completed program: complete it first.")
    plan = _open_plan(couple) or MaintenancePlan(couple=couple, created_by=by)
    for name in PLAN_FIELDS:
        if name in values:
            setattr(plan, name, values[name])
    _check_roles(plan)
    if plan.status == MaintenancePlan.Status.APPROVED:
        plan.status, plan.approved_by, plan.approved_at = MaintenancePlan.Status.DRAFT, None, None
    _validated(plan)
    plan.save()
    return plan


def _open_plan(couple: Couple) -> MaintenancePlan | None:
    return (
        MaintenancePlan.objects.select_for_update()
        .filter(couple=couple)
        .exclude(status=MaintenancePlan.Status.ENDED)
        .first()
    )


def _check_roles(plan: MaintenancePlan) -> None:
    if plan.approach != Approach.SOLO:
        plan.dosing_partner, plan.support_role = None, ""
        return
    if plan.dosing_partner is None or plan.dosing_partner.couple_id != plan.couple_id:
        raise DomainError("A solo plan names which partner of this couple doses.")
    if not plan.support_role:
        raise DomainError("A solo plan names the other partner's role: sitter or chaperone.")


@transaction.atomic
def maintenance_plan_approve(*, plan: MaintenancePlan, by: User) -> MaintenancePlan:
    """A prescriber approves the plan, or re-approves it at its review with a new review date."""
    plan = MaintenancePlan.objects.select_for_update().select_related("couple").get(pk=plan.pk)
    couple = plan.couple
    policy.ensure(policy.can_approve_maintenance_plan, by, couple, to="approve a maintenance plan")
    if plan.status == MaintenancePlan.Status.ENDED:
        raise DomainError("This maintenance plan has ended: write a new one.")
    if couple.status != Couple.Status.COMPLETED:
        raise DomainError("A maintenance plan follows a completed program.")
    today = timezone.localdate(timezone=couple.clinic.zone)
    if plan.review_on < today:
        raise DomainError(
            f"The review date {plan.review_on:%d %b %Y} has passed: set a new review date first."
        )
    if plan.review_on - plan.starts_on > MAX_REVIEW_PERIOD:
        raise DomainError("The review date must be at most a year after the first booster.")
    plan.status, plan.approved_by, plan.approved_at = (
        MaintenancePlan.Status.APPROVED,
        by,
        timezone.now(),
    )
    _validated(plan)
    plan.save()
    return plan


@transaction.atomic
def maintenance_plan_end(*, plan: MaintenancePlan, by: User, reason: str) -> MaintenancePlan:
    """End the plan (kept as history): no booster under it from now on."""
    plan = MaintenancePlan.objects.select_for_update().select_related("couple").get(pk=plan.pk)
    policy.ensure(policy.can_write_maintenance_plan, by, plan.couple, to="end a maintenance plan")
    if plan.status == MaintenancePlan.Status.ENDED:
        raise DomainError("This maintenance plan has already ended.")
    if len(reason.strip()) < 3:
        raise DomainError("Say why the plan ends.")
    plan.status, plan.ended_at, plan.ended_reason = (
        MaintenancePlan.Status.ENDED,
        timezone.now(),
        reason.strip(),
    )
    plan.save()
    return plan


SETTINGS_FIELDS = ("rescreen_within_days", "preparation_sessions", "reminder_days_before")


@transaction.atomic
def maintenance_settings_update(*, clinic_id: int, values: dict, by: User) -> MaintenanceSettings:
    """Change the clinic's booster rules (clinic admin); the history keeps the old ones.
    Out-of-range values raise a ValidationError by field, for the form to show beside them."""
    policy.ensure(policy.can_manage_protocol, by, clinic_id, to="change the booster rules")
    found = MaintenanceSettings.objects.select_for_update().get(
        pk=MaintenanceSettings.for_clinic(clinic_id).pk
    )
    changed = {name: values[name] for name in SETTINGS_FIELDS if name in values}
    for name, value in changed.items():
        setattr(found, name, value)
    found.full_clean()
    found.save()
    detail = "booster rules: " + (", ".join(sorted(changed)) or "no change")
    audit.record_change(by=by, clinic_id=clinic_id, obj=found, detail=detail)
    return found
