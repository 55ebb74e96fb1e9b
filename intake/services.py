"""Writes to couples, partners and their screening."""

import datetime
import hashlib
import logging
import secrets
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from intake import contraindications, instruments
from intake.models import (
    BreakGlassGrant,
    Consent,
    ConsentText,
    ContraindicationReview,
    Couple,
    CoupleIntentions,
    IntakeForm,
    Invitation,
    Partner,
    Prescription,
    QuestionnaireResponse,
    ScreeningSettings,
)
from intake.readiness import current_consent_text, current_intake
from kapcouples import audit, policy
from kapcouples.models import AccessLog, Clinic, User
from kapcouples.services import DomainError

logger = logging.getLogger(__name__)

__all__ = ["DomainError", "FieldError", "partner_update_contact"]


class FieldError(DomainError):
    """A refusal about one input: `field` names it, so a form shows the message beside it."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


CONTACT_FIELDS = (
    "phone",
    "emergency_contact_name",
    "emergency_contact_phone",
    "preferred_channel",
    "timezone",
)


@transaction.atomic
def partner_update_contact(*, partner: Partner, by: User, changes: dict) -> Partner:
    """Update a partner's contact details (the partner or their care team); the change is
    kept in the history."""
    policy.ensure(policy.can_edit_partner_contact, by, partner, to="change these contact details")
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    for field, value in changes.items():
        setattr(partner, field, value)
    partner.full_clean()
    partner.save(update_fields=list(changes))
    return partner


# --- Enrolment and invitations ----------------------------------------------------------------
@transaction.atomic
def couple_enrol(
    *, clinic: Clinic, primary_clinician: User, partners: list[dict], care_team=()
) -> Couple:
    """Enrol a couple and its two partners; each partner gets a login without a password yet.

    `partners` holds two dicts of first_name, last_name, email.
    """
    if len(partners) != 2:
        raise DomainError("A couple has exactly two partners: fill in both.")
    emails = [p["email"].strip().lower() for p in partners]
    if emails[0] == emails[1]:
        raise DomainError("Each partner needs their own email address to sign in.")
    taken = User.objects.filter(email__in=emails).values_list("email", flat=True)
    if taken:
        raise DomainError(
            f"{', '.join(taken)} already has an account here. Use another address, or ask the "
            "clinic admin if this person is already enrolled."
        )
    couple = Couple(clinic=clinic, primary_clinician=primary_clinician)
    couple.full_clean()
    couple.save()
    couple.care_team.set(care_team)
    for slot, (person, email) in enumerate(zip(partners, emails, strict=True), start=1):
        user = User.objects.create_user(
            email, None, full_name=f"{person['first_name']} {person['last_name']}"
        )
        partner = Partner(
            couple=couple,
            slot=slot,
            user=user,
            first_name=person["first_name"],
            last_name=person["last_name"],
            email=email,
            timezone=clinic.timezone,
        )
        partner.full_clean()
        partner.save()
    return couple


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_send(*, partner: Partner, sent_by: User) -> tuple[Invitation, str]:
    """Make a new invitation link (revoking any pending one) and email it on commit.

    Returns the invitation and its token. Only the hash is stored; the email carries the
    token itself, which is why it is sent directly rather than through the outbox.
    """
    policy.ensure(policy.can_invite_partners, sent_by, partner.couple, to="send an invitation")
    if partner.user is None:
        raise DomainError("This partner has no login yet; enrol them again with an email.")
    if partner.user.has_usable_password():
        raise DomainError(
            f"{partner.first_name} has already set a password. They can use “Forgot "
            "password” on the sign-in page if they cannot sign in."
        )
    now = timezone.now()
    partner.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    days = ScreeningSettings.for_clinic(partner.couple.clinic_id).invitation_valid_days
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        partner=partner,
        token_hash=_hash(token),
        sent_to=partner.email,
        created_by=sent_by,
        expires_at=now + datetime.timedelta(days=days),
    )
    transaction.on_commit(lambda: _email_invitation(invitation, token))
    return invitation, token


def _email_invitation(invitation: Invitation, token: str) -> None:
    context = {
        "partner": invitation.partner,
        "clinic": invitation.partner.couple.clinic,
        "invitation": invitation,
        "link": settings.KAP_SITE_URL.rstrip("/")
        + reverse("intake:invitation_accept", kwargs={"token": token}),
    }
    # In the partner's own zone, whoever's request sends it.
    with timezone.override(zoneinfo.ZoneInfo(invitation.partner.timezone)):
        subject = render_to_string("intake/emails/invitation_subject.txt", context).strip()
        text = render_to_string("intake/emails/invitation.txt", context)
        html = render_to_string("intake/emails/invitation.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[invitation.sent_to])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:  # the staff page shows the invitation; they can resend
        logger.exception("could not send invitation %s", invitation.pk)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Stop an unused invitation link from working."""
    if invitation.used_at:
        raise DomainError("This invitation was already used; there is nothing to revoke.")
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


