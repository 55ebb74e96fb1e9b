"""The audit log's rows, built in Python: 50 entries of six cells each spent most of the
page's time in the template engine (as the caseload's rows did, see
workspace/templatetags/caseload_cells.py). Every text from the database goes through
`escape`."""

from html import escape

from django import template
from django.utils import dateformat
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_NONE = "—"


@register.simple_tag
def audit_row(entry, zone) -> SafeString:
    """`{% audit_row entry zone %}`: one entry's row, its time in the clinic's `zone`."""
    cells = [
        ("When", dateformat.format(entry.at.astimezone(zone), "j M Y H:i:s")),
        ("Who", _who(entry)),
        ("What", escape(entry.get_action_display())),
        ("Record", _record(entry)),
        ("From", escape(entry.ip_address or "") or _NONE),
    ]
    tds = "".join(f'\n    <td data-label="{label}">{value}</td>' for label, value in cells)
    detail = f'\n    <td data-label="Detail" class="text-break">{escape(entry.detail)}</td>'
    return mark_safe(f"<tr>{tds}{detail}\n  </tr>\n")


def _who(entry) -> str:
    if not entry.user_id:
        return _NONE
    return f'<a href="?person={entry.user_id}">{escape(str(entry.user))}</a>'


def _record(entry) -> str:
    label = escape(entry.record_label) or _NONE
    if not entry.couple_id:
        return label
    couple = entry.couple_id
    return (
        f'{label} <a class="small text-nowrap" href="?couple={couple}" '
        f'aria-label="Who opened couple {couple}’s record">couple {couple}</a>'
    )
