"""The maintenance panel on the couple page, the dashboard's card, the partner's line."""

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone

from kapcouples import policy
from maintenance import gate, selectors
from sessions.boosters import is_booster_couple
from workspace.waiting import WaitingItem

register = template.Library()


@register.inclusion_tag("maintenance/panels/couple.html", takes_context=True)
def maintenance_couple_panel(context, couple):
    """The plan and the next booster for the care team; front desk sees the due day only."""
    user = context["request"].user
    if not policy.can_view_couple_statuses(user, couple):
        return {"visible": False}
    completed = is_booster_couple(couple)
    return {
        "visible": True,
        "request": context["request"],
        "couple": couple,
        "program_completed": completed,
        "plan": gate.open_plan(couple) if completed else None,
        "booster": selectors.next_booster_for(couple) if completed else None,
        "show_clinical": policy.can_view_clinical(user, couple),
    }


@register.inclusion_tag("maintenance/due_card.html", takes_context=True)
def maintenance_due_card(context):
    """Couples of the clinician's caseload due for a booster, and plans to review."""
    user = context["request"].user
    if policy.role_of(user) not in policy.CARE_TEAM:
        return {"visible": False}
    clinic = user.membership.clinic
    today = timezone.localdate(timezone=clinic.zone)
    due = selectors.caseload_maintenance_due(clinic_id=clinic.pk, member_id=user.pk, today=today)
    return {
        "visible": True,
        "boosters": [_booster_item(booster) for booster in due.boosters],
        "reviews": [_review_item(plan, today) for plan in due.reviews],
    }


def _names(couple) -> str:
    return " & ".join(p.full_name for p in couple.partners.all()) or f"Couple {couple.pk}"


def _booster_item(due: selectors.BoosterDue) -> WaitingItem:
    detail = f"Booster due {due.due_on:%d %b %Y}"
    if due.last_on:
        detail += f" (last medicine session {due.last_on:%d %b %Y})"
    return WaitingItem(
        label=_names(due.couple),
        detail=detail,
        url=reverse("intake:couple_detail", kwargs={"couple_id": due.couple.pk}),
    )


def _review_item(plan, today) -> WaitingItem:
    if not plan.is_approved:
        detail = "Draft: waiting for a prescriber's approval"
    elif plan.review_on < today:
        detail = f"Review overdue since {plan.review_on:%d %b %Y}: no booster until reviewed"
    else:
        detail = f"Review by {plan.review_on:%d %b %Y}"
    return WaitingItem(
        label=_names(plan.couple),
        detail=detail,
        url=reverse("maintenance:plan_edit", kwargs={"couple_id": plan.couple_id}),
    )


@register.inclusion_tag("maintenance/portal_card.html")
def maintenance_portal_card(partner):
    """'Next booster around <month>' for a partner whose couple has an approved plan."""
    if not is_booster_couple(partner.couple):
        return {"booster": None}
    booster = selectors.next_booster_for(partner.couple)
    month = dateformat.format(booster.due_on, "F Y") if booster else ""
    return {"booster": booster, "month": month}
