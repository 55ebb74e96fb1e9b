"""The caseload: which couples a staff member's landing page lists, and what each row shows.

The couples are filtered, sorted and paged in SQL first (the next appointment and the open
alert counts come with the page as subquery annotations); then everything else the page's
rows show is read for the page's couple ids in a fixed number of queries, whatever the
size of the clinic.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    RowRange,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from intake import selectors as intake_selectors
from intake.models import Couple, Partner, QuestionnaireResponse
from integration.models import Alert
from kapcouples import policy
from kapcouples.models import Role
from kapcouples.prepared import PreparedCount, PreparedRows
from sessions.models import Appointment
from workspace import batch_readiness

PAGE_SIZE = 25
Code = QuestionnaireResponse.Code
PARTNER_CODES = (Code.PHQ9, Code.GAD7, Code.PCL5)
COUPLE_CODES = (Code.CSI4,)  # one per partner, shown together for the couple
HIGHER_IS_BETTER = frozenset({Code.CSI4})
SORTS = {
    "name": "Name",
    "next": "Next appointment",
    "alerts": "Most urgent alert",
}


@dataclass(frozen=True)
class Filters:
    """What the caseload's GET form asks for, already checked (unknown values dropped)."""

    phase: str = ""
    has_alert: bool = False
    q: str = ""
    sort: str = "name"

    @classmethod
    def from_query(cls, params) -> "Filters":
        phase = params.get("phase", "")
        sort = params.get("sort", "name")
        return cls(
            phase=phase if phase in Couple.Status.values else "",
            has_alert=params.get("has_alert") == "1",
            q=params.get("q", "").strip()[:100],
            sort=sort if sort in SORTS else "name",
        )


def shows_clinical(user) -> bool:
    """Scores, readiness details and alerts belong to the care team (DESIGN §2). A clinic
    admin lists every couple of the clinic, but sees only operational columns."""
    return policy.role_of(user) in policy.CLINICAL_ROLES


def caseload_couples(user, filters: Filters) -> QuerySet[Couple]:
    """The couples the user's caseload lists, filtered and sorted in SQL."""
    scope = _scope(user)
    if scope is None:
        return Couple.objects.none()
    return _caseload(filters, **scope, now=timezone.now())


def _scope(user) -> dict | None:
    """Whose couples: a clinician's or prescriber's care team, or the clinic admin's whole
    clinic; None for anyone else."""
    role = policy.role_of(user)
    clinic_id = policy.staff_clinic_id(user)
    if role in policy.CLINICAL_ROLES:
        return {"clinic_id": clinic_id, "member_id": user.pk}
    return {"clinic_id": clinic_id} if role == Role.CLINIC_ADMIN else None


def _caseload(filters: Filters, *, clinic_id, member_id=None, now=None) -> QuerySet[Couple]:
    """`now`: the moment the next appointment is looked for; None to count the couples."""
    couples = Couple.objects.of_clinic(clinic_id).select_related("clinic")
    if member_id is not None:
        couples = couples.with_care_team_member(member_id)
    if filters.phase:
        couples = couples.filter(status=filters.phase)
    couples = intake_selectors.search_couples(couples, filters.q, clinic_id=clinic_id)
    couples = _with_alert_counts(couples)
    if filters.has_alert:
        couples = couples.filter(open_alerts__gt=0)
    if now is None:
        return couples
    return _sorted(_with_next_appointment(couples, now), filters.sort)


# Without a search, a page of the caseload is the same SQL for every visit of the same
# filters and page: built once per process (kapcouples.prepared).
_CASELOAD_COUNT = PreparedCount(lambda filters, **values: _caseload(filters, **values))
_CASELOAD_PAGE = PreparedRows(
    lambda shape, **values: _caseload(shape[0], **values)[shape[1] : shape[2]]
)


@dataclass(frozen=True)
class _PreparedCaseload:
    """The couples of a caseload without a search, as the paginator reads them: their
    count, and one page's slice."""

    filters: Filters
    scope: dict
    now: datetime.datetime

    def count(self) -> int:
        return _CASELOAD_COUNT.count(self.filters, **self.scope)

    def __getitem__(self, page: slice) -> list[Couple]:
        if page.start == page.stop:  # the empty first page of an empty caseload
            return []
        shape = (self.filters, page.start, page.stop)
        return _CASELOAD_PAGE.rows(shape, **self.scope, now=self.now)


