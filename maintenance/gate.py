"""The readiness gate's rules for a booster (a medicine session after the program).

Registered with `sessions.boosters` at start-up: `sessions.readiness` asks these instead of
the treatment plan's rules when the couple's program is completed, and `sessions.medicine`
asks them again at each dose, on the facts of that moment: the maintenance plan approved
and in force on the day, a fresh PHQ-9 and GAD-7 before the booster, and no more boosters
in the review period than it allows. Everything else (screening, preparation, integration,
dose caps, discharge) is the gate's.
"""

import datetime

from intake.models import Couple, QuestionnaireResponse
from maintenance.models import MaintenancePlan, MaintenanceSettings

RESCREEN_CODES = (QuestionnaireResponse.Code.PHQ9, QuestionnaireResponse.Code.GAD7)


def _open_plans():
    return MaintenancePlan.objects.exclude(status=MaintenancePlan.Status.ENDED)


def open_plan(couple: Couple) -> MaintenancePlan | None:
    """The couple's maintenance plan not ended (at most one: a database constraint)."""
    return _open_plans().filter(couple=couple).first()


def open_plans(couple_ids: set[int]) -> dict[int, MaintenancePlan]:
    """`open_plan` of each of these couples that has one, in one query (the caseload)."""
    return {plan.couple_id: plan for plan in _open_plans().filter(couple_id__in=couple_ids)}


def settings_for(clinic_id: int) -> MaintenanceSettings:
    return MaintenanceSettings.for_clinic(clinic_id)


def plan_problems(plan: MaintenancePlan | None, on: datetime.date) -> list[str]:
    """What stops a booster on day `on` in the maintenance plan itself (never overridable)."""
    if plan is None:
        return ["There is no maintenance plan: the care team writes one, a prescriber approves it."]
    if not plan.is_approved:
        return [f"The maintenance plan is “{plan.get_status_display()}”: a prescriber approves it."]
    if on < plan.starts_on:
        return [f"The maintenance plan's boosters start on {plan.starts_on:%d %b %Y}."]
    if on > plan.review_on:
        return [
            f"The maintenance plan was due for review by {plan.review_on:%d %b %Y}: a prescriber "
            "reviews it (a new review date) and approves it before another booster."
        ]
    return []


def rescreen_window(on: datetime.date, days: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day a PHQ-9 or GAD-7 counts as re-screening for a booster on `on`."""
    return on - datetime.timedelta(days=days), on


def rescreen_missing(responses, window, zone) -> list[str]:
    """The re-screening questionnaires (codes) not completed in `window` (clinic days)."""
    first, last = window
    done = {
        response.code
        for response in responses
        if first <= response.completed_at.astimezone(zone).date() <= last
    }
    return [code for code in RESCREEN_CODES if code not in done]


def rescreen_problems(name: str, responses, window, zone) -> list[str]:
    missing = rescreen_missing(responses, window, zone)
    if not missing:
        return []
    first, last = window
    return [
        f"{name} needs a {' and a '.join(missing)} completed between {first:%d %b} and "
        f"{last:%d %b %Y} (re-screening before each booster)."
    ]


def boosters_in_period(plan: MaintenancePlan, history, zone) -> int:
    """The booked or held medicine sessions whose day falls in the plan's review period.
    `history`: `sessions.readiness.History` rows of the couple (the booster itself left out)."""
    return sum(
        h.kind == "medicine"
        and h.is_active
        and plan.starts_on <= h.start.astimezone(zone).date() <= plan.review_on
        for h in history
    )


def count_problems(plan: MaintenancePlan | None, history, zone) -> list[str]:
    if plan is None:
        return []
    count = boosters_in_period(plan, history, zone)
    if count < plan.boosters_per_review:
        return []
    return [
        f"The maintenance plan allows {plan.boosters_per_review} booster(s) until its review on "
        f"{plan.review_on:%d %b %Y} and {count} are already booked or held (a prescriber may "
        "override, or review the plan)."
    ]
