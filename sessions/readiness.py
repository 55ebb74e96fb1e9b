"""The readiness gate (DESIGN §4): may a medicine session be booked, and may it start?

One service, `readiness_check`, used when booking a medicine appointment, when starting
it, and for the checklist on the couple page. It returns every item with what is unmet
and what would satisfy it. Screening facts come only from `intake.readiness`.

Once a couple's program is completed, a medicine session is a booster: the same items,
judged against the couple's maintenance plan, with the booster rules registered in
`sessions.boosters` (by the maintenance app).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.utils import timezone

from intake.models import Couple, Partner
from intake.readiness import ScreeningFacts
from kapcouples.prepared import PreparedRows
from sessions.boosters import booster_rules, is_booster_couple
from sessions.models import (
    Appointment,
    Approach,
    ProtocolSettings,
    ReadinessOverride,
    Route,
    TreatmentPlan,
)
from sessions.protocol import protocol_for

BOOK = "book"
START = "start"
OVERRIDABLE_ITEMS = (4, 5, 6)


@dataclass(frozen=True)
class Arrangement:
    """Who doses and how: from the plan when booking, from the session record when starting."""

    approach: str
    dosing_partner_id: int | None
    route: str


@dataclass
class ReadinessItem:
    number: int
    title: str
    problems: list[str] = field(default_factory=list)
    override: ReadinessOverride | None = None
    # Item details name screening results: the care team sees them, front desk only the title.
    clinical: bool = False
    # What is not due yet but must be by the session (never blocks), e.g. the C-SSRS window.
    notes: list[str] = field(default_factory=list)
    applies: bool = True  # False: nothing to check here (not solo, no previous session)

    @property
    def met(self) -> bool:
        return not self.problems

    @property
    def satisfied(self) -> bool:
        return self.met or self.override is not None

    @property
    def overridable(self) -> bool:
        return self.number in OVERRIDABLE_ITEMS


@dataclass
class Readiness:
    purpose: str
    session_number: int
    items: list[ReadinessItem]
    # What the check read, for the booking that follows it (no second read).
    plan: TreatmentPlan | None = None
    previous: "History | None" = None  # the previous medicine appointment, if any
    overrides: list[ReadinessOverride] = field(default_factory=list)
    # A booster (the program is completed): `plan` is the couple's maintenance plan.
    booster: bool = False

    @property
    def ready(self) -> bool:
        return all(item.satisfied for item in self.items)

    @property
    def unmet(self) -> list[ReadinessItem]:
        return [item for item in self.items if not item.satisfied]

    def summary(self, *, clinical: bool) -> str:
        parts = []
        for item in self.unmet:
            detail = " ".join(item.problems) if clinical or not item.clinical else ""
            parts.append(f"{item.number}. {item.title}{': ' + detail if detail else ''}")
        return "Not ready for a medicine session. " + " ".join(parts)


@dataclass(frozen=True)
class History:
    """One of the couple's appointments, as the readiness items need it."""

    pk: int
    kind: str
    status: str
    start: datetime.datetime

    @property
    def is_active(self) -> bool:
        return self.status in Appointment.ACTIVE_STATUSES