def _open_alerts(**extra) -> QuerySet[Alert]:
    return Alert.objects.filter(couple=OuterRef("pk"), resolved_at__isnull=True, **extra)


def _count_of(rows: QuerySet) -> Coalesce:
    counted = rows.order_by().values("couple").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), Value(0))


def _with_alert_counts(couples: QuerySet[Couple]) -> QuerySet[Couple]:
    return couples.annotate(
        urgent_alerts=_count_of(_open_alerts(urgency=Alert.Urgency.URGENT)),
        open_alerts=_count_of(_open_alerts()),
    )


def _with_next_appointment(couples: QuerySet[Couple], now) -> QuerySet[Couple]:
    """The couple's next appointment still to come (booked or checked in, not yet over)."""
    upcoming = Appointment.objects.filter(
        couple=OuterRef("pk"), status__in=Appointment.UPCOMING_STATUSES, end__gt=now
    ).order_by("start", "pk")
    return couples.annotate(
        next_start=Subquery(upcoming.values("start")[:1]),
        next_kind=Subquery(upcoming.values("kind")[:1]),
    )


def _sorted(couples: QuerySet[Couple], sort: str) -> QuerySet[Couple]:
    if sort == "next":
        return couples.order_by(F("next_start").asc(nulls_last=True), "pk")
    if sort == "alerts":
        return couples.order_by("-urgent_alerts", "-open_alerts", "pk")
    first_partner = Partner.objects.filter(couple=OuterRef("pk")).order_by("slot")
    return couples.annotate(
        sort_last=Subquery(first_partner.values("last_name")[:1]),
        sort_first=Subquery(first_partner.values("first_name")[:1]),
    ).order_by("sort_last", "sort_first", "pk")


# --- The rows of one page ---------------------------------------------------------------------
@dataclass(frozen=True)
class ScoreChange:
    """One instrument's latest total and how far it moved from the first one (baseline)."""

    code: str
    latest: int
    baseline: int
    higher_is_better: bool

    @property
    def change(self) -> int:
        return self.latest - self.baseline

    @property
    def arrow(self) -> str:
        return "↑" if self.change > 0 else "↓" if self.change < 0 else "→"

    @property
    def direction(self) -> str:
        """ "improved", "worse" or "unchanged": lower is better except for the CSI-4."""
        if self.change == 0:
            return "unchanged"
        better = self.change > 0 if self.higher_is_better else self.change < 0
        return "improved" if better else "worse"

    @property
    def improved(self) -> bool:
        return self.direction == "improved"

    @property
    def worse(self) -> bool:
        return self.direction == "worse"

    @property
    def since_baseline(self) -> str:
        """What sighted readers see, e.g. "↓ 6 since baseline"."""
        if self.change == 0:
            return "no change since baseline"
        return f"{self.arrow} {abs(self.change)} since baseline"

    @property
    def spoken(self) -> str:
        """What a screen reader says instead, e.g. "down 6 since baseline, improved"."""
        if self.change == 0:
            return "no change since baseline"
        way = "up" if self.change > 0 else "down"
        return f"{way} {abs(self.change)} since baseline, {self.direction}"


@dataclass
class PartnerScores:
    partner: Partner
    scores: dict[str, ScoreChange] = field(default_factory=dict)

    def ordered(self, codes=PARTNER_CODES) -> list[tuple[str, ScoreChange | None]]:
        return [(code, self.scores.get(code)) for code in codes]


PROGRAM_OVER = (Couple.Status.COMPLETED, Couple.Status.WITHDRAWN)


