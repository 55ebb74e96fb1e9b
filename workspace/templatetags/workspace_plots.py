"""The outcome plots as pieces other pages can show: the couple's chart and the portal."""

from django import template

from intake.models import ScreeningSettings
from kapcouples import policy
from workspace import selectors

register = template.Library()


@register.inclusion_tag("workspace/includes/outcomes.html", takes_context=True)
def outcome_plots(context, couple, partners, outcomes=None):
    """`{% outcome_plots couple partners %}`: the couple's plots, for a viewer who may read
    both partners' scores (the care team); nothing otherwise.

    `partners`: the couple's partners already loaded by the page; `outcomes`: the page's
    `CoupleOutcomes`, when it has them (two queries are saved)."""
    # Both partners' private scores: the couple's care team (policy.can_view_clinical).
    if not policy.can_view_clinical(context["request"].user, couple):
        return {"show": False}
    return {
        "show": True,
        "outcomes": outcomes or selectors.couple_outcomes(couple, partners),
    }


@register.inclusion_tag("workspace/includes/own_history.html", takes_context=True)
def own_score_history(context, partner, screening=None):
    """`{% own_score_history partner screening %}` on the portal: the signed-in partner's own
    scores in plain words, when their clinic shows them. Never another partner's.

    `screening`: the page's `ScreeningFacts` of this partner (settings and responses read
    once for the whole page)."""
    request = context["request"]
    if partner is None or partner.user_id != request.user.pk:
        return {"show": False}
    settings = (
        screening.settings
        if screening is not None
        else ScreeningSettings.for_clinic(partner.couple.clinic_id)
    )
    if not settings.partners_see_their_scores:
        return {"show": False}
    return {
        "show": True,
        "lines": selectors.own_history(partner, _already_read(screening, partner)),
    }


def _already_read(screening, partner):
    """The partner's responses the portal's `ScreeningFacts` read for its task list, reused
    so the portal, already at its query bound, reads them once; None without one."""
    return None if screening is None else screening.responses(partner)
