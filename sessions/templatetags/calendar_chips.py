"""The calendar's time grid, rendered in one pass per column.

A busy week shows hundreds of chips and over a thousand empty slots; building each with
`format_html_join` costs a fraction of a template include or loop body per item.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

# An empty slot: a link to book it, and the drop target of a dragged appointment.
SLOT = (
    '<a class="cal-slot cal-r-{}" href="{}?date={}&amp;start_time={}&amp;{}={}" '
    'data-date="{}" data-time="{}" data-resource="{}" data-testid="slot-{}-{}-{}" '
    'aria-label="Book {} {} {}"><span aria-hidden="true">+ {}</span></a>'
)
CHIP = (
    '<div class="cal-chip cal-r-{} cal-span-{}{}" draggable="{}" data-move-url="{}" '
    'data-testid="appointment-{}" title="{} {} · {} · {}">'
    '<a class="cal-chip-link" draggable="false" href="{}"><strong>{}</strong> {}<br>'
    '<span>{}</span> <span class="badge text-bg-{}">{}</span></a>{}</div>'
)
MOVE = '<a class="cal-move" draggable="false" href="{}" aria-label="Move {} {}">Move</a>'
LISTED = (
    '<a class="d-block small mb-1 text-decoration-none border rounded px-2 py-1 bg-white{}" '
    'href="{}" data-testid="appointment-{}"><strong>{}</strong> {}<br><span>{}</span> '
    '<span class="badge text-bg-{}">{}</span></a>'
)
INACTIVE = " cal-chip-inactive"


@register.simple_tag
def calendar_slots(column, times, by: str, book_url: str) -> SafeString:
    """The column's empty slots, each booking its room (or clinician), day and time."""
    day = column.day.isoformat()
    label = f"{column.day:%a %-d %b}"
    return format_html_join(
        "",
        SLOT,
        (
            _slot_args(n, at, book_url, by, column, day, label)
            for n, at in enumerate((f"{t:%H:%M}" for t in times), start=1)
        ),
    )


def _slot_args(n, at, book_url, by, column, day, label) -> tuple:
    pk = column.resource_id
    testid = (day, at.replace(":", ""), pk)
    return (n, book_url, day, at, by, pk, day, at, pk, *testid, column.resource, label, at, at)


@register.simple_tag
def calendar_chips(column) -> SafeString:
    """The column's appointments placed on the grid; active ones can be dragged."""
    return format_html_join("", CHIP, (_chip_args(chip) for chip in column.placed))


def _chip_args(chip) -> tuple:
    move = format_html(MOVE, chip.move_url, chip.kind, chip.times) if chip.is_active else ""
    return (
        chip.row,
        chip.span,
        "" if chip.is_active else INACTIVE,
        "true" if chip.is_active else "false",
        chip.move_url if chip.is_active else "",
        chip.id,
        chip.times,
        chip.kind,
        chip.names,
        chip.status,
        chip.url,
        chip.times,
        chip.kind,
        chip.names,
        chip.badge,
        chip.status,
        move,
    )


@register.simple_tag
def calendar_listed(chips) -> SafeString:
    """Appointments outside the grid's visible hours, listed under their column."""
    return format_html_join(
        "",
        LISTED,
        (
            (
                "" if chip.is_active else " text-body-secondary text-decoration-line-through",
                chip.url,
                chip.id,
                chip.times,
                chip.kind,
                chip.names,
                chip.badge,
                chip.status,
            )
            for chip in chips
        ),
    )
