"""Reads for the care team's workspace: a couple's outcome plots and a partner's own history.

Questionnaire scores are partner-private: callers check `policy.can_view_partner_private`
for every partner they pass in (the care team, or the partner for their own history).
"""

import datetime
import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import dateformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake.models import Couple, Partner, QuestionnaireResponse
from sessions.models import MedicineSession
from workspace import plots

PER_PARTNER = ("PHQ-9", "GAD-7", "PCL-5")
DYADIC = "CSI-4"
PLOTTED = (*PER_PARTNER, DYADIC)

# Readings of one partner: {code: [(clinic day, total), ...] oldest first}.
Readings = dict[str, list[tuple[datetime.date, int]]]


@dataclass(frozen=True)
class PartnerPlots:
    partner: Partner
    plots: tuple[plots.Plot, ...]


@dataclass(frozen=True)
class CoupleOutcomes:
    partners: tuple[PartnerPlots, ...]
    dyadic: plots.Plot
    session_days: tuple[datetime.date, ...]


def couple_outcomes(couple: Couple, partners: Sequence[Partner]) -> CoupleOutcomes:
    """Each partner's PHQ-9, GAD-7 and PCL-5 and both partners' CSI-4 on one time axis,
    with the couple's medicine sessions marked. Two queries whatever the data size."""
    zone = couple.clinic.zone
    partners = sorted(partners, key=lambda p: p.slot)
    readings = readings_by_partner(partners, zone)
    sessions = medicine_session_days(couple, zone)
    start, end = _shared_range(partners, readings, sessions, zone)
    draw = functools.partial(plots.build_plot, sessions=sessions, start=start, end=end)
    per_partner = tuple(
        PartnerPlots(
            p, tuple(_partner_plot(draw, p, code, readings[p.pk][code]) for code in PER_PARTNER)
        )
        for p in partners
    )
    return CoupleOutcomes(
        per_partner, _dyadic_plot(draw, couple, partners, readings), tuple(sessions)
    )


def _shared_range(partners, readings, sessions, zone) -> tuple[datetime.date, datetime.date]:
    """One date axis for all the couple's plots, so a change in one lines up with the
    others and with the sessions; today alone when there is nothing to draw."""
    every = [plots.Series("", readings[p.pk][code]) for p in partners for code in PLOTTED]
    today = datetime.datetime.now(tz=zone).date()
    return plots.date_range(every, sessions) or (today, today)


def _partner_plot(draw, partner: Partner, code: str, readings) -> plots.Plot:
    scale = plots.SCALES[code]
    return draw(
        key=f"plot-{partner.pk}-{code}",
        title=f"{partner.first_name}: {code} ({scale.topic})",
        scale=scale,
        series=[plots.Series(partner.first_name, readings)],
    )


def _dyadic_plot(draw, couple: Couple, partners: list[Partner], readings) -> plots.Plot:
    """Both partners' CSI-4: the second line in squares and dashes, told apart without colour."""
    scale = plots.SCALES[DYADIC]
    return draw(
        key=f"plot-{couple.pk}-couple",
        title=f"{DYADIC} ({scale.topic}), both partners",
        scale=scale,
        series=[
            plots.Series(p.first_name, readings[p.pk][DYADIC], style=n % 2)
            for n, p in enumerate(partners)
        ],
    )


def readings_by_partner(partners: Sequence[Partner], zone) -> dict[int, Readings]:
    """The plotted questionnaires' totals of `partners`, by partner and code: one query."""
    found: dict[int, Readings] = defaultdict(lambda: defaultdict(list))
    responses = (
        QuestionnaireResponse.objects.filter(partner__in=list(partners), code__in=PLOTTED)
        .order_by("completed_at", "pk")
        .values_list("partner_id", "code", "total", "completed_at")
    )
    for partner_id, code, total, completed_at in responses:
        found[partner_id][code].append((completed_at.astimezone(zone).date(), total))
    return found


def _readings_of(partner: Partner, responses, zone) -> Readings:
    """The plotted totals among `responses` already read, keeping only `partner`'s own."""
    found: Readings = defaultdict(list)
    own = [r for r in responses if r.partner_id == partner.pk and r.code in PLOTTED]
    for response in sorted(own, key=lambda r: (r.completed_at, r.pk)):
        found[response.code].append((response.completed_at.astimezone(zone).date(), response.total))
    return found


def medicine_session_days(couple: Couple, zone) -> list[datetime.date]:
    """The clinic days on which the couple's medicine sessions started: one query."""
    started = (
        MedicineSession.objects.filter(couple=couple, started_at__isnull=False)
        .order_by("started_at")
        .values_list("started_at", flat=True)
    )
    return sorted({moment.astimezone(zone).date() for moment in started})


# --- The partner's own history (portal) -----------------------------------------------------
@dataclass(frozen=True)
class HistoryLine:
    sentence: str  # "Your PHQ-9 (mood) score went from 14 in March to 6 in October."
    hint: str  # which way is better, kindly put


def own_history(partner: Partner, responses=None) -> list[HistoryLine]:
    """The partner's own scores in plain words, one line per questionnaire answered; no
    bands or clinical flags are named, and only this partner's rows are used.

    `responses`: the partner's questionnaire responses the page has already read; read
    here (one query) when None."""
    zone = partner.couple.clinic.zone
    if responses is None:
        readings = readings_by_partner([partner], zone)[partner.pk]
    else:
        readings = _readings_of(partner, responses, zone)
    return [
        HistoryLine(_sentence(code, readings[code]), _HINTS[code])
        for code in PLOTTED
        if readings[code]
    ]


# Which way is better, kindly put, for the partner's own history.
_HINTS = {
    "PHQ-9": _("A lower score usually means your mood is lifting."),
    "GAD-7": _("A lower score usually means less worry and tension."),
    "PCL-5": _("A lower score usually means hard memories weigh on you less."),
    "CSI-4": _("A higher score usually means you feel more satisfied in your relationship."),
}
# The scales' topics as the partner reads them (staff captions keep plots.SCALES' own).
_TOPICS = {
    "PHQ-9": _("mood"),
    "GAD-7": _("anxiety"),
    "PCL-5": _("stress after trauma"),
    "CSI-4": _("relationship satisfaction"),
}


def _sentence(code: str, readings: list[tuple[datetime.date, int]]) -> str:
    (first_day, first), (last_day, last) = readings[0], readings[-1]
    names = {"code": code, "topic": _TOPICS[code]}
    if len(readings) == 1:
        when = _when(first_day, first_day, last_day)
        return gettext("Your %(code)s (%(topic)s) score was %(score)s %(when)s.") % {
            **names,
            "score": first,
            "when": when,
        }
    return gettext(
        "Your %(code)s (%(topic)s) score went from %(first)s %(first_when)s "
        "to %(last)s %(last_when)s."
    ) % {
        **names,
        "first": first,
        "first_when": _when(first_day, first_day, last_day),
        "last": last,
        "last_when": _when(last_day, first_day, last_day),
    }


def _when(day: datetime.date, first: datetime.date, last: datetime.date) -> str:
    """'in March', 'in March 2025' when the readings span years, or 'on 3 March' when
    they fall in the same month (month names in the reader's language)."""
    parts = {"day": day.day, "month": dateformat.format(day, "F"), "year": day.year}
    if (first.year, first.month) == (last.year, last.month) and first != last:
        return gettext("on %(day)s %(month)s") % parts
    if first.year != last.year:
        return gettext("in %(month)s %(year)s") % parts
    return gettext("in %(month)s") % parts
