"""Small filters for the workspace's records."""

from django import template

from workspace import monitoring

register = template.Library()


@register.filter
def observations(reading) -> str:
    return monitoring.observations(reading)


@register.filter
def lot_number(dose) -> str:
    """The lot a dose was drawn from, where the clinic keeps stock; a dash otherwise."""
    return getattr(dose, "lot_number", "") or "—"