def readiness_check(
    *,
    couple: Couple,
    start: datetime.datetime,
    purpose: str = BOOK,
    appointment: Appointment | None = None,
    arrangement: Arrangement | None = None,
    at: datetime.datetime | None = None,
    screening: ScreeningFacts | None = None,
    protocol: ProtocolSettings | None = None,
    appointments: list[Appointment] | None = None,
) -> Readiness:
    """Every readiness item for a medicine session of `couple` starting at `start`.

    `appointment` is the medicine appointment itself once it exists (left out of counts).
    `at` is the moment screening is judged on when it is not the booked start (a session
    started a day late is judged on the day it starts). `screening`: the page's facts of
    the couple's partners, when it has read them (a service reads its own, fresh),
    `protocol` the clinic's protocol settings and `appointments` all the couple's
    appointments, oldest first, when the page has read them.
    """
    booster = is_booster_couple(couple)
    if booster:
        plan = booster_rules().open_plan(couple)
    else:
        plan = next(iter(_PLAN.rows(None, couple_id=couple.pk)), None)
    if arrangement is None and plan is not None:
        arrangement = Arrangement(plan.approach, plan.dosing_partner_id, plan.route)
    protocol = protocol or protocol_for(couple.clinic_id)
    history = _history(couple, appointment, appointments)
    partners = list(couple.partners.all())
    items, number, previous = readiness_items(
        couple,
        partners=partners,
        plan=plan,
        arrangement=arrangement,
        protocol=protocol,
        history=history,
        start=start,
        on=(at or start).astimezone(couple.clinic.zone).date(),
        purpose=purpose,
        screening=screening or ScreeningFacts(partners),
        booster=booster,
    )
    overrides = _attach_overrides(couple, number, items, appointment, protocol)
    return Readiness(
        purpose, number, items, plan=plan, previous=previous, overrides=overrides, booster=booster
    )


def readiness_items(
    couple,
    *,
    partners,
    plan,
    arrangement,
    protocol,
    history,
    start,
    on,
    purpose,
    screening,
    booster=False,
) -> tuple[list[ReadinessItem], int, History | None]:
    """The items judged on rows already read (`history`: the couple's other appointments,
    oldest first), with the session's number and the medicine session before it. The caseload
    reads these rows once for a page of couples and asks the same question of each.
    `booster`: the program is completed and `plan` is the maintenance plan."""
    earlier = [h for h in history if h.kind == MEDICINE and h.is_active and h.start < start]
    previous = earlier[-1] if earlier else None
    if booster:
        items = _booster_items(
            couple, partners, plan, arrangement, history, start, on, purpose, screening, previous
        )
        return items, len(earlier) + 1, previous
    items = [
        _item_plan(plan, history),
        _item_dosing_partners(partners, arrangement, on, purpose, screening),
        _item_support_partner(partners, arrangement, on, screening),
        _item_preparation(protocol.preparation_sessions, history, start, previous, purpose),
        _item_integration(couple, history, start, previous),
        _item_session_count(protocol, plan, history),
    ]
    return items, len(earlier) + 1, previous


def _booster_items(
    couple, partners, plan, arrangement, history, start, on, purpose, screening, previous
) -> list[ReadinessItem]:
    """The same six items for a booster: the maintenance plan instead of the treatment plan
    (1, 6), re-screening added to each dosing partner's screening (2), and the booster's
    own number of preparation sessions (4)."""
    booster_gate = booster_rules()
    rules = booster_gate.settings_for(couple.clinic_id)
    zone = couple.clinic.zone
    plan_item = ReadinessItem(1, "Maintenance plan approved and in force on the booster's day")
    plan_item.problems = booster_gate.plan_problems(plan, on)
    screening_item = _item_dosing_partners(partners, arrangement, on, purpose, screening)
    window = booster_gate.rescreen_window(on, rules.rescreen_within_days)
    for partner in dosing_partners(partners, arrangement):
        found = booster_gate.rescreen_problems(
            partner.first_name, screening.responses(partner), window, zone
        )
        (screening_item.notes if purpose == BOOK else screening_item.problems).extend(found)
    count_item = ReadinessItem(6, "Fewer boosters in this review period than the plan allows")
    count_item.problems = booster_gate.count_problems(plan, history, zone)
    return [
        plan_item,
        screening_item,
        _item_support_partner(partners, arrangement, on, screening),
        _item_preparation(rules.preparation_sessions, history, start, previous, purpose),
        _item_integration(couple, history, start, previous),
        count_item,
    ]


def attach_overrides_read(items, overrides, *, number: int, appointment_id, protocol) -> None:
    """What `overrides_for` selects, on a couple's live overrides already read (ordered with
    the appointment's own last, so they win): those written for the appointment, and those
    for the couple's n-th session not yet lapsed."""
    since = timezone.now() - datetime.timedelta(days=protocol.override_valid_days)
    by_item = {
        o.item: o
        for o in overrides
        if (o.appointment_id is not None and o.appointment_id == appointment_id)
        or (o.appointment_id is None and o.session_number == number and o.created_at >= since)
    }
    for item in items:
        if item.overridable and not item.met:
            item.override = by_item.get(item.number)


