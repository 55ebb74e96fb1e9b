"""The calendar's time grid, rendered in one pass per column.

A busy week shows hundreds of chips and over a thousand empty slots; building each with
`format_html_join` costs a fraction of a template include or loop body per item.
"""

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# An empty slot: a link to book it, and the drop target of a dragged appointment.
SLOT = (
    '<a class="cal-slot cal-r-{n}" href="{href}" data-date="{day}" data-time="{at}" '
    'data-resource="{pk}" data-testid="slot-{day}-{hhmm}-{pk}" aria-label="Book {named} {at}">'
    '<span aria-hidden="true">+ {at}</span></a>'
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
    """The column's empty slots, each booking its room (or clinician), day and time.

    A week shows over a thousand of them: the column's text is escaped once, and each slot
    adds only its row number and time, which are digits and a colon (nothing to escape)."""
    day, pk = column.day.isoformat(), int(column.resource_id)
    head = escape(f"{book_url}?date={day}&start_time=")
    tail = escape(f"&{by}={pk}")
    named = escape(f"{column.resource} {column.day:%a %-d %b}")
    return mark_safe(  # every text part is escaped above; the rest are digits
        "".join(
            SLOT.format(
                n=n,
                href=f"{head}{at}{tail}",
                day=day,
                at=at,
                hhmm=at.replace(":", ""),
                pk=pk,
                named=named,
            )
            for n, at in enumerate((f"{t:%H:%M}" for t in times), start=1)
        )
    )


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
