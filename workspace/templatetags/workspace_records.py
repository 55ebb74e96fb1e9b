"""Small filters for the workspace's records."""

from django import template

from workspace import monitoring

register = template.Library()


@register.filter
def observations(reading) -> str:
    return monitoring.observations(reading)


@register.filter
def lot_drawn(dose) -> str:
    """The lot a dose was drawn from and its witness, where the clinic keeps stock; a dash
    for a dose given before it did."""
    entry = monitoring.stock_entry_of(dose)
    if entry is None:
        return "—"
    return f"{entry.lot.lot_number}, witnessed by {entry.witness.get_full_name()}"
