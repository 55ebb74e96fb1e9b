"""Reads of couples and partners, already scoped to what the user may see."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from intake import readiness
from intake.models import (
    BreakGlassGrant,
    ConsentText,
    ContraindicationReview,
    Couple,
    IntakeForm,
    Invitation,
    Partner,
    Prescription,
    QuestionnaireResponse,
)
from kapcouples import policy
from kapcouples.models import Role
from kapcouples.prepared import PreparedRows


def couples_for_user(user) -> QuerySet[Couple]:
    """Couples the user's role lets them list: front desk the clinic's, clinicians their own."""
    role = policy.role_of(user)
    couples = Couple.objects.select_related("primary_clinician").prefetch_related("partners")
    if role == Role.FRONT_DESK:
        return couples.of_clinic(policy.staff_clinic_id(user)).order_by("-created_at")
    if role in policy.CLINICAL_ROLES:
        mine = couples.of_clinic(policy.staff_clinic_id(user)).with_care_team_member(user.pk)
        return mine.order_by("-created_at")
    return couples.none()


def partners_by_couple(couple_ids: list[int]) -> dict[int, list[Partner]]:
    """{couple id: its partners by slot} for the couples, in one prepared read: for the hot
    paths (the caseload, its maintenance card, booking) that would otherwise prefetch, and
    build the prefetch's SQL, on every request."""
    found = defaultdict(list)
    for partner in _PARTNERS.rows(None, couple_ids=couple_ids):
        found[partner.couple_id].append(partner)
    return found


_PARTNERS = PreparedRows(
    lambda _shape, couple_ids: Partner.objects.filter(couple_id__in=couple_ids).order_by(
        "couple_id", "slot"
    )
)


def search_couples(couples: QuerySet[Couple], query: str, *, clinic_id: int) -> QuerySet[Couple]:
    """`couples` whose partners' names or emails contain `query`, searched in one clinic
    (the trigram indexes of migration intake.0005 serve the match on PostgreSQL)."""
    query = query.strip()
    if not query:
        return couples
    match = Partner.objects.filter(
        Q(first_name__icontains=query) | Q(last_name__icontains=query) | Q(email__icontains=query),
        couple__clinic_id=clinic_id,
    ).values("couple_id")
    return couples.filter(pk__in=match)


def has_active_break_glass(user_id: int, couple_id: int) -> bool:
    """An unexpired break-the-glass grant of this clinician for this couple."""
    return BreakGlassGrant.objects.filter(
        user_id=user_id, couple_id=couple_id, expires_at__gt=timezone.now()
    ).exists()


def partner_of_user(user) -> Partner | None:
    return getattr(user, "partner_profile", None)


# --- Screening ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PartnerScreeningSummary:
    """What front desk may see of a partner's screening: statuses, never content."""

    partner: Partner
    invitation: str  # not invited / invited / invitation expired / account active
    latest_invitation: Invitation | None  # of a partner without an account
    intake: str  # not started / draft / submitted
    questionnaires_done: int
    questionnaires_total: int
    consent_signed: bool
    review: str  # not reviewed / cleared / cleared with conditions / not cleared / expired


def screening_summary(partner: Partner) -> PartnerScreeningSummary:
    return screening_summaries(readiness.ScreeningFacts([partner]))[0]


def screening_summaries(facts: readiness.ScreeningFacts) -> list[PartnerScreeningSummary]:
    """The summary of each partner in `facts`, on the clinic's today."""
    if not facts.partners:
        return []
    today = timezone.localdate(timezone=facts.partners[0].couple.clinic.zone)
    invitations = _latest_invitations(facts.partners)
    return [
        PartnerScreeningSummary(
            partner=partner,
            invitation=_invitation_status(partner, invitations.get(partner.pk)),
            latest_invitation=invitations.get(partner.pk),
            intake=_intake_status(facts, partner),
            questionnaires_done=len(INSTRUMENT_CODES)
            - len(questionnaires_due(partner, on=today, facts=facts)),
            questionnaires_total=len(INSTRUMENT_CODES),
            consent_signed=facts.consent_current(partner),
            review=_review_status(facts.latest_review(partner), partner, on=today),
        )
        for partner in facts.partners
    ]


