"""The caseload's score cells, built in Python: a page of 25 couples shows 200 scores, and
an `{% include %}` for each was a fifth of the page's time. The standard library's `escape`
is the one Django's wraps (without its lazy-string check, which cost as much again)."""

from html import escape

from django import template
from django.urls import reverse
from django.utils import dateformat
from django.utils.safestring import SafeString, mark_safe

from kapcouples.templatetags.audit_links import who_opened_link

register = template.Library()

_SEPARATOR = " · "


def score_change(code: str, score) -> SafeString:
    """The instrument's latest total and its change since baseline, spoken in words to
    screen readers; "not done" without a score."""
    code = escape(code)
    if score is None:
        return mark_safe(
            f'<span class="text-nowrap" data-code="{code}">{code} '
            '<span class="text-body-secondary">not done</span></span>\n'
        )
    return mark_safe(
        f'<span class="text-nowrap" data-code="{code}">{code} <strong>{score.latest}</strong> '
        f'<span class="{_colour(score)}"><span aria-hidden="true" data-testid="change">'
        f'{escape(score.since_baseline)}</span><span class="visually-hidden">'
        f"{escape(score.spoken)}</span></span></span>\n"
    )


@register.simple_tag
def scores_cell(row) -> SafeString:
    """`{% scores_cell row %}`: each partner's line of scores, every instrument in order."""
    return mark_safe(
        "".join(
            _partner_line(
                scores.partner,
                _SEPARATOR.join(score_change(code, score) for code, score in scores.ordered()),
            )
            for scores in row.scores
        )
    )


@register.simple_tag
def csi4_cell(row) -> SafeString:
    """`{% csi4_cell row %}`: each partner's CSI-4, shown together for the couple."""
    return mark_safe(
        "".join(
            _partner_line(partner, score_change("CSI-4", score))
            for partner, score in row.couple_scores
        )
    )


def _partner_line(partner, cells: str) -> str:
    return f'<div><span class="fw-semibold">{escape(partner.first_name)}:</span> {cells}</div>'


@register.simple_tag
def clinic_time(moment, clinic) -> str:
    """`{% clinic_time moment clinic %}`: what `{% timezone clinic.timezone %}` around
    `{{ moment|date:"D j M Y, H:i" }}` shows, without switching the zone for each row."""
    return dateformat.format(moment.astimezone(clinic.zone), "D j M Y, H:i")


def _colour(score) -> str:
    if score.improved:
        return "text-success"
    return "text-danger" if score.worse else "text-body-secondary"


@register.simple_tag(takes_context=True)
def caseload_row(context, row) -> SafeString:
    """`{% caseload_row row %}`: one couple's row of the caseload table, built in Python
    for the same reason as its cells (an `{% include %}` per row was a third of the page).
    Every text from the database goes through `escape`."""
    couple, clinical = row.couple, context["clinical"]
    link = reverse("intake:couple_detail", kwargs={"couple_id": couple.pk})
    who = "" if clinical else who_opened_link(context, couple)
    cells = [
        f'<td data-label="Couple"><a href="{link}">{escape(row.names)}</a>{who}</td>',
        '<td data-label="Phase"><span class="badge text-bg-secondary">'
        f"{escape(couple.get_status_display())}</span></td>",
        f'<td data-label="Next appointment" data-testid="next-appointment">{_next(row)}</td>',
    ]
    if clinical:
        cells += [
            '<td data-label="Next medicine session" data-testid="readiness">'
            f"{_readiness(row)}</td>",
            f'<td data-label="Scores" data-testid="scores">{scores_cell(row)}</td>',
            f'<td data-label="CSI-4" data-testid="csi4">{csi4_cell(row)}</td>',
        ]
    cells.append(f'<td data-label="Open alerts" data-testid="alerts">{_alerts(row)}</td>')
    return mark_safe(
        f'<tr data-testid="caseload-row" data-couple="{couple.pk}">\n  '
        + "\n  ".join(cells)
        + "\n</tr>\n"
    )


def _next(row) -> str:
    if not row.next_start:
        return "None booked"
    when = clinic_time(row.next_start, row.couple.clinic)
    return f"{escape(when)}{_SEPARATOR}{escape(row.next_kind_label)}"


def _readiness(row) -> str:
    r = row.readiness
    if row.program_over:
        status = escape(row.couple.get_status_display().lower())
        return f'<span class="text-body-secondary">Program {status}</span>'
    if r.ready:
        return '<span class="badge text-bg-success">Ready</span>'
    return (
        f'<span class="badge text-bg-warning">Not ready</span> {r.item_number}. '
        f'{escape(r.item_title)}<div class="small text-body-secondary">{escape(r.problem)}</div>'
    )


def _alerts(row) -> str:
    badges = []
    if row.urgent_alerts:
        badges.append(f'<span class="badge text-bg-danger">{row.urgent_alerts} urgent</span> ')
    if row.routine_alerts:
        badges.append(f'<span class="badge text-bg-warning">{row.routine_alerts} routine</span>')
    return "".join(badges) or "None"
