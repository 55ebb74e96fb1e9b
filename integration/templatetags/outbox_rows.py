"""The outbox's rows, built in Python: 50 messages of nine cells each spent two thirds of
the page's time in the template engine (as the caseload's and the audit log's rows did).
Times are in the reader's zone, as `|date` shows them; every text from the database goes
through `escape`."""

from html import escape

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_NONE = "—"
_CSRF = CsrfTokenNode()  # what `{% csrf_token %}` renders, from the same context
_STATUS_BADGES = {
    "sent": "text-bg-success",
    "failed": "text-bg-danger",
    "pending": "text-bg-warning",
}


@register.simple_tag(takes_context=True)
def outbox_row(context, reminder, openable) -> SafeString:
    """`{% outbox_row reminder openable %}`: one message's row; `openable` holds the couples
    whose page the reader may open."""
    cells = [
        ("Due", _due(reminder)),
        ("To", _to(reminder)),
        ("Channel", _channel(reminder)),
        ("Message", escape(reminder.get_kind_display())),
        ("Status", _status(reminder)),
        ("Tries", str(reminder.attempts)),
        ("Sent", _time(reminder.sent_at, "Y-m-d H:i") or _NONE),
    ]
    tds = "".join(f'\n    <td data-label="{label}">{value}</td>' for label, value in cells)
    error = escape(reminder.last_error) or _NONE
    return mark_safe(
        f"<tr>{tds}"
        f'\n    <td data-label="Last error" class="text-break">{error}</td>'
        f'\n    <td data-label="Actions" class="text-nowrap">'
        f"{_actions(context, reminder, openable)}</td>\n  </tr>\n"
    )


def _time(moment, format_string: str) -> str:
    return dateformat.format(timezone.localtime(moment), format_string) if moment else ""


def _due(reminder) -> str:
    due = _time(reminder.next_attempt_at, "Y-m-d H:i")
    if reminder.next_attempt_at == reminder.due_at:
        return due
    asked = _time(reminder.due_at, "H:i")
    return f'{due} <span class="small text-body-secondary">(asked {asked})</span>'


def _to(reminder) -> str:
    found = escape(reminder.recipient_label)
    if reminder.staff_user_id:
        found += ' <span class="badge text-bg-light">staff</span>'
    stopped = reminder.partner.sms_opted_out_at if reminder.partner_id else None
    if stopped:
        day = _time(stopped, "Y-m-d")
        found += f' <span class="badge text-bg-light">Texts stopped {day}</span>'
    return found


def _channel(reminder) -> str:
    found = escape(reminder.get_channel_display())
    if reminder.fallback_reason:
        reason = escape(reminder.fallback_reason)
        found += f'<div class="small text-body-secondary">{reason}</div>'
    return found


def _status(reminder) -> str:
    badge = _STATUS_BADGES.get(reminder.status, "text-bg-secondary")
    found = f'<span class="badge {badge}">{escape(reminder.get_status_display())}</span>'
    if reminder.delivery_status:
        colour = "text-bg-danger" if reminder.not_delivered else "text-bg-light"
        label = escape(reminder.get_delivery_status_display())
        found += (
            f' <span class="badge {colour}" title="What the SMS provider reports">{label}</span>'
        )
    return found


def _actions(context, reminder, openable) -> str:
    found = ""
    if reminder.partner_id and reminder.partner.couple_id in openable:
        url = reverse("intake:couple_detail", kwargs={"couple_id": reminder.partner.couple_id})
        found += f'<a class="btn btn-sm btn-outline-secondary" href="{url}">Couple</a>'
    if reminder.status == "failed":
        url = reverse("integration:outbox_retry", kwargs={"reminder_id": reminder.pk})
        found += (
            f' <form method="post" action="{url}" class="d-inline">{_CSRF.render(context)}'
            '<button class="btn btn-sm btn-outline-primary" type="submit">Retry</button></form>'
        )
    return found