def _has_account(partner: Partner) -> bool:
    return partner.user is not None and partner.user.has_usable_password()


def _latest_invitations(partners: list[Partner]) -> dict[int, Invitation]:
    """The latest invitation of each partner who has no account yet (one query)."""
    waiting = [p for p in partners if not _has_account(p)]
    found = {}
    if not waiting:
        return found  # both have accounts (most couples): not even an empty query's compile
    for invitation in Invitation.objects.filter(partner__in=waiting).order_by("-created_at"):
        found.setdefault(invitation.partner_id, invitation)
    return found


def _invitation_status(partner: Partner, latest: Invitation | None) -> str:
    if _has_account(partner):
        return "account active"
    if latest is None:
        return "not invited"
    status = latest.status_on(timezone.now())
    return {"pending": "invited", "expired": "invitation expired"}.get(
        status, "invitation " + status
    )


def _intake_status(facts: readiness.ScreeningFacts, partner: Partner) -> str:
    submitted, draft = facts.submitted_intake(partner), facts.draft_intake(partner)
    if submitted and draft:
        return "submitted, amendment in draft"
    if submitted:
        return "submitted"
    return "draft" if draft else "not started"


def _review_status(latest, partner: Partner, *, on) -> str:
    if latest is None:
        return "not reviewed"
    if readiness.review_clears(latest, partner, on=on):
        return latest.get_decision_display().lower()
    if latest.decision == ContraindicationReview.Decision.NOT_CLEARED:
        return "not cleared"
    return "review expired or out of date"


INSTRUMENT_CODES = [code for code, _ in QuestionnaireResponse.Code.choices]


def questionnaires_due(
    partner: Partner, *, on, facts: readiness.ScreeningFacts | None = None
) -> list[str]:
    """Instruments never completed, plus the C-SSRS screener when none is within validity.

    `facts`: the page's screening facts holding this partner, when it has them."""
    facts = facts or readiness.ScreeningFacts([partner])
    done = facts.codes_done(partner)
    due = [code for code in INSTRUMENT_CODES if code not in done]
    cssrs = QuestionnaireResponse.Code.CSSRS
    if cssrs not in due and not facts.cssrs_in(partner, facts.cssrs_window(on)):
        due.append(cssrs)
    return due


def intake_versions(partner: Partner) -> QuerySet[IntakeForm]:
    return partner.intake_forms.order_by("-version")


def prescriptions_of(partner: Partner) -> QuerySet[Prescription]:
    return partner.prescriptions.select_related("prescriber")


@dataclass(frozen=True)
class PrescriptionRow:
    prescription: Prescription
    label: str  # Prescription.display_status on the clinic's today
    valid_today: bool
    cancellable: bool


def prescription_rows(partner: Partner) -> list[PrescriptionRow]:
    """The partner's prescriptions with what each is today, in the clinic's zone."""
    today = timezone.localdate(timezone=partner.couple.clinic.zone)
    return [
        PrescriptionRow(
            prescription=rx,
            label=rx.display_status(today),
            valid_today=rx.is_valid_on(today),
            cancellable=rx.status == Prescription.Status.ACTIVE,
        )
        for rx in prescriptions_of(partner)
    ]


# Couples still in the program: their partners are asked to sign each new consent version.
SIGNING_STATUSES = (Couple.Status.ENROLLING, Couple.Status.ASSESSMENT, Couple.Status.ACTIVE)


def partners_asked_to_sign_again(clinic_id: int) -> int:
    """How many partners a newly published consent version will ask to sign."""
    return Partner.objects.filter(
        couple__clinic_id=clinic_id, couple__status__in=SIGNING_STATUSES
    ).count()


def consent_versions(clinic_id: int) -> QuerySet[ConsentText]:
    """Every published version, newest first, with how many partners signed each."""
    return (
        ConsentText.objects.filter(clinic_id=clinic_id)
        .select_related("created_by")
        .annotate(signature_count=Count("signatures"))
        .order_by("-version")
    )
