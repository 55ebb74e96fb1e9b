"""The outcome plots as pieces other pages can show: the couple's chart and the portal."""

from django import template

from kapcouples import policy
from workspace import selectors

register = template.Library()


@register.inclusion_tag("workspace/includes/outcomes.html", takes_context=True)
def outcome_plots(context, couple, partners, outcomes=None):
    """`{% outcome_plots couple partners %}`: the couple's plots, for a viewer who may read
    both partners' scores (the care team); nothing otherwise.

    `partners`: the couple's partners already loaded by the page; `outcomes`: the page's
    `CoupleOutcomes`, when it has them (two queries are saved)."""
    user = context["request"].user
    if not all(policy.can_view_partner_private(user, partner) for partner in partners):
        return {"show": False}
    return {
        "show": True,
        "outcomes": outcomes or selectors.couple_outcomes(couple, partners),
    }
