"""What screening says about one partner on a given day: the intake half of the readiness gate.

The sessions app's readiness gate reads this and nothing else from screening, so the
rules for "cleared and current", "current consent" and "C-SSRS within validity" live
in one place.
"""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Subquery

from intake import contraindications, instruments
from intake.models import (
    Consent,
    ConsentText,
    ContraindicationReview,
    IntakeForm,
    Partner,
    Prescription,
    QuestionnaireResponse,
    ScreeningSettings,
)
from kapcouples.prepared import PreparedRows

CLEARED_DECISIONS = (
    ContraindicationReview.Decision.CLEARED,
    ContraindicationReview.Decision.CLEARED_WITH_CONDITIONS,
)


@dataclass(frozen=True)
class ScreeningStatus:
    partner: Partner
    intake_submitted: bool
    # decision cleared / cleared with conditions, signed, not expired on `on`, not
    # invalidated by an amendment
    review_cleared: bool
    review_conditions: str  # "" unless cleared with conditions
    consent_current: bool  # signed the clinic's current consent version
    # active on `on` for `route` (any route if route is None)
    prescription: "Prescription | None"
    cssrs_band: str | None  # latest C-SSRS within the window before `on`; else None
    cssrs_acknowledged: bool  # a clinician reviewed that latest C-SSRS
    # The C-SSRS gate: "" when it passes on `on`, else one sentence naming the partner,
    # what is wrong and what would satisfy it (see `cssrs_blocker`).
    cssrs_blocker: str
    # First and last calendar day (clinic's zone) a screener counts for a session on `on`.
    cssrs_window: tuple[datetime.date, datetime.date]
    # Labels of absolute contraindications marked in the partner's unsubmitted amendment
    # and not in the submitted version: the partner is reporting something new that rules
    # out a session, before anyone has reviewed it.
    draft_absolute: tuple[str, ...]


def screening_status(
    partner: Partner,
    *,
    on: datetime.date,
    route: str | None = None,
) -> ScreeningStatus:
    """Everything screening knows about `partner` that matters for a session on `on`."""
    return ScreeningFacts([partner]).status(partner, on=on, route=route)


CSSRS_FIELDS = ("partner_id", "code", "band", "completed_at", "acknowledged_at")


# The rows `ScreeningFacts` reads, by partner ids. Every page and every gate that asks about
# screening reads them, so their SQL is built once per process (kapcouples.prepared).
_FORMS = PreparedRows(
    lambda _shape, partner_ids: IntakeForm.objects.filter(
        partner__in=partner_ids,
        status__in=[IntakeForm.Status.SUBMITTED, IntakeForm.Status.DRAFT],
    )
)


# Two reviews signed in the same second: the later row is the latest.
LATEST_REVIEW_FIRST = ("-signed_at", "-pk")


def reviews_in_force(partner_ids: list[int]):
    """The partners' reviews not invalidated by an amendment, latest first, with their
    intake: the first of each partner is the one the gate judges."""
    return (
        ContraindicationReview.objects.filter(partner__in=partner_ids, invalidated_at__isnull=True)
        .select_related("intake")
        .order_by(*LATEST_REVIEW_FIRST)
    )


_REVIEWS = PreparedRows(lambda _shape, partner_ids: reviews_in_force(partner_ids))
_CONSENTED = PreparedRows(
    lambda _shape, partner_ids, clinic_id: Consent.objects.filter(
        partner__in=partner_ids,
        consent_text_id=Subquery(
            ConsentText.objects.filter(clinic_id=clinic_id).order_by("-version").values("pk")[:1]
        ),
    ).values_list("partner_id", flat=True)
)
_ACTIVE_PRESCRIPTIONS = PreparedRows(
    lambda _shape, partner_ids: Prescription.objects.filter(
        partner__in=partner_ids, status=Prescription.Status.ACTIVE
    ).order_by("-valid_from", "-created_at")
)
_RESPONSES = PreparedRows(
    lambda _shape, partner_ids: (
        QuestionnaireResponse.objects.filter(partner__in=partner_ids)
        .defer("answers")
        .order_by("completed_at", "pk")
    )
)
_SCREENERS = PreparedRows(
    lambda _shape, partner_ids: (
        QuestionnaireResponse.objects.filter(
            partner__in=partner_ids, code=QuestionnaireResponse.Code.CSSRS
        )
        .only(*CSSRS_FIELDS)
        .order_by("completed_at", "pk")
    )
)


