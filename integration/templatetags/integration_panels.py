"""Integration's panels on shared pages (the partner portal, the couple page)."""

from django import template

register = template.Library()


@register.inclusion_tag("integration/panels/portal.html", takes_context=True)
def integration_portal_panel(context, partner):
    """The partner's check-ins and due questionnaires on their portal."""
    return {"partner": partner, "request": context["request"]}


@register.inclusion_tag("integration/panels/couple.html", takes_context=True)
def integration_couple_panel(context, couple):
    """Check-ins, integration notes and alerts on the couple page (care team only)."""
    return {"couple": couple, "request": context["request"]}
