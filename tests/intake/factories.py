"""Factories for screening records, and `make_screened` for a partner ready to dose."""

import datetime
from decimal import Decimal

import factory
from django.db.models import Max
from django.utils import timezone

from intake import contraindications
from intake.models import (
    BreakGlassGrant,
    Consent,
    ConsentText,
    ContraindicationReview,
    CoupleIntentions,
    IntakeForm,
    Invitation,
    Partner,
    Prescription,
    QuestionnaireResponse,
)
from intake.readiness import current_consent_text, current_intake
from kapcouples.models import Role
from tests.factories import CoupleFactory, PartnerFactory, StaffFactory


def complete_answers(**medical) -> dict:
    """A complete set of intake answers with no contraindication unless given in `medical`."""
    history = {key: False for key in contraindications.KEYS}
    history.update(medical)
    history.update(other_conditions="", allergies="None known")
    return {
        "about": {
            "date_of_birth": "1985-04-30",
            "pronouns": "",
            "phone": "555 0100 100",
            "address": "1 Main St",
            "occupation": "",
        },
        "emergency": {
            "emergency_contact_name": "Pat Example",
            "emergency_contact_relationship": "Sibling",
            "emergency_contact_phone": "555 0100 200",
        },
        "medical": history,
        "medications": {"medications": [], "none": True},
        "experience": {"prior_ketamine": "never", "prior_psychedelics": "never", "details": ""},
        "mental_health": {
            "diagnoses": "",
            "current_treatment": "",
            "hospitalisations": "no",
            "details": "",
        },
        "goals": {"goals": "Feel closer to my partner."},
        "transport": {
            "transport_mode": "driven",
            "driver_name": "Pat Example",
            "driver_phone": "555 0100 200",
        },
    }


class IntakeFormFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeForm

    partner = factory.SubFactory(PartnerFactory)
    version = 1
    status = IntakeForm.Status.DRAFT
    answers = factory.LazyFunction(dict)

    class Params:
        submitted = factory.Trait(
            status=IntakeForm.Status.SUBMITTED,
            answers=factory.LazyFunction(complete_answers),
            steps_saved=factory.LazyFunction(lambda: list(complete_answers())),
            submitted_at=factory.LazyFunction(timezone.now),
        )


class ConsentTextFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentText

    clinic = factory.SubFactory("tests.factories.ClinicFactory")
    version = factory.LazyAttribute(
        lambda o: (o.clinic.consent_texts.aggregate(Max("version"))["version__max"] or 0) + 1
    )
    title = "Consent to ketamine-assisted couples therapy"
    body = "I understand the risks and benefits explained to me."
    created_by = factory.SubFactory(
        StaffFactory, clinic=factory.SelfAttribute("..clinic"), role=Role.CLINIC_ADMIN
    )


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    partner = factory.SubFactory(PartnerFactory)
    consent_text = factory.SubFactory(
        ConsentTextFactory, clinic=factory.SelfAttribute("..partner.couple.clinic")
    )
    typed_name = factory.LazyAttribute(lambda o: o.partner.full_name)
    signed_at = factory.LazyFunction(timezone.now)
    ip_address = "203.0.113.5"


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContraindicationReview

    partner = factory.SubFactory(PartnerFactory)
    intake = factory.SubFactory(
        IntakeFormFactory, partner=factory.SelfAttribute("..partner"), submitted=True
    )
    findings = factory.LazyFunction(lambda: {key: False for key in contraindications.KEYS})
    systolic, diastolic, heart_rate = 120, 78, 70
    weight_kg = Decimal("70.0")
    decision = ContraindicationReview.Decision.CLEARED
    reason = "No contraindication found."
    reviewer = factory.SubFactory(
        StaffFactory, clinic=factory.SelfAttribute("..partner.couple.clinic"), role=Role.PRESCRIBER
    )
    signed_at = factory.LazyFunction(timezone.now)
    expires_on = factory.LazyAttribute(lambda o: o.signed_at.date() + datetime.timedelta(days=180))


class PrescriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prescription

    partner = factory.SubFactory(PartnerFactory)
    prescriber = factory.SubFactory(
        StaffFactory, clinic=factory.SelfAttribute("..partner.couple.clinic"), role=Role.PRESCRIBER
    )
    route = Prescription.Route.SUBLINGUAL
    single_dose_mg = Decimal("100")
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))


class QuestionnaireResponseFactory(factory.django.DjangoModelFactory):
    """Defaults to a C-SSRS screener answered all "no" (band none)."""

    class Meta:
        model = QuestionnaireResponse

    partner = factory.SubFactory(PartnerFactory)
    code = QuestionnaireResponse.Code.CSSRS
    answers = factory.LazyFunction(lambda: [0, 0, None, None, None, 0])
    total = 0
    band = "none"
    flags = factory.LazyFunction(list)
    completed_at = factory.LazyFunction(timezone.now)
    completed_by = factory.LazyAttribute(lambda o: o.partner.user)


class IntentionsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoupleIntentions

    couple = factory.SubFactory(CoupleFactory)
    intentions = "To listen without fixing."


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    partner = factory.SubFactory(PartnerFactory)
    token_hash = factory.Sequence(lambda n: f"{n:064d}")
    sent_to = factory.LazyAttribute(lambda o: o.partner.email)
    created_by = factory.SubFactory(
        StaffFactory, clinic=factory.SelfAttribute("..partner.couple.clinic"), role=Role.FRONT_DESK
    )
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class BreakGlassGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BreakGlassGrant

    couple = factory.SubFactory(CoupleFactory)
    user = factory.SubFactory(
        StaffFactory, clinic=factory.SelfAttribute("..couple.clinic"), role=Role.CLINICIAN
    )
    reason = "Covering an urgent call for the primary clinician."
    granted_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.granted_at + datetime.timedelta(hours=1))


def make_screened(
    partner: Partner,
    *,
    prescriber,
    route: str = Prescription.Route.SUBLINGUAL,
    dose_mg: Decimal = Decimal("100"),
    on: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> Prescription:
    """Make `partner` fully screened for a session on `on` (default today, clinic time).

    Intake submitted, review cleared and current, the clinic's current consent signed,
    an active prescription for `route`, and a C-SSRS "none" within its validity, all
    dated `at` when given (before the acts a test records in the past).
    Returns the prescription.
    """
    clinic = partner.couple.clinic
    today = timezone.localdate(timezone=clinic.zone)
    on = on or today
    # Records are dated now when `on` is close ahead, else on the session day itself, so
    # that every validity window holds on `on`.
    moment = at or (timezone.now() if 0 <= (on - today).days < 30 else _noon(on, clinic.zone))
    intake = current_intake(partner) or IntakeFormFactory(
        partner=partner, submitted=True, submitted_at=moment
    )
    ReviewFactory(
        partner=partner,
        intake=intake,
        reviewer=prescriber,
        signed_at=moment,
        expires_on=max(on, today) + datetime.timedelta(days=180),
    )
    text = current_consent_text(clinic.pk) or ConsentTextFactory(clinic=clinic)
    if not text.signatures.filter(partner=partner).exists():
        ConsentFactory(partner=partner, consent_text=text, signed_at=moment)
    QuestionnaireResponseFactory(partner=partner, completed_at=moment)
    return PrescriptionFactory(
        partner=partner,
        prescriber=prescriber,
        route=route,
        single_dose_mg=dose_mg,
        valid_from=min(on, today) - datetime.timedelta(days=1),
        valid_until=max(on, today) + datetime.timedelta(days=90),
    )


def _noon(day: datetime.date, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=zone)
