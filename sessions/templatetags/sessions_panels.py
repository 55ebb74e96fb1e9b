"""Sessions' panels on shared pages (the partner portal, the couple page)."""

from django import template

register = template.Library()


@register.inclusion_tag("sessions/panels/portal.html", takes_context=True)
def sessions_portal_panel(context, partner):
    """The couple's appointments on a partner's portal."""
    return {"partner": partner, "request": context["request"]}


@register.inclusion_tag("sessions/panels/couple.html", takes_context=True)
def sessions_couple_panel(context, couple):
    """Plan, phase, readiness checklist and appointments on the couple page."""
    return {"couple": couple, "request": context["request"]}
