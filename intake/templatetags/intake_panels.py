"""Intake's panels on shared pages (the partner portal, the couple page)."""

from django import template

register = template.Library()


@register.inclusion_tag("intake/panels/portal.html", takes_context=True)
def intake_portal_panel(context, partner):
    """The partner's screening tasks on their portal."""
    return {"partner": partner, "request": context["request"]}


@register.inclusion_tag("intake/panels/couple.html", takes_context=True)
def intake_couple_panel(context, couple):
    """Screening status of each partner on the couple page (what the viewer may see)."""
    return {"couple": couple, "request": context["request"]}
