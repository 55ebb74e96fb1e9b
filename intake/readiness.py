"""What screening says about one partner on a given day: the intake half of the readiness gate.

The sessions app's readiness gate reads this and nothing else from screening, so the
rules for "cleared and current", "current consent" and "C-SSRS within validity" live
in one place.
"""

import datetime
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
    settings: ScreeningSettings | None = None,
) -> ScreeningStatus:
    """Everything screening knows about `partner` that matters for a session on `on`.

    `settings`: the clinic's screening settings, when the caller has read them already.
    """
    submitted, draft = _intake_versions(partner)
    review = current_review(partner, on=on)
    window = cssrs_window(partner, on=on, settings=settings)
    screeners = _cssrs_in(partner, window)
    latest = screeners[-1] if screeners else None
    return ScreeningStatus(
        partner=partner,
        intake_submitted=submitted is not None,
        review_cleared=review is not None,
        review_conditions=review.conditions if review else "",
        consent_current=has_current_consent(partner),
        prescription=_prescription(partner, on=on, route=route),
        cssrs_band=latest.band if latest else None,
        cssrs_acknowledged=bool(latest and latest.acknowledged_at),
        cssrs_blocker=cssrs_blocker(partner, screeners, window),
        cssrs_window=window,
        draft_absolute=draft_absolute(submitted, draft),
    )


def _intake_versions(partner: Partner) -> tuple[IntakeForm | None, IntakeForm | None]:
    """The submitted version in force and the open draft, in one query."""
    forms = IntakeForm.objects.filter(
        partner=partner, status__in=[IntakeForm.Status.SUBMITTED, IntakeForm.Status.DRAFT]
    )
    by_status = {form.status: form for form in forms}
    return by_status.get(IntakeForm.Status.SUBMITTED), by_status.get(IntakeForm.Status.DRAFT)


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
    """The partner's active prescription for `route` on day `on` (the latest if several)."""
    return _prescription(partner, on=on, route=route)


def _prescription(partner: Partner, *, on: datetime.date, route: str | None):
    found = Prescription.objects.filter(
        partner=partner,
        status=Prescription.Status.ACTIVE,
        valid_from__lte=on,
        valid_until__gte=on,
    )
    if route is not None:
        found = found.filter(route=route)
    return found.order_by("-valid_from", "-created_at").first()


def current_intake(partner: Partner) -> IntakeForm | None:
    """The partner's submitted intake version in force (not a draft, not superseded)."""
    return IntakeForm.objects.submitted().filter(partner=partner).first()


def latest_review(partner: Partner) -> ContraindicationReview | None:
    """The partner's latest review not invalidated by an amendment (with its intake)."""
    return (
        ContraindicationReview.objects.filter(partner=partner, invalidated_at__isnull=True)
        .select_related("intake")
        .order_by("-signed_at")
        .first()
    )


def current_review(partner: Partner, *, on: datetime.date) -> ContraindicationReview | None:
    """The latest review if it clears the partner on `on`: signed, unexpired, on the
    intake version in force and not invalidated. A later non-clearing review wins."""
    latest = latest_review(partner)
    return latest if review_clears(latest, partner, on=on) else None


def review_clears(latest, partner: Partner, *, on: datetime.date) -> bool:
    """Whether the partner's latest review (`latest_review`) clears them on `on`."""
    if latest is None or latest.decision not in CLEARED_DECISIONS:
        return None
        return False
    if local_date(latest.signed_at, partner) > on or latest.expires_on < on:
        return False
    return latest.intake.status == IntakeForm.Status.SUBMITTED


def current_consent_text(clinic_id: int) -> ConsentText | None:
    return ConsentText.objects.filter(clinic_id=clinic_id).order_by("-version").first()


def has_current_consent(partner: Partner) -> bool:
    """Signed the clinic's highest consent version (one query)."""
    latest = ConsentText.objects.filter(clinic_id=partner.couple.clinic_id).order_by("-version")
    return Consent.objects.filter(
        partner=partner, consent_text_id=Subquery(latest.values("pk")[:1])
    ).exists()


def cssrs_window(
    partner: Partner, *, on: datetime.date, settings: ScreeningSettings | None = None
) -> tuple[datetime.date, datetime.date]:
    """The first and last day a C-SSRS screener counts for a session on `on`: the clinic's
    `cssrs_valid_days` before it, and the day itself."""
    settings = settings or ScreeningSettings.for_clinic(partner.couple.clinic_id)
    days = settings.cssrs_valid_days
    return on - datetime.timedelta(days=days), on


def current_cssrs(
    partner: Partner, *, on: datetime.date, settings: ScreeningSettings | None = None
) -> QuestionnaireResponse | None:
    """The latest C-SSRS screener completed within the clinic's validity window before `on`."""
    screeners = _cssrs_in(partner, cssrs_window(partner, on=on, settings=settings))
    return screeners[-1] if screeners else None


def _cssrs_in(partner: Partner, window) -> list[QuestionnaireResponse]:
    """The partner's C-SSRS screeners completed in `window`, oldest first."""
    zone = partner.couple.clinic.zone
    first, last = window
    return list(
        QuestionnaireResponse.objects.filter(
            partner=partner,
            code=QuestionnaireResponse.Code.CSSRS,
            completed_at__gte=_start_of_day(first, zone),
            completed_at__lt=_start_of_day(last + datetime.timedelta(days=1), zone),
        ).order_by("completed_at", "pk")
    )


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


def _start_of_day(day: datetime.date, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def local_date(moment: datetime.datetime, partner: Partner) -> datetime.date:
    """The calendar day of `moment` at the partner's clinic."""
    return moment.astimezone(partner.couple.clinic.zone).date()
