"""Readiness for the next medicine session of a page of couples, in a fixed number of queries.

`sessions.readiness.readiness_check` reads its plan, protocol, history, partners, screening
and overrides for one couple (about a dozen queries), so a page of 25 couples would make
hundreds. Here each kind of row is read once for all the page's couples and the very same
item functions of `sessions.readiness` judge each couple, so the rules stay in one place:
the caseload says what the couple page's checklist says.
"""

import functools
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from intake.models import (
    ContraindicationReview,
    Couple,
    IntakeForm,
    QuestionnaireResponse,
)
from intake.readiness import (
    CSSRS_FIELDS,
    LATEST_REVIEW_FIRST,
    ScreeningFacts,
    reviews_in_force,
    start_of_day,
)
from intake.selectors import partners_by_couple
from kapcouples.prepared import PreparedRows
from sessions import readiness as gate
from sessions.boosters import booster_rules, is_booster_couple
from sessions.models import Appointment, ReadinessOverride, TreatmentPlan
from sessions.protocol import protocol_for


@dataclass(frozen=True)
class NextSession:
    """Whether the couple is ready for its next medicine session, else the first unmet item."""

    ready: bool
    appointment_id: int | None  # the booked medicine appointment, if there is one
    session_number: int
    item_number: int | None = None
    item_title: str = ""
    problem: str = ""  # the first thing wrong under that item, in the checklist's words
    overridable: bool = False  # a prescriber could override it for this session


@dataclass(frozen=True)
class _Facts:
    """Everything the gate reads, for all the page's couples."""

    plans: dict[int, TreatmentPlan]
    history: dict[int, list[gate.History]]
    overrides: dict[int, list[ReadinessOverride]]
    screening: ScreeningFacts
    protocol: object


def with_partner_lists(couples: list[Couple]) -> list[Couple]:
    """The couples, each with its partners in `partner_list` (by slot), read in one prepared
    query: what `prefetch_related` would do, without building its SQL on every page. (A
    prefetch into `couple.partners` builds a filtered queryset for every couple to hold it,
    which cost a page of 25 couples more than the partners' query itself.)"""
    found = partners_by_couple([couple.pk for couple in couples])
    for couple in couples:
        couple.partner_list = found[couple.pk]
        for partner in couple.partner_list:
            partner.couple = couple
    return couples


def next_session_readiness(couples: list[Couple]) -> dict[int, NextSession]:
    """{couple id: readiness for its next medicine session}, judged for booking it (the
    start's own checks run when it starts). All couples belong to one clinic, with their
    clinic selected and their partners read by `with_partner_lists`."""
    if not couples:
        return {}
    facts = _read(couples)
    return {couple.pk: _judge(couple, facts) for couple in couples}


def _read(couples: list[Couple]) -> _Facts:
    ids = [couple.pk for couple in couples]
    history = defaultdict(list)
    for couple_id, *row in _HISTORY.rows(None, couple_ids=ids):
        history[couple_id].append(gate.History(*row))
    overrides = defaultdict(list)
    for override in _LIVE_OVERRIDES.rows(None, couple_ids=ids):
        overrides[override.couple_id].append(override)
    return _Facts(
        plans=_plans(couples),
        history=history,
        overrides=overrides,
        screening=_PageScreening([p for couple in couples for p in couple.partner_list]),
        protocol=protocol_for(couples[0].clinic_id),
    )


# A caseload page's reads, by its couples' ids: their SQL built once per process for each
# number of couples (kapcouples.prepared).
_HISTORY = PreparedRows(
    lambda _shape, couple_ids: (
        Appointment.objects.filter(couple_id__in=couple_ids)
        .order_by("start", "pk")
        .values_list("couple_id", "pk", "kind", "status", "start")
    )
)
_LIVE_OVERRIDES = PreparedRows(
    lambda _shape, couple_ids: ReadinessOverride.objects.filter(
        couple_id__in=couple_ids, revoked_at__isnull=True
    ).order_by(F("appointment_id").asc(nulls_first=True), "pk")
)
_PLANS = PreparedRows(
    lambda _shape, couple_ids: TreatmentPlan.objects.filter(couple_id__in=couple_ids)
)


