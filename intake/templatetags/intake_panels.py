"""Intake's panels on shared pages (the partner portal, the couple page)."""

from django import template
from django.utils import timezone

from intake import selectors
from intake.readiness import ScreeningFacts
from kapcouples import policy

register = template.Library()


@register.inclusion_tag("intake/panels/portal.html", takes_context=True)
def intake_portal_panel(context, partner, screening=None):
    """The partner's screening tasks on their portal (their own, never the other partner's).

    `screening`: the page's `ScreeningFacts` holding this partner, when it has them."""
    request = context["request"]
    if partner is None or partner.user_id != request.user.pk:
        return {"show": False}
    facts = screening or ScreeningFacts([partner])
    today = timezone.localdate(timezone=partner.couple.clinic.zone)
    due = selectors.questionnaires_due(partner, on=today, facts=facts)
    return {
        "show": True,
        "partner": partner,
        "draft": facts.draft_intake(partner),
        "submitted": facts.submitted_intake(partner),
        "due": [(code, code.lower()) for code in due],
        "consent_current": facts.consent_current(partner),
        "request": request,
    }


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
