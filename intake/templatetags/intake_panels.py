"""Intake's panels on shared pages (the couple page)."""

from django import template

from intake import selectors
from intake.readiness import ScreeningFacts
from kapcouples import policy

register = template.Library()


@register.inclusion_tag("intake/panels/couple.html", takes_context=True)
def intake_couple_panel(context, couple, screening=None):
    """Screening status of each partner on the couple page (what the viewer may see).

    `screening`: the page's `ScreeningFacts` of the couple's partners, when it has them."""
    request = context["request"]
    user = request.user
    if not policy.can_view_couple_statuses(user, couple):
        return {"show": False}
    facts = screening or ScreeningFacts(couple.partners.select_related("user"))
    return {
        "show": True,
        "couple": couple,
        "summaries": selectors.screening_summaries(facts),
        "clinical": policy.can_view_clinical(user, couple),
        "can_invite": policy.can_invite_partners(user, couple),
        "request": request,
    }