@dataclass
class CaseloadRow:
    couple: Couple
    partners: list[Partner]
    next_start: datetime.datetime | None
    next_kind: str
    urgent_alerts: int
    routine_alerts: int
    scores: list[PartnerScores] = field(default_factory=list)
    readiness: "batch_readiness.NextSession | None" = None

    @property
    def program_over(self) -> bool:
        return self.couple.status in PROGRAM_OVER

    @property
    def names(self) -> str:
        return " & ".join(p.full_name for p in self.partners) or f"Couple {self.couple.pk}"

    @property
    def next_kind_label(self) -> str:
        return Appointment.Kind(self.next_kind).label if self.next_kind else ""

    @property
    def couple_scores(self) -> list[tuple[Partner, ScoreChange | None]]:
        """Each partner's CSI-4, shown together for the couple."""
        return [(s.partner, s.scores.get(Code.CSI4)) for s in self.scores]


def caseload_page(user, filters: Filters, number) -> Page:
    """The page `number` of the user's caseload; `page.rows` holds what each row shows."""
    page = Paginator(_listed(user, filters), PAGE_SIZE).get_page(number)
    couples = batch_readiness.with_partner_lists(list(page.object_list))
    page.rows = caseload_rows(couples, clinical=shows_clinical(user))
    return page


def _listed(user, filters: Filters):
    """What the paginator pages: a search builds its own SQL; the rest is prepared."""
    scope = _scope(user)
    if scope is None or filters.q:
        return caseload_couples(user, filters)
    return _PreparedCaseload(filters, scope, timezone.now())


def caseload_rows(couples: list[Couple], *, clinical: bool) -> list[CaseloadRow]:
    rows = [
        CaseloadRow(
            couple=couple,
            partners=couple.partner_list,
            next_start=couple.next_start,
            next_kind=couple.next_kind or "",
            urgent_alerts=couple.urgent_alerts,
            routine_alerts=couple.open_alerts - couple.urgent_alerts,
        )
        for couple in couples
    ]
    if clinical and rows:
        partners = [p for row in rows for p in row.partners]
        scores = score_changes(partners)
        # A program that finished or was withdrawn has no next medicine session to judge.
        running = [c for c in couples if c.status not in PROGRAM_OVER]
        readiness = batch_readiness.next_session_readiness(running)
        for row in rows:
            row.scores = [PartnerScores(p, scores.get(p.pk, {})) for p in row.partners]
            row.readiness = readiness.get(row.couple.pk)
    return rows


def score_changes(partners: list[Partner]) -> dict[int, dict[str, ScoreChange]]:
    """Each partner's latest and first total per instrument, in one query: every response
    is numbered from the latest within its partner and instrument, next to how many there
    are, and only the two ends are read."""
    latest, baseline = {}, {}
    ends = _SCORE_ENDS.rows(None, partner_ids=[partner.pk for partner in partners])
    for partner_id, code, total, from_latest, in_series in ends:
        if from_latest == in_series:
            baseline[partner_id, code] = total
        if from_latest == 1:
            latest[partner_id, code] = total
    found = defaultdict(dict)
    for (partner_id, code), total in latest.items():
        found[partner_id][code] = ScoreChange(
            code, total, baseline[partner_id, code], code in HIGHER_IS_BETTER
        )
    return found


def _over_series(function) -> Window:
    """`function` over one partner's responses to one instrument, latest first: the order
    of the `questionnaire_latest` index, which holds the totals too, so PostgreSQL reads
    them from the index already in order. Both window functions share the one window (one
    pass, no sort); the whole series is the frame, for the count."""
    return Window(
        function,
        partition_by=[F("partner_id"), F("code")],
        order_by=[F("completed_at").desc(), F("pk").desc()],
        frame=RowRange(start=None, end=None),
    )


def _score_ends(_shape, *, partner_ids: list[int]) -> QuerySet:
    return (
        QuestionnaireResponse.objects.filter(
            partner__in=partner_ids, code__in=PARTNER_CODES + COUPLE_CODES
        )
        .annotate(from_latest=_over_series(RowNumber()), in_series=_over_series(Count("pk")))
        .filter(Q(from_latest=1) | Q(from_latest=F("in_series")))
        .order_by()  # read into dicts: the model's ordering would only add a sort
        .values_list("partner_id", "code", "total", "from_latest", "in_series")
    )


# On every caseload page: its SQL built once per process for each number of partners
# (kapcouples.prepared).
_SCORE_ENDS = PreparedRows(_score_ends)