class ScreeningFacts:
    """The screening rows of some partners of one couple, each kind read once (for all of
    them, on first use), from which a partner's status on any day is worked out.

    A page that shows screening in several places (the couple page's panels and its
    readiness checklist, the portal's task lists) builds one and hands it to each, so the
    same rows are not read once per partner and per panel. Build a new one after a write:
    it keeps what it read.
    """

    def __init__(self, partners):
        self.partners = list(partners)

    @classmethod
    def with_settings(cls, partners, settings: ScreeningSettings) -> "ScreeningFacts":
        """Facts for a service that has read the clinic's settings with its other rows."""
        facts = cls(partners)
        facts.settings = settings  # fills the cached property: no query for it
        return facts

    @functools.cached_property
    def settings(self) -> ScreeningSettings:
        return ScreeningSettings.for_clinic(self.partners[0].couple.clinic_id)

    @functools.cached_property
    def _ids(self) -> list[int]:
        return [partner.pk for partner in self.partners]

    @functools.cached_property
    def _forms(self) -> dict[int, dict[str, IntakeForm]]:
        """Each partner's submitted version in force and open draft, by status."""
        found = defaultdict(dict)
        for form in _FORMS.rows(None, partner_ids=self._ids):
            found[form.partner_id][form.status] = form
        return found

    @functools.cached_property
    def _latest_reviews(self) -> dict[int, ContraindicationReview]:
        """Each partner's latest review not invalidated by an amendment."""
        found = {}
        for review in _REVIEWS.rows(None, partner_ids=self._ids):
            found.setdefault(review.partner_id, review)
        return found

    @functools.cached_property
    def _consented(self) -> set[int]:
        """Partners who signed the clinic's highest consent version."""
        clinic_id = self.partners[0].couple.clinic_id
        return set(_CONSENTED.rows(None, partner_ids=self._ids, clinic_id=clinic_id))

    @functools.cached_property
    def _prescriptions(self) -> dict[int, list[Prescription]]:
        """Each partner's active prescriptions, the one `_prescription` would pick first."""
        found = defaultdict(list)
        for prescription in _ACTIVE_PRESCRIPTIONS.rows(None, partner_ids=self._ids):
            found[prescription.partner_id].append(prescription)
        return found

    @functools.cached_property
    def _responses(self) -> dict[int, list[QuestionnaireResponse]]:
        """Each partner's completed questionnaires (without their answers), oldest first."""
        found = defaultdict(list)
        for response in _RESPONSES.rows(None, partner_ids=self._ids):
            found[response.partner_id].append(response)
        return found

    @functools.cached_property
    def _cssrs(self) -> dict[int, list[QuestionnaireResponse]]:
        """Each partner's C-SSRS screeners, oldest first: taken from `_responses` when those
        are read already, else only these rows, with only the columns the C-SSRS gate reads
        (`cssrs_blocker`, `status`)."""
        if "_responses" in self.__dict__:
            return defaultdict(
                list,
                {pk: [r for r in rows if r.is_cssrs] for pk, rows in self._responses.items()},
            )
        found = defaultdict(list)
        for response in _SCREENERS.rows(None, partner_ids=self._ids):
            found[response.partner_id].append(response)
        return found

    def responses(self, partner: Partner) -> list[QuestionnaireResponse]:
        """The partner's completed questionnaires (without their answers), oldest first."""
        return self._responses[partner.pk]

    def submitted_intake(self, partner: Partner) -> IntakeForm | None:
        return self._forms[partner.pk].get(IntakeForm.Status.SUBMITTED)

    def draft_intake(self, partner: Partner) -> IntakeForm | None:
        return self._forms[partner.pk].get(IntakeForm.Status.DRAFT)

    def latest_review(self, partner: Partner) -> ContraindicationReview | None:
        return self._latest_reviews.get(partner.pk)

    def consent_current(self, partner: Partner) -> bool:
        return partner.pk in self._consented

    def prescription(self, partner: Partner, *, on: datetime.date, route: str | None):
        """The active prescription `active_prescription` finds (any route if None)."""
        return next(
            (
                rx
                for rx in self._prescriptions[partner.pk]
                if rx.is_valid_on(on) and route in (None, rx.route)
            ),
            None,
        )

    def codes_done(self, partner: Partner) -> set[str]:
        return {response.code for response in self._responses[partner.pk]}

    def cssrs_window(self, on: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The first and last day a C-SSRS screener counts for a session on `on`: the
        clinic's `cssrs_valid_days` before it, and the day itself."""
        return on - datetime.timedelta(days=self.settings.cssrs_valid_days), on

    def cssrs_in(self, partner: Partner, window) -> list[QuestionnaireResponse]:
        """The partner's C-SSRS screeners completed in `window` (clinic days), oldest first."""
        return _screeners_in(self._responses[partner.pk], partner, window)

    def cssrs_screeners_in(self, partner: Partner, window) -> list[QuestionnaireResponse]:
        """What `cssrs_in` finds, reading only the C-SSRS rows unless all responses are read
        already: for a page that needs nothing else of the responses (the caseload)."""
        return _screeners_in(self._cssrs[partner.pk], partner, window)

    def status(self, partner: Partner, *, on: datetime.date, route: str | None = None):
        submitted, draft = self.submitted_intake(partner), self.draft_intake(partner)
        latest = self.latest_review(partner)
        review = latest if review_clears(latest, partner, on=on) else None
        window = self.cssrs_window(on)
        screeners = self.cssrs_in(partner, window)
        last = screeners[-1] if screeners else None
        return ScreeningStatus(
            partner=partner,
            intake_submitted=submitted is not None,
            review_cleared=review is not None,
            review_conditions=review.conditions if review else "",
            consent_current=self.consent_current(partner),
            prescription=self.prescription(partner, on=on, route=route),
            cssrs_band=last.band if last else None,
            cssrs_acknowledged=bool(last and last.acknowledged_at),
            cssrs_blocker=cssrs_blocker(partner, screeners, window),
            cssrs_window=window,
            draft_absolute=draft_absolute(submitted, draft),
        )


def _screeners_in(responses, partner: Partner, window) -> list[QuestionnaireResponse]:
    """The C-SSRS screeners among `responses` completed in `window` (clinic days)."""
    zone = partner.couple.clinic.zone
    since = start_of_day(window[0], zone)
    until = start_of_day(window[1] + datetime.timedelta(days=1), zone)
    return [
        response
        for response in responses
        if response.is_cssrs and since <= response.completed_at < until
    ]


def draft_absolute(submitted: IntakeForm | None, draft: IntakeForm | None) -> tuple[str, ...]:
    """Absolute items ticked in the open amendment that the submitted version lacks."""
    if submitted is None or draft is None or draft.version <= submitted.version:
        return ()
    now = draft.answers.get("medical", {})
    before = submitted.answers.get("medical", {})
    return tuple(
        item.label
        for item in contraindications.present(now, contraindications.ABSOLUTE)
        if not before.get(item.key)
    )


def active_prescription(
    partner: Partner, *, on: datetime.date, route: str
) -> "Prescription | None":
    """The partner's active prescription for `route` on day `on` (the latest if several).
    `ScreeningFacts.prescription` picks the same one among rows already read."""
    return (
        Prescription.objects.filter(
            partner=partner,
            status=Prescription.Status.ACTIVE,
            route=route,
            valid_from__lte=on,
            valid_until__gte=on,
        )
        .order_by("-valid_from", "-created_at")
        .first()
    )


def current_intake(partner: Partner) -> IntakeForm | None:
    """The partner's submitted intake version in force (not a draft, not superseded)."""
    return IntakeForm.objects.submitted().filter(partner=partner).first()


def review_clears(latest, partner: Partner, *, on: datetime.date) -> bool:
    """Whether the partner's latest review (not invalidated) clears them on `on`: signed,
    unexpired, on the intake version in force. A later non-clearing review wins."""
    if latest is None or latest.decision not in CLEARED_DECISIONS:
        return False
    if local_date(latest.signed_at, partner) > on or latest.expires_on < on:
        return False
    return latest.intake.status == IntakeForm.Status.SUBMITTED


def current_consent_text(clinic_id: int) -> ConsentText | None:
    return ConsentText.objects.filter(clinic_id=clinic_id).order_by("-version").first()


def cssrs_blocker(partner: Partner, screeners: list[QuestionnaireResponse], window) -> str:
    """Why the C-SSRS stops a session, or "" when it passes.

    Reviewed means a care-team clinician acknowledged the screener. The rules, in the
    order they are reported:
    1. a screener must have been completed in the window;
    2. a high result blocks until a newer screener, reviewed by a clinician, shows lower
       risk (reviewing the high one itself is not enough; a retake nobody has reviewed
       clears nothing);
    3. every moderate or high result in the window needs a clinician's review;
    low and none pass once nothing riskier is unreviewed.
    """
    name = partner.first_name
    if not screeners:
        first, last = window
        return (
            f"{name} needs a C-SSRS screener completed between "
            f"{_day(first, year=first.year != last.year)} and {_day(last, year=True)}."
        )
    return _high_blocker(name, partner, screeners) or _unreviewed_blocker(name, partner, screeners)


def _high_blocker(name: str, partner: Partner, screeners) -> str:
    highs = [s for s in screeners if s.band == "high"]
    if not highs:
        return ""
    high = highs[-1]
    newer = [s for s in screeners if s.completed_at > high.completed_at]
    if any(s.acknowledged_at for s in newer):  # any newer one is lower: `high` is the last
        return ""
    if newer:
        return (
            f"{name}'s newer C-SSRS screener of {_day(_local(newer[-1], partner))} "
            "needs a clinician's review before it counts."
        )
    return (
        f"{name}'s C-SSRS screener of {_day(_local(high, partner))} shows high risk: no "
        "medicine session until a newer screener, reviewed by a clinician, shows lower risk."
    )


def _unreviewed_blocker(name: str, partner: Partner, screeners) -> str:
    unreviewed = [
        s
        for s in screeners
        if not s.acknowledged_at
        and instruments.cssrs_risk(s.band) >= instruments.cssrs_risk("moderate")
    ]
    if not unreviewed:
        return ""
    worst = max(unreviewed, key=lambda s: (instruments.cssrs_risk(s.band), s.completed_at))
    return (
        f"{name}'s C-SSRS screener of {_day(_local(worst, partner))} shows {worst.band} risk: "
        "a clinician needs to review it before a medicine session."
    )


def _local(response: QuestionnaireResponse, partner: Partner) -> datetime.date:
    return local_date(response.completed_at, partner)


def _day(day: datetime.date, *, year: bool = False) -> str:
    return f"{day.day} {day:%b %Y}" if year else f"{day.day} {day:%b}"


def start_of_day(day: datetime.date, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def local_date(moment: datetime.datetime, partner: Partner) -> datetime.date:
    """The calendar day of `moment` at the partner's clinic."""
    return moment.astimezone(partner.couple.clinic.zone).date()