MEDICINE = Appointment.Kind.MEDICINE


def _history(couple, appointment, appointments=None) -> list[History]:
    """All the couple's appointments but `appointment`, oldest first, from `appointments`
    when given, else in one query (a program holds a few dozen)."""
    if appointments is None:
        found = [History(*row) for row in _HISTORY.rows(None, couple_id=couple.pk)]
    else:
        found = [History(a.pk, a.kind, a.status, a.start) for a in appointments]
    skip = appointment.pk if appointment is not None else None
    return [h for h in found if h.pk != skip]


# Every readiness check reads both (the couple page, booking, starting a session): their
# SQL is built once per process (kapcouples.prepared).
_HISTORY = PreparedRows(
    lambda _shape, couple_id: (
        Appointment.objects.filter(couple_id=couple_id)
        .order_by("start", "pk")
        .values_list("pk", "kind", "status", "start")
    )
)
_PLAN = PreparedRows(
    lambda _shape, couple_id: TreatmentPlan.objects.filter(couple_id=couple_id).order_by("pk")[:1]
)


def _item_plan(plan, history) -> ReadinessItem:
    item = ReadinessItem(1, "Treatment plan approved and active; assessment completed")
    if plan is None:
        item.problems.append("There is no treatment plan: a clinician writes and approves one.")
    elif not plan.is_approved:
        item.problems.append(
            f"The treatment plan is “{plan.get_status_display()}”: a prescriber must approve it."
        )
    assessed = any(
        h.kind == Appointment.Kind.ASSESSMENT and h.status == Appointment.Status.COMPLETED
        for h in history
    )
    if not assessed:
        item.problems.append("No assessment appointment is completed yet.")
    return item


def dosing_partners(partners: list[Partner], arrangement: Arrangement | None) -> list[Partner]:
    if arrangement is None:
        return []
    if arrangement.approach == Approach.SOLO:
        return [p for p in partners if p.pk == arrangement.dosing_partner_id]
    return partners


def _item_dosing_partners(partners, arrangement, on, purpose, facts) -> ReadinessItem:
    item = ReadinessItem(2, "Screening complete for every dosing partner", clinical=True)
    if arrangement is None:
        item.problems.append("The plan does not say who doses yet.")
        return item
    route_label = Route(arrangement.route).label.lower()
    for partner in dosing_partners(partners, arrangement):
        status = facts.status(partner, on=on, route=arrangement.route)
        item.problems.extend(
            screening_problems(partner.first_name, status, route_label, on, purpose=purpose)
        )
        if purpose == BOOK:
            item.notes.append(_cssrs_note(partner.first_name, status))
    return item


def screening_problems(
    name: str, status, route_label: str, on: datetime.date, *, purpose: str
) -> list[str]:
    """What a dosing partner's screening lacks for a session (or a dose) on day `on`.

    The C-SSRS counts when the session starts and at each dose; at booking it is a note.
    """
    problems = []
    if not status.intake_submitted:
        problems.append(f"{name} has not submitted the intake form.")
    if status.draft_absolute:
        problems.append(
            f"{name} reports {', '.join(status.draft_absolute).lower()} in an intake amendment "
            "not yet submitted: no session until it is submitted and reviewed, or withdrawn."
        )
    if not status.review_cleared:
        problems.append(
            f"{name} has no current contraindication review clearing them (a prescriber signs one)."
        )
    if status.prescription is None:
        problems.append(f"{name} has no active {route_label} prescription on {on:%d %b %Y}.")
    if not status.consent_current:
        problems.append(f"{name} has not signed the clinic's current consent.")
    if purpose != BOOK and status.cssrs_blocker:
        problems.append(status.cssrs_blocker)
    return problems


