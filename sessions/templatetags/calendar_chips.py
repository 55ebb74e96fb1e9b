"""The calendar's time grid, rendered in one pass per column.

A busy week shows hundreds of chips and over a thousand empty slots. Each is one
`str.format` of text escaped once with the standard library's `html.escape` (what Django's
`escape` does, without its lazy-string checks): a template include or a `format_html` per
chip, which escapes every argument again, took a third of the week page's time.
"""

import functools
import html

from django import template
from django.utils.formats import date_format
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

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


COLUMN = (
    '<section class="cal-col{other}" data-resource="{pk}" aria-label="{resource}, {long_day}">'
    '<h2 class="cal-head">{head}</h2>'
    '<div class="cal-rows">{slots}{chips}</div>{outside}</section>\n'
)
TIME = '<div class="cal-time cal-r-{}">{}</div>'


@register.simple_tag
def calendar_columns(grid, *, focus, view: str, by: str, book_url: str) -> SafeString:
    """`{% calendar_columns grid focus=… view=… by=… book_url=… %}`: every column of the
    grid, its head, slots, chips and the appointments outside the visible hours. A week by
    room has 42 columns: as a template loop they were a third of the page's time."""
    return mark_safe(  # each part escapes its own text
        "".join(_column(column, grid.times, focus, view, by, book_url) for column in grid.columns)
    )


def _column(column, times, focus, view: str, by: str, book_url: str) -> str:
    resource = html.escape(str(column.resource))
    head = resource
    if view == "week":
        day = html.escape(day_label(column.day, "D j"))
        head = f'{day}<br><span class="d-none d-md-inline">{resource}</span>'
    outside = column.outside
    return COLUMN.format(
        other="" if column.resource_id == focus else " cal-col-other",
        pk=int(column.resource_id),
        resource=resource,
        long_day=html.escape(day_label(column.day, "l j F")),
        head=head,
        slots=calendar_slots(column, times, by, book_url),
        chips=calendar_chips(column),
        outside=f'<div class="cal-outside">{calendar_listed(outside)}</div>' if outside else "",
    )


@register.simple_tag
def calendar_times(times) -> SafeString:
    """The grid's row labels: the time at each full hour."""
    return mark_safe(  # digits and a colon
        "".join(
            TIME.format(n, at if at.endswith(":00") else "")
            for n, at, _ in _clock_labels(tuple(times))
        )
    )


def calendar_slots(column, times, by: str, book_url: str) -> SafeString:
    """The column's empty slots, each booking its room (or clinician), day and time.

    A week shows over a thousand of them: the column's text is escaped once, and each slot
    adds only its row number and time, which are digits and a colon (nothing to escape)."""
    day, pk = column.day.isoformat(), int(column.resource_id)
    head = escape(f"{book_url}?date={day}&start_time=")
    tail = escape(f"&{by}={pk}")
    named = escape(f"{column.resource} {column.day:%a %-d %b}")
    # The column's slot with its own parts filled in once; each slot then fills three
    # positions. Braces in the filled text are doubled so that they stay text.
    slot = SLOT.format(
        n="{0}",
        href=f"{_braced(head)}{{1}}{_braced(tail)}",
        day=day,
        at="{1}",
        hhmm="{2}",
        pk=pk,
        named=_braced(named),
    )
    return mark_safe(  # every text part is escaped above; the rest are digits
        "".join(slot.format(*labels) for labels in _clock_labels(tuple(times)))
    )


def _braced(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


@functools.lru_cache(maxsize=16)
def _clock_labels(times: tuple) -> list[tuple[int, str, str]]:
    """(grid row, "09:30", "0930") of each slot time: the same for every column."""
    return [(n, f"{t:%H:%M}", f"{t:%H%M}") for n, t in enumerate(times, start=1)]


def calendar_chips(column) -> SafeString:
    """The column's appointments placed on the grid; active ones can be dragged."""
    return mark_safe("".join(_chip_html(chip) for chip in column.placed))  # escaped below


def _chip_html(chip) -> str:
    """One chip; every text is escaped, the rest are numbers and fixed class names."""
    times, kind, names, status, url, move_url = (
        html.escape(str(text))
        for text in (chip.times, chip.kind, chip.names, chip.status, chip.url, chip.move_url)
    )
    active = chip.is_active
    return CHIP.format(
        int(chip.row),
        int(chip.span),
        "" if active else INACTIVE,
        "true" if active else "false",
        move_url if active else "",
        int(chip.id),
        times,
        kind,
        names,
        status,
        url,
        times,
        kind,
        names,
        html.escape(chip.badge),
        status,
        MOVE.format(move_url, kind, times) if active else "",
    )


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


def day_label(day, format_string: str) -> str:
    """`day|date:format_string`, worked out once per day, format and language: a week by
    room shows each day's name in every room's column."""
    return _day_label(day, format_string, get_language())


@functools.lru_cache(maxsize=256)
def _day_label(day, format_string: str, language: str) -> str:
    return date_format(day, format_string)