class InvitationRefused(DomainError):
    """The link cannot be used; `contact` says whom the partner should ask."""

    def __init__(self, message: str, *, contact: str = ""):
        super().__init__(message)
        self.contact = contact


def invitation_check(*, token: str) -> Invitation:
    """The invitation behind `token`, or InvitationRefused saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("partner__couple__clinic", "created_by")
        .filter(token_hash=_hash(token))
        .first()
    )
    if invitation is None:
        raise InvitationRefused(
            _("This invitation link is not valid. Check that you copied the whole link."),
            contact=_("the clinic that invited you"),
        )
    contact = _("%(person)s at %(clinic)s") % {
        "person": invitation.created_by.full_name,
        "clinic": invitation.partner.couple.clinic.name,
    }
    status = invitation.status_on(timezone.now())
    reasons = {
        "used": _(
            "This invitation link has already been used. Sign in with the password you set, "
            "or use “Forgot password” on the sign-in page."
        ),
        "revoked": _("This invitation link was replaced or withdrawn by the clinic."),
        "expired": _("This invitation link has expired."),
    }
    if status in reasons:
        raise InvitationRefused(reasons[status], contact=contact)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Use an invitation once: set the partner's password and return their user."""
    invitation = invitation_check(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at:  # accepted in another tab a moment ago
        raise InvitationRefused(_("This invitation link has already been used."))
    user = invitation.partner.user
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return user


# --- Intake form ------------------------------------------------------------------------------
def intake_draft(partner: Partner) -> IntakeForm | None:
    return IntakeForm.objects.filter(partner=partner, status=IntakeForm.Status.DRAFT).first()


@transaction.atomic
def intake_save_step(
    *, partner: Partner, by: User, step: str, answers: dict, complete: bool = True
) -> IntakeForm:
    """Save one step's answers into the partner's draft (making version 1 the first time).

    An incomplete step (saved to finish later) keeps its valid answers but does not count
    as done, so the intake cannot be submitted until it is completed.
    """
    policy.ensure(policy.can_fill_intake, by, partner, to="fill in this intake form")
    draft = intake_draft(partner)
    if draft is None:
        if current_intake(partner) is not None:
            raise DomainError(
                _(
                    "Your intake is submitted and can no longer be edited. Choose “Amend” to "
                    "start a new version."
                )
            )
        draft = IntakeForm.objects.create(partner=partner, version=_next_version(partner))
    draft = IntakeForm.objects.select_for_update().get(pk=draft.pk)
    draft.answers = {**draft.answers, step: answers}
    others = [saved for saved in draft.steps_saved if saved != step]
    draft.steps_saved = [*others, step] if complete else others
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def intake_submit(*, partner: Partner, by: User, required_steps: list[str]) -> IntakeForm:
    """Lock the draft. An amendment supersedes the version before it and invalidates the
    reviews made on it, since they judged answers that have changed."""
    policy.ensure(policy.can_fill_intake, by, partner, to="submit this intake form")
    draft = intake_draft(partner)
    if draft is None:
        raise DomainError(_("There is no draft to submit: start or amend your intake first."))
    missing = [step for step in required_steps if step not in draft.steps_saved]
    if missing:
        raise DomainError(
            _("Complete every step before submitting: %(steps)s.") % {"steps": ", ".join(missing)}
        )
    now = timezone.now()
    previous = current_intake(partner)
    if previous is not None:
        previous.status = IntakeForm.Status.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        previous.reviews.filter(invalidated_at__isnull=True).update(
            invalidated_at=now,
            invalidated_reason=f"Intake amended (version {draft.version} submitted).",
        )
    draft.status = IntakeForm.Status.SUBMITTED
    draft.submitted_at = now
    draft.full_clean()
    draft.save()
    partner_fill_from_intake(partner=partner, intake=draft)
    return draft


# Partner record field <- (intake step, answer): what the intake's contact steps hold.
PARTNER_FIELDS_FROM_INTAKE = {
    "date_of_birth": ("about", "date_of_birth"),
    "phone": ("about", "phone"),
    "emergency_contact_name": ("emergency", "emergency_contact_name"),
    "emergency_contact_phone": ("emergency", "emergency_contact_phone"),
}


def partner_fill_from_intake(*, partner: Partner, intake: IntakeForm) -> Partner:
    """Copy the contact answers of a submitted intake to the partner's record, so staff
    pages and messages use what the partner last told the clinic (kept in its history)."""
    changed = []
    for field, (step, answer) in PARTNER_FIELDS_FROM_INTAKE.items():
        value = intake.answers.get(step, {}).get(answer)
        if value in (None, ""):
            continue
        if field == "date_of_birth":
            value = datetime.date.fromisoformat(value)
        if getattr(partner, field) != value:
            setattr(partner, field, value)
            changed.append(field)
    if changed:
        partner.full_clean()
        partner.save(update_fields=changed)
    return partner


@transaction.atomic
def intake_amend(*, partner: Partner, by: User) -> IntakeForm:
    """Start a new draft version from the submitted one; the submitted one stays in force
    until the amendment is submitted."""
    policy.ensure(policy.can_fill_intake, by, partner, to="amend this intake form")
    if intake_draft(partner) is not None:
        raise DomainError(_("You already have an amendment in progress: continue that one."))
    submitted = current_intake(partner)
    if submitted is None:
        raise DomainError(_("Submit your intake before amending it."))
    return IntakeForm.objects.create(
        partner=partner,
        version=_next_version(partner),
        answers=submitted.answers,
        steps_saved=list(submitted.steps_saved),
    )


def _next_version(partner: Partner) -> int:
    # After the highest ever used: a withdrawn amendment keeps its number.
    highest = partner.intake_forms.aggregate(Max("version"))["version__max"]
    return (highest or 0) + 1


@transaction.atomic
def intake_withdraw_draft(*, partner: Partner, by: User) -> IntakeForm:
    """Withdraw the partner's unsubmitted amendment; the submitted version stays in force
    and the withdrawn one stays on record."""
    policy.ensure(policy.can_fill_intake, by, partner, to="withdraw this amendment")
    draft = intake_draft(partner)
    if draft is None:
        raise DomainError(_("You have no amendment in progress, so there is nothing to withdraw."))
    if current_intake(partner) is None:
        raise DomainError(
            _(
                "Your intake has not been submitted yet, so there is no amendment to withdraw. "
                "Change your answers and submit when you are ready."
            )
        )
    draft = (
        IntakeForm.objects.select_for_update()
        .filter(pk=draft.pk, status=IntakeForm.Status.DRAFT)
        .first()
    )
    if draft is None:  # submitted in the meantime (another tab): it is in force now
        raise DomainError(_("This amendment was just submitted, so it can no longer be withdrawn."))
    draft.status = IntakeForm.Status.WITHDRAWN
    draft.withdrawn_at = timezone.now()
    draft.full_clean()
    draft.save()
    return draft


# --- Couple intentions ------------------------------------------------------------------------
class IntentionsConflict(DomainError):
    """The other partner saved in between; `current` holds what they saved."""

    def __init__(self, current: CoupleIntentions):
        who = current.updated_by.get_short_name() if current.updated_by else "Someone"
        super().__init__(
            f"{who} saved a change while you were editing. Their version is shown below; "
            "merge your changes into it and save again."
        )
        self.current = current


@transaction.atomic
def intentions_update(
    *, couple: Couple, user: User, intentions: str, themes: str, base_revision: int
) -> CoupleIntentions:
    """Save the couple's shared intentions if nobody saved since `base_revision`."""
    policy.ensure(policy.can_edit_couple_intentions, user, couple, to="edit the intentions")
    CoupleIntentions.objects.get_or_create(couple=couple)
    current = (
        CoupleIntentions.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(couple=couple)
    )
    if current.revision != base_revision:
        raise IntentionsConflict(current)
    current.intentions, current.themes = intentions, themes
    current.revision += 1
    current.updated_by = user
    current.full_clean()
    current.save()
    return current


# --- Questionnaires ---------------------------------------------------------------------------
ALERTS_FOR_FLAGS = {
    instruments.SUICIDE_RISK: "suicide_risk",
    instruments.DSM5_PATTERN: "ptsd_pattern",
}


@transaction.atomic
def questionnaire_submit(
    *, partner: Partner, user: User, code: str, answers: list[int]
) -> QuestionnaireResponse:
    """Score and keep a completed questionnaire; flags raise care-team alerts."""
    policy.ensure(policy.can_answer_questionnaire, user, partner, to="answer this questionnaire")
    try:
        result = instruments.score(code, answers)
    except (ValueError, TypeError) as error:
        raise DomainError(f"Those answers cannot be scored: {error}.") from error
    response = QuestionnaireResponse(
        partner=partner,
        code=code,
        answers=list(answers),
        total=result.total,
        band=result.band,
        flags=sorted(result.flags),
        completed_at=timezone.now(),
        completed_by=user,
    )
    response.full_clean()
    response.save()
    _raise_alerts(response)
    return response


def _raise_alerts(response: QuestionnaireResponse) -> None:
    from integration.services import alert_raise  # integration imports intake models

    for flag in response.flags:
        alert_raise(
            couple=response.partner.couple,
            partner=response.partner,
            kind=ALERTS_FOR_FLAGS.get(flag, "other"),
            message=(
                f"{response.code} of {response.partner.full_name}: {response.band} "
                f"(total {response.total}), flag {flag.replace('_', ' ')}. Open the response."
            ),
            dedupe_key=f"questionnaire:{response.pk}:{flag}",
            urgent=_is_urgent(response, flag),
        )


def _is_urgent(response: QuestionnaireResponse, flag: str) -> bool:
    """C-SSRS high risk, and any PHQ-9 answer above 0 on item 9, reach people at once."""
    if response.code == QuestionnaireResponse.Code.CSSRS:
        return response.band == "high"
    return response.code == QuestionnaireResponse.Code.PHQ9 and flag == instruments.SUICIDE_RISK


@transaction.atomic
def questionnaire_acknowledge(*, response: QuestionnaireResponse, user: User):
    """A care-team clinician records that they have reviewed a result: any C-SSRS screener
    (the readiness gate counts only reviewed ones), or another flagged result."""
    policy.ensure(
        policy.can_review_questionnaire, user, response.partner.couple, to="review this result"
    )
    is_cssrs = response.code == QuestionnaireResponse.Code.CSSRS
    if not is_cssrs and not response.flags:
        raise DomainError("Only flagged results and C-SSRS screeners need a clinician's review.")
    if response.acknowledged_at is None:
        response.acknowledged_by, response.acknowledged_at = user, timezone.now()
        response.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return response


# --- Contraindication review ------------------------------------------------------------------
def review_prefill(partner: Partner) -> dict:
    """{item key: reported?} from the partner's submitted intake."""
    intake = current_intake(partner)
    medical = intake.answers.get("medical", {}) if intake else {}
    return {key: bool(medical.get(key)) for key in contraindications.KEYS}


@transaction.atomic
def review_sign(
    *,
    partner: Partner,
    reviewer: User,
    findings: dict,
    systolic: int,
    diastolic: int,
    heart_rate: int,
    weight_kg: Decimal,
    decision: str,
    reason: str,
    conditions: str = "",
) -> ContraindicationReview:
    """Sign a review of the partner's submitted intake.

    Items the partner reported stay marked (a reviewer may add, never remove, an item).
    Absolute contraindications cannot be cleared; relative ones only by a prescriber.
    `reviewer` is the acting user: the policy decides what they may sign.
    """
    policy.ensure(
        policy.can_sign_review, reviewer, partner.couple, to="sign a contraindication review"
    )
    intake = current_intake(partner)
    if intake is None:
        raise DomainError("The partner has not submitted an intake yet; review it after.")
    reported = review_prefill(partner)
    merged = {key: bool(findings.get(key)) or reported[key] for key in contraindications.KEYS}
    clears = decision != ContraindicationReview.Decision.NOT_CLEARED
    if clears:
        _check_clearance(merged, reviewer=reviewer, couple=partner.couple)
    if decision == ContraindicationReview.Decision.CLEARED_WITH_CONDITIONS and not conditions:
        raise DomainError("State the conditions of the clearance, or choose another decision.")
    now = timezone.now()
    days = ScreeningSettings.for_clinic(partner.couple.clinic_id).review_valid_days
    review = ContraindicationReview(
        partner=partner,
        intake=intake,
        findings=merged,
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=heart_rate,
        weight_kg=weight_kg,
        decision=decision,
        reason=reason,
        conditions=conditions if clears else "",
        reviewer=reviewer,
        signed_at=now,
        expires_on=timezone.localdate(now, partner.couple.clinic.zone)
        + datetime.timedelta(days=days),
    )
    review.full_clean()
    review.save()
    return review


def _check_clearance(findings: dict, *, reviewer: User, couple: Couple) -> None:
    absolute = contraindications.present(findings, contraindications.ABSOLUTE)
    if absolute:
        names = ", ".join(item.label for item in absolute)
        raise DomainError(
            f"An absolute contraindication is present ({names}): choose “Not cleared”."
        )
    relative = contraindications.present(findings, contraindications.RELATIVE)
    if not relative:
        return
    try:
        policy.ensure(
            policy.can_clear_relative_contraindication,
            reviewer,
            couple,
            to="clear a partner with a relative contraindication",
        )
    except policy.NotAllowed as refusal:
        names = ", ".join(item.label for item in relative)
        raise policy.NotAllowed(
            f"A relative contraindication is present ({names}). {refusal} Choose “Not "
            "cleared”, or ask a prescriber to review."
        ) from refusal


# --- Prescriptions ----------------------------------------------------------------------------
@transaction.atomic
def prescription_create(
    *,
    partner: Partner,
    prescriber: User,
    route: str,
    single_dose_mg: Decimal,
    valid_from: datetime.date,
    valid_until: datetime.date,
    instructions: str = "",
) -> Prescription:
    """Prescribe ketamine for one partner (the prescriber is the acting user).

    A prescription already over on the day it is written (in the clinic's zone) is refused:
    it could never be used.
    """
    policy.ensure(policy.can_prescribe, prescriber, partner.couple, to="write a prescription")
    today = timezone.localdate(timezone=partner.couple.clinic.zone)
    if valid_until < today:
        raise FieldError(
            f"This prescription would already have expired: “valid until” is before today "
            f"({today.day} {today:%b %Y}). Choose today or a later day.",
            field="valid_until",
        )
    prescription = Prescription(
        partner=partner,
        prescriber=prescriber,
        route=route,
        single_dose_mg=single_dose_mg,
        valid_from=valid_from,
        valid_until=valid_until,
        instructions=instructions,
    )
    prescription.full_clean()
    prescription.save()
    return prescription


@transaction.atomic
def prescription_cancel(*, prescription: Prescription, by: User, reason: str) -> Prescription:
    """Cancel a prescription; it stays on record. `by` is the acting prescriber."""
    policy.ensure(policy.can_prescribe, by, prescription.partner.couple, to="cancel a prescription")
    if prescription.status != Prescription.Status.ACTIVE:
        raise DomainError("Only an active prescription can be cancelled.")
    prescription.status = Prescription.Status.CANCELLED
    prescription.cancelled_reason = reason
    prescription.full_clean()
    prescription.save(update_fields=["status", "cancelled_reason"])
    return prescription


# --- Consent ----------------------------------------------------------------------------------
@transaction.atomic
def consent_text_publish(*, clinic: Clinic, user: User, title: str, body: str) -> ConsentText:
    """Publish a new version of the clinic's consent; every partner must sign it again."""
    policy.ensure(policy.can_manage_clinic, user, clinic.pk, to="publish the consent text")
    current = current_consent_text(clinic.pk)
    text = ConsentText(
        clinic=clinic,
        version=(current.version + 1) if current else 1,
        title=title,
        body=body,
        created_by=user,
    )
    text.full_clean()
    try:
        with transaction.atomic():
            text.save()
    except IntegrityError as error:
        raise DomainError("Someone published a version at the same moment; try again.") from error
    return text


def _normalised(name: str) -> str:
    return " ".join(name.split()).casefold()


@transaction.atomic
def consent_sign(
    *, partner: Partner, consent_text_id: int, typed_name: str, ip_address: str | None
) -> Consent:
    """Sign the clinic's current consent text with the partner's typed full name."""
    text = current_consent_text(partner.couple.clinic_id)
    if text is None:
        raise DomainError(_("The clinic has not published a consent text yet; ask your clinic."))
    if text.pk != consent_text_id:
        raise DomainError(_("The consent text changed while you were reading. Read the new text."))
    if _normalised(typed_name) != _normalised(partner.full_name):
        raise DomainError(
            _("Type your full name exactly as “%(name)s” to sign.") % {"name": partner.full_name}
        )
    if text.signatures.filter(partner=partner).exists():
        raise DomainError(_("You have already signed this version."))
    consent = Consent(
        partner=partner,
        consent_text=text,
        typed_name=" ".join(typed_name.split()),
        signed_at=timezone.now(),
        ip_address=ip_address,
    )
    consent.full_clean()
    consent.save()
    return consent


# --- Break the glass --------------------------------------------------------------------------
@transaction.atomic
def break_glass_grant(
    *, user: User, couple: Couple, reason: str, path: str, ip_address: str | None
) -> BreakGlassGrant:
    """Open a couple's chart to a same-clinic clinician off the care team, for a limited time,
    and log it where the clinic admin sees it."""
    policy.ensure(policy.can_break_glass, user, couple, to="open this chart in an emergency")
    reason = " ".join(reason.split())
    if len(reason) < 15:
        raise DomainError("Give a reason of at least 15 characters: why do you need the chart?")
    now = timezone.now()
    minutes = ScreeningSettings.for_clinic(couple.clinic_id).break_glass_minutes
    grant = BreakGlassGrant(
        user=user,
        couple=couple,
        reason=reason,
        granted_at=now,
        expires_at=now + datetime.timedelta(minutes=minutes),
    )
    grant.full_clean()
    grant.save()
    AccessLog.objects.create(
        user=user,
        clinic_id=couple.clinic_id,
        action=AccessLog.Action.BREAK_GLASS,
        path=path[:500],
        ip_address=ip_address,
        detail=f"{minutes} min: {reason}"[:500],
        **audit.object_fields(couple),
    )
    return grant
