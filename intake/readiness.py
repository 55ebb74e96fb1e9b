"""What screening says about one partner on a given day: the intake half of the readiness gate.

The sessions app's readiness gate reads this and nothing else from screening, so the
rules for "cleared and current", "current consent" and "C-SSRS within validity" live
in one place.
"""

import datetime
from dataclasses import dataclass

from intake.models import (
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
    cssrs_band: str | None  # latest C-SSRS within cssrs_valid_days before `on`; else None
    cssrs_acknowledged: bool  # a clinician acknowledged a moderate result


def screening_status(
    partner: Partner, *, on: datetime.date, route: str | None = None
) -> ScreeningStatus:
    """Everything screening knows about `partner` that matters for a session on `on`."""
    submitted = current_intake(partner)
    review = current_review(partner, on=on)
    cssrs = current_cssrs(partner, on=on)
    return ScreeningStatus(
        partner=partner,
        intake_submitted=submitted is not None,
        review_cleared=review is not None,
        review_conditions=review.conditions if review else "",
        consent_current=has_current_consent(partner),
        prescription=_prescription(partner, on=on, route=route),
        cssrs_band=cssrs.band if cssrs else None,
        cssrs_acknowledged=bool(cssrs and cssrs.acknowledged_at),
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


def current_review(partner: Partner, *, on: datetime.date) -> ContraindicationReview | None:
    """The latest review if it clears the partner on `on`: signed, unexpired, on the
    intake version in force and not invalidated. A later non-clearing review wins."""
    latest = (
        ContraindicationReview.objects.filter(partner=partner, invalidated_at__isnull=True)
        .select_related("intake")
        .order_by("-signed_at")
        .first()
    )
    if latest is None or latest.decision not in CLEARED_DECISIONS:
        return None
    if local_date(latest.signed_at, partner) > on or latest.expires_on < on:
        return None
    if latest.intake.status != IntakeForm.Status.SUBMITTED:
        return None
    return latest


def current_consent_text(clinic_id: int) -> ConsentText | None:
    return ConsentText.objects.filter(clinic_id=clinic_id).order_by("-version").first()


def has_current_consent(partner: Partner) -> bool:
    text = current_consent_text(partner.couple.clinic_id)
    return text is not None and text.signatures.filter(partner=partner).exists()


def current_cssrs(partner: Partner, *, on: datetime.date) -> QuestionnaireResponse | None:
    """The latest C-SSRS screener completed within the clinic's validity window before `on`."""
    clinic = partner.couple.clinic
    days = ScreeningSettings.for_clinic(clinic.pk).cssrs_valid_days
    return (
        QuestionnaireResponse.objects.filter(
            partner=partner,
            code=QuestionnaireResponse.Code.CSSRS,
            completed_at__gte=_start_of_day(on - datetime.timedelta(days=days), clinic.zone),
            completed_at__lt=_start_of_day(on + datetime.timedelta(days=1), clinic.zone),
        )
        .order_by("-completed_at")
        .first()
    )


def _start_of_day(day: datetime.date, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def local_date(moment: datetime.datetime, partner: Partner) -> datetime.date:
    """The calendar day of `moment` at the partner's clinic."""
    return moment.astimezone(partner.couple.clinic.zone).date()
