"""Who is due for a booster, and whose maintenance plan is due for review.

A booster is due an interval after the couple's last held medicine session (the program's
last, or the last booster), never before the plan's first booster day. It counts as
"due" on the dashboard from `DUE_SOON` before that day until a booster is booked.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from intake.models import Couple
from intake.selectors import partners_by_couple
from kapcouples.prepared import PreparedRows, hold_as_prefetched
from maintenance.models import MaintenancePlan
from sessions.models import Appointment

DUE_SOON = datetime.timedelta(days=14)
LIST_LIMIT = 10
MEDICINE = Appointment.Kind.MEDICINE


@dataclass(frozen=True)
class BoosterDue:
    plan: MaintenancePlan
    due_on: datetime.date
    last_on: datetime.date | None

    @property
    def couple(self) -> Couple:
        return self.plan.couple


def next_booster_on(plan: MaintenancePlan, last_held: datetime.datetime | None) -> datetime.date:
    """The day the next booster is due: the interval after the last held medicine session,
    not before the plan's first booster day."""
    if last_held is None:
        return plan.starts_on
    last_on = last_held.astimezone(plan.couple.clinic.zone).date()
    return max(plan.starts_on, last_on + datetime.timedelta(weeks=plan.interval_weeks))


def with_booster_facts(plans: QuerySet[MaintenancePlan]) -> QuerySet[MaintenancePlan]:
    """Each plan with its couple's last held medicine session and whether a medicine
    session is booked, as two subqueries (one query for any number of plans)."""
    medicine = Appointment.objects.filter(couple_id=OuterRef("couple_id"), kind=MEDICINE)
    last_held = medicine.filter(status=Appointment.Status.COMPLETED).order_by("-start")
    return plans.annotate(
        last_held=Subquery(last_held.values("start")[:1]),
        booked=Exists(medicine.filter(status__in=Appointment.UPCOMING_STATUSES)),
    )


def approved_plans(couples: QuerySet[Couple]) -> QuerySet[MaintenancePlan]:
    return MaintenancePlan.objects.filter(
        couple__in=couples,
        couple__status=Couple.Status.COMPLETED,
        status=MaintenancePlan.Status.APPROVED,
    )


@dataclass(frozen=True)
class MaintenanceDue:
    boosters: list[BoosterDue]  # soonest first
    reviews: list[MaintenancePlan]  # by review date


def maintenance_due(couples: QuerySet[Couple], today: datetime.date) -> MaintenanceDue:
    """Both lists of the dashboard's card from one query: the approved and draft plans of
    the completed couples of `couples` (a caseload holds a few), each list cut to
    `LIST_LIMIT`. Building one query costs more than running it, so there is one."""
    return _due(list(_open_plans(couples)), today)


def caseload_maintenance_due(
    *, clinic_id: int, member_id: int, today: datetime.date
) -> MaintenanceDue:
    """What `maintenance_due` says of a care team member's couples, with its SQL built once
    per process: the dashboard shows it on every visit (kapcouples.prepared).

    Read in three short steps: the caseload's completed couples, their open plans, their
    partners. As one query, PostgreSQL hashed every open plan of the deployment to join
    them to a caseload of a few couples."""
    couple_ids = _CASELOAD_COMPLETED.rows(None, clinic_id=clinic_id, member_id=member_id)
    plans = _OPEN_PLANS_OF.rows(None, couple_ids=couple_ids)
    partners = partners_by_couple([plan.couple_id for plan in plans])
    for plan in plans:
        hold_as_prefetched(plan.couple, "partners", partners[plan.couple_id])
    return _due(plans, today)


def _open_plans(couples: QuerySet[Couple]) -> QuerySet[MaintenancePlan]:
    return _open_plans_where(couple__in=couples).prefetch_related("couple__partners")


def _open_plans_where(**where) -> QuerySet[MaintenancePlan]:
    return with_booster_facts(
        MaintenancePlan.objects.filter(
            couple__status=Couple.Status.COMPLETED,
            status__in=(MaintenancePlan.Status.APPROVED, MaintenancePlan.Status.DRAFT),
            **where,
        )
    ).select_related("couple__clinic")


_CASELOAD_COMPLETED = PreparedRows(
    lambda _shape, clinic_id, member_id: (
        Couple.objects.of_clinic(clinic_id)
        .with_care_team_member(member_id)
        .filter(status=Couple.Status.COMPLETED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
)
_OPEN_PLANS_OF = PreparedRows(
    lambda _shape, couple_ids: _open_plans_where(couple_id__in=couple_ids)
)


def _due(plans: list[MaintenancePlan], today: datetime.date) -> MaintenanceDue:
    soon = today + DUE_SOON
    due = [
        BoosterDue(plan, next_booster_on(plan, plan.last_held), _day(plan, plan.last_held))
        for plan in plans
        if plan.is_approved and not plan.booked
    ]
    boosters = sorted((d for d in due if d.due_on <= soon), key=lambda d: (d.due_on, d.plan.pk))
    reviews = sorted(
        (plan for plan in plans if not plan.is_approved or plan.review_on <= soon),
        key=lambda plan: (plan.review_on, plan.pk),
    )
    return MaintenanceDue(boosters[:LIST_LIMIT], reviews[:LIST_LIMIT])


def boosters_due(couples: QuerySet[Couple], today: datetime.date) -> list[BoosterDue]:
    """Couples of `couples` with a booster due within `DUE_SOON` (or overdue) and none
    booked, soonest first."""
    return maintenance_due(couples, today).boosters


def reviews_due(couples: QuerySet[Couple], today: datetime.date) -> list[MaintenancePlan]:
    """Approved plans whose review date is within `DUE_SOON` or past, and drafts waiting
    for a prescriber's approval, by review date."""
    return maintenance_due(couples, today).reviews


def _day(plan: MaintenancePlan, moment: datetime.datetime | None) -> datetime.date | None:
    return moment.astimezone(plan.couple.clinic.zone).date() if moment else None


def next_booster_for(couple: Couple) -> BoosterDue | None:
    """The couple's next booster due day under their approved plan (None without one)."""
    plan = (
        with_booster_facts(approved_plans(Couple.objects.filter(pk=couple.pk)))
        .select_related("couple__clinic")
        .first()
    )
    if plan is None:
        return None
    return BoosterDue(plan, next_booster_on(plan, plan.last_held), _day(plan, plan.last_held))


def today_at(clinic) -> datetime.date:
    return timezone.localdate(timezone=clinic.zone)