def _cssrs_note(name: str, status) -> str:
    """At booking the screener does not block; the checklist says what the start will need."""
    first, last = status.cssrs_window
    window = f"between {first:%d %b} and {last:%d %b %Y}"
    if status.cssrs_band is None:
        return f"{name}: C-SSRS screener needed {window}."
    if status.cssrs_blocker:
        return f"At the start: {status.cssrs_blocker}"
    return f"{name}: C-SSRS screener done in its window ({window})."


def _item_support_partner(partners, arrangement, on, facts) -> ReadinessItem:
    item = ReadinessItem(3, "Non-dosing partner ready (solo sessions)", clinical=True)
    if arrangement is None or arrangement.approach != Approach.SOLO:
        item.applies = False
        return item
    for partner in partners:
        if partner.pk == arrangement.dosing_partner_id:
            continue
        status = facts.status(partner, on=on)
        if not status.intake_submitted:
            item.problems.append(f"{partner.first_name} has not submitted the intake form.")
        if not status.consent_current:
            item.problems.append(f"{partner.first_name} has not signed the current consent.")
    return item


def _item_preparation(needed: int, history, start, previous, purpose) -> ReadinessItem:
    item = ReadinessItem(4, f"{needed} preparation session(s) since the previous medicine session")
    preps = [
        h
        for h in history
        if h.kind == Appointment.Kind.PREPARATION
        and h.start < start
        and (previous is None or h.start > previous.start)
    ]
    if purpose == START:
        have = sum(h.status == Appointment.Status.COMPLETED for h in preps)
        verb = "completed"
    else:
        have, verb = sum(h.is_active for h in preps), "booked"
    if have < needed:
        item.problems.append(
            f"{have} of {needed} preparation sessions {verb} before this medicine session: "
            f"{needed - have} more must be {verb} first (or a prescriber overrides)."
        )
    return item


def _item_integration(couple, history, start, previous) -> ReadinessItem:
    item = ReadinessItem(5, "Previous medicine session's integration session completed")
    if previous is None:
        item.applies = False
        return item
    done = any(
        h.kind == Appointment.Kind.INTEGRATION
        and h.status == Appointment.Status.COMPLETED
        and previous.start < h.start < start
        for h in history
    )
    if not done:
        item.problems.append(
            f"The medicine session of {previous.start.astimezone(couple.clinic.zone):%d %b %Y} "
            "has no completed integration session yet (or a prescriber overrides)."
        )
    return item


def _item_session_count(protocol, plan, history) -> ReadinessItem:
    item = ReadinessItem(6, "Fewer medicine sessions so far than the plan allows")
    if plan is None:
        return item
    allowed = min(plan.planned_medicine_sessions, protocol.max_medicine_sessions)
    count = sum(h.kind == MEDICINE and h.is_active for h in history)
    if count >= allowed:
        item.problems.append(
            f"The plan allows {allowed} medicine sessions and {count} are already booked or held "
            "(a prescriber may override, or a clinician raises the plan's number)."
        )
    return item


def _attach_overrides(couple, number, items, appointment, protocol) -> list[ReadinessOverride]:
    if all(item.met or not item.overridable for item in items):
        return []  # nothing to override: no query
    found = overrides_for(couple, number, appointment, protocol=protocol)
    by_item = {o.item: o for o in found}
    for item in items:
        if item.overridable and not item.met:
            item.override = by_item.get(item.number)
    return found


def overrides_for(couple, number: int, appointment, *, protocol=None) -> list[ReadinessOverride]:
    """The live overrides for this appointment: those written for it, and those written for
    the couple's n-th session before it was booked and not yet lapsed."""
    days = (protocol or protocol_for(couple.clinic_id)).override_valid_days
    unbound = Q(
        appointment__isnull=True,
        session_number=number,
        created_at__gte=timezone.now() - datetime.timedelta(days=days),
    )
    mine = Q(appointment=appointment) if appointment is not None else Q(pk__in=[])
    return list(
        ReadinessOverride.objects.filter(unbound | mine, couple=couple, revoked_at__isnull=True)
        .select_related("prescriber")
        # Bound to the appointment last, so it wins over one written before the booking.
        .order_by(F("appointment_id").asc(nulls_first=True))
    )
