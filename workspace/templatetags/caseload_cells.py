"""The caseload's score cells, built in Python: a page of 25 couples shows 200 scores, and
an `{% include %}` for each was a fifth of the page's time. The standard library's `escape`
is the one Django's wraps (without its lazy-string check, which cost as much again)."""

from html import escape

from django import template
from django.utils import dateformat
from django.utils.safestring import SafeString, mark_safe

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