class _PageScreening(ScreeningFacts):
    """The same screening facts, reading only the rows and columns the readiness items
    judge for a session from today on: a page of 25 couples would otherwise turn every
    questionnaire of 50 partners, and their reviews' findings and intake answers, into
    model rows for one column."""

    def cssrs_in(self, partner, window):
        return self.cssrs_screeners_in(partner, window)

    @functools.cached_property
    def _cssrs(self) -> dict[int, list[QuestionnaireResponse]]:
        """Each partner's C-SSRS screeners from the first day of today's window on: the
        caseload judges no session before today, and no earlier screener counts for one."""
        zone = self.partners[0].couple.clinic.zone
        first_day, _today = self.cssrs_window(timezone.localdate(timezone=zone))
        since = start_of_day(first_day, zone)
        found = defaultdict(list)
        for response in _RECENT_SCREENERS.rows(None, partner_ids=self._ids, since=since):
            found[response.partner_id].append(response)
        return found

    @functools.cached_property
    def _forms(self) -> dict[int, dict[str, IntakeForm]]:
        """Each partner's submitted version and open draft holding only the medical section
        of its answers: all that `draft_absolute` reads of them (the rest is a kilobyte of
        JSON per partner, decoded for nothing)."""
        found = defaultdict(dict)
        for form in _SLIM_FORMS.rows(None, partner_ids=self._ids):
            form.answers = {"medical": form.medical_answers or {}}
            found[form.partner_id][form.status] = form
        return found

    @functools.cached_property
    def _latest_reviews(self) -> dict[int, ContraindicationReview]:
        rows = _LATEST_REVIEWS.rows(None, partner_ids=self._ids)
        return {review.partner_id: review for review in rows}


_REVIEW_FIELDS = (
    "partner_id",
    "decision",
    "conditions",
    "signed_at",
    "expires_on",
    "intake__status",
)
# On every caseload page: their SQL built once per process (kapcouples.prepared).
_SLIM_FORMS = PreparedRows(
    lambda _shape, partner_ids: (
        IntakeForm.objects.filter(
            partner__in=partner_ids,
            status__in=[IntakeForm.Status.SUBMITTED, IntakeForm.Status.DRAFT],
        )
        .only("partner_id", "status", "version")
        .annotate(medical_answers=KeyTransform("medical", "answers"))
    )
)
_LATEST_REVIEWS = PreparedRows(
    lambda _shape, partner_ids: (
        reviews_in_force(partner_ids)
        .order_by("partner_id", *LATEST_REVIEW_FIRST)
        .distinct("partner_id")
        .only(*_REVIEW_FIELDS)
    )
)
_RECENT_SCREENERS = PreparedRows(
    lambda _shape, partner_ids, since: (
        QuestionnaireResponse.objects.filter(
            partner__in=partner_ids,
            code=QuestionnaireResponse.Code.CSSRS,
            completed_at__gte=since,
        )
        .only(*CSSRS_FIELDS)
        .order_by("completed_at", "pk")
    )
)


def _plans(couples: list[Couple]) -> dict:
    """Each couple's treatment plan, or for a completed program its open maintenance plan
    (a booster is judged against it)."""
    boosters = {couple.pk for couple in couples if is_booster_couple(couple)}
    running = [couple.pk for couple in couples if couple.pk not in boosters]
    plans = {plan.couple_id: plan for plan in _PLANS.rows(None, couple_ids=running)}
    if boosters:
        plans |= booster_rules().open_plans(boosters)
    return plans


def _judge(couple: Couple, facts: _Facts) -> NextSession:
    """What `readiness_check(couple=…, start=…, appointment=next medicine)` decides, as the
    couple page asks it: for the booked next medicine session, else for one booked now."""
    now = timezone.now()
    history = facts.history[couple.pk]
    upcoming = next(
        (h for h in history if h.kind == gate.MEDICINE and h.is_active and h.start >= now), None
    )
    start = upcoming.start if upcoming else now
    others = [h for h in history if upcoming is None or h.pk != upcoming.pk]
    plan = facts.plans.get(couple.pk)
    items, number, _ = gate.readiness_items(
        couple,
        partners=couple.partner_list,
        plan=plan,
        arrangement=gate.Arrangement(plan.approach, plan.dosing_partner_id, plan.route)
        if plan
        else None,
        protocol=facts.protocol,
        history=others,
        start=start,
        on=start.astimezone(couple.clinic.zone).date(),
        purpose=gate.BOOK,
        screening=facts.screening,
        booster=is_booster_couple(couple),
    )
    gate.attach_overrides_read(
        items,
        facts.overrides[couple.pk],
        number=number,
        appointment_id=upcoming.pk if upcoming else None,
        protocol=facts.protocol,
    )
    unmet = [item for item in items if not item.satisfied]
    pk = upcoming.pk if upcoming else None
    if not unmet:
        return NextSession(ready=True, appointment_id=pk, session_number=number)
    first = unmet[0]
    return NextSession(
        ready=False,
        appointment_id=pk,
        session_number=number,
        item_number=first.number,
        item_title=first.title,
        problem=first.problems[0],
        overridable=first.overridable,
    )
