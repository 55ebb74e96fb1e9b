"""Demo couples for `manage.py seed_demo`: couple 1 active, couple 2 in assessment, and
the couples the sessions demo gives a history (Chen, Okafor, Nguyen, Brooks).

Screening: couple 1 is fully screened and cleared (intake, every questionnaire,
consent, review, prescription, shared intentions); couple 2 is part-way: Jordan
has a draft intake, Riley a submitted intake and a PHQ-9 with a suicide-risk flag.
The history couples were screened before their sessions: a submitted intake, consent,
a clearing review and a prescription each (their scores come from the later apps).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from intake import contraindications, services
from intake.models import (
    ConsentText,
    ContraindicationReview,
    Couple,
    CoupleIntentions,
    IntakeForm,
    Partner,
    Prescription,
    ScreeningSettings,
)
from intake.readiness import current_consent_text, current_intake
from kapcouples.demo import DemoSeed
from kapcouples.models import Role

COUPLES = [
    # (status, [(email, first, last, date of birth)])
    (
        Couple.Status.ACTIVE,
        [
            ("alex@demo.kap", "Alex", "Rivera", "1986-04-12"),
            ("sam@demo.kap", "Sam", "Rivera", "1988-09-30"),
        ],
    ),
    (
        Couple.Status.ASSESSMENT,
        [
            ("jordan@demo.kap", "Jordan", "Ellis", "1979-01-22"),
            ("riley@demo.kap", "Riley", "Park", "1982-06-05"),
        ],
    ),
]
PARTNER_LOGINS = [person[0] for _, people in COUPLES for person in people]
# No logins here: the apps that show these couples' partners something make the few they need.
HISTORY_COUPLES = [
    [
        ("morgan.chen@demo.kap", "Morgan", "Chen", "1990-03-14"),
        ("lee.chen@demo.kap", "Lee", "Chen", "1989-11-02"),
    ],
    [
        ("dana.okafor@demo.kap", "Dana", "Okafor", "1984-07-19"),
        ("chris.okafor@demo.kap", "Chris", "Okafor", "1983-02-08"),
    ],
    [
        ("taylor.nguyen@demo.kap", "Taylor", "Nguyen", "1977-12-01"),
        ("jesse.nguyen@demo.kap", "Jesse", "Nguyen", "1980-05-27"),
    ],
    [
        ("jamie.brooks@demo.kap", "Jamie", "Brooks", "1985-08-23"),
        ("quinn.brooks@demo.kap", "Quinn", "Brooks", "1987-10-11"),
    ],
]


# A number of the range kept for fiction: shown with the crisis line to a partner at risk.
DEMO_CLINIC_PHONE = "+1 555 0100"


def seed(demo: DemoSeed) -> None:
    """The demo couples, made once; `demo.make_user(email, full_name)` finds or makes a login."""
    clinic, staff = demo.clinic, demo.staff
    screening_settings = ScreeningSettings.for_clinic(clinic.pk)
    if not screening_settings.clinic_phone:
        screening_settings.clinic_phone = DEMO_CLINIC_PHONE
        screening_settings.save(update_fields=["clinic_phone"])
    couples = [_couple(clinic, status, people, staff, demo.make_user) for status, people in COUPLES]
    _screening(clinic, staff, couples)
    for people in HISTORY_COUPLES:
        couple = _couple(clinic, Couple.Status.ACTIVE, people, staff, make_user=None)
        for partner in couple.partners.all():
            _screened_before_history(partner, current_consent_text(clinic.pk), staff)
    demo.couples = couples
    demo.logins += PARTNER_LOGINS


def _couple(clinic, status, people, staff, make_user) -> Couple:
    existing = Partner.objects.filter(email=people[0][0]).select_related("couple").first()
    if existing:
        return existing.couple
    couple = Couple.objects.create(
        clinic=clinic, status=status, primary_clinician=staff[Role.CLINICIAN]
    )
    couple.care_team.add(staff[Role.PRESCRIBER])
    for slot, (email, first, last, born) in enumerate(people, start=1):
        Partner.objects.create(
            couple=couple,
            slot=slot,
            user=make_user(email, f"{first} {last}") if make_user else None,
            first_name=first,
            last_name=last,
            date_of_birth=born,
            email=email,
            timezone=clinic.timezone,
        )
    return couple


# --- Screening ------------------------------------------------------------------------------
CONSENT_BODY = """\
Ketamine-assisted couples therapy combines couples therapy with ketamine, a medicine
that can change perception and mood for about an hour.

Risks include raised blood pressure and heart rate, nausea, dizziness, dissociation,
and, rarely, confusion or distress. You must not drive until the next day, and a named
person must take you home.

You may stop at any time. Your answers are private to you and your care team.
"""
ALL_QUESTIONNAIRES = {
    "PHQ-9": [1, 1, 1, 0, 1, 0, 1, 0, 0],
    "GAD-7": [1, 1, 0, 1, 0, 1, 0],
    "PCL-5": [1] * 20,
    "C-SSRS": [0, 0, None, None, None, 0],
    "CSI-4": [3, 3, 3, 3],
}


def _screening(clinic, staff, couples) -> None:
    text = current_consent_text(clinic.pk) or ConsentText.objects.create(
        clinic=clinic,
        version=1,
        title="Consent to ketamine-assisted couples therapy",
        body=CONSENT_BODY,
        created_by=staff[Role.CLINIC_ADMIN],
    )
    cleared, part_way = couples
    for partner in cleared.partners.all():
        _fully_screened(partner, text, staff)
    if not CoupleIntentions.objects.filter(couple=cleared).exists():
        services.intentions_update(
            couple=cleared,
            user=cleared.partners.first().user,
            intentions="To listen to each other without rushing to fix things.",
            themes="Trust after the move; sharing the load at home.",
            base_revision=0,
        )
    jordan, riley = part_way.partners.all()
    if not jordan.intake_forms.exists():
        services.intake_save_step(
            partner=jordan,
            by=jordan.user or jordan.couple.primary_clinician,
            step="about",
            answers=_answers()["about"],
        )
        services.intake_save_step(
            partner=jordan,
            by=jordan.user or jordan.couple.primary_clinician,
            step="emergency",
            answers=_answers()["emergency"],
        )
    if not riley.intake_forms.exists():
        _submitted_intake(riley)
    if not riley.questionnaire_responses.exists():
        services.questionnaire_submit(
            partner=riley, user=riley.user, code="PHQ-9", answers=[2, 2, 1, 2, 1, 1, 1, 1, 1]
        )


def _fully_screened(partner: Partner, text: ConsentText, staff) -> None:
    if not partner.questionnaire_responses.exists():
        for code, answers in ALL_QUESTIONNAIRES.items():
            services.questionnaire_submit(
                partner=partner, user=partner.user, code=code, answers=answers
            )
    _screened_before_history(partner, text, staff)


def _screened_before_history(partner: Partner, text: ConsentText, staff) -> None:
    """Intake, consent, a clearing review and a prescription (no questionnaires)."""
    intake = current_intake(partner) or _submitted_intake(partner)
    if not text.signatures.filter(partner=partner).exists():
        services.consent_sign(
            partner=partner,
            consent_text_id=text.pk,
            typed_name=partner.full_name,
            ip_address="127.0.0.1",
        )
    if not partner.reviews.exists():
        services.review_sign(
            partner=partner,
            reviewer=staff[Role.PRESCRIBER],
            findings={},
            systolic=124,
            diastolic=80,
            heart_rate=68,
            weight_kg=Decimal("72.0"),
            decision=ContraindicationReview.Decision.CLEARED,
            reason=f"Intake v{intake.version} and baseline examination show no contraindication.",
        )
    if not partner.prescriptions.exists():
        today = timezone.localdate(timezone=partner.couple.clinic.zone)
        services.prescription_create(
            partner=partner,
            prescriber=staff[Role.PRESCRIBER],
            route=Prescription.Route.SUBLINGUAL,
            single_dose_mg=Decimal("200"),
            valid_from=today - datetime.timedelta(days=7),
            valid_until=today + datetime.timedelta(days=180),
            instructions="Hold the troche under the tongue for 15 minutes, then spit.",
        )


def _submitted_intake(partner: Partner) -> IntakeForm:
    from intake.forms import INTAKE_STEPS

    for step, answers in _answers().items():
        services.intake_save_step(
            partner=partner,
            by=partner.user or partner.couple.primary_clinician,
            step=step,
            answers=answers,
        )
    return services.intake_submit(
        partner=partner,
        by=partner.user or partner.couple.primary_clinician,
        required_steps=list(INTAKE_STEPS),
    )


def _answers() -> dict:
    return {
        "about": {
            "date_of_birth": "1986-04-12",
            "pronouns": "",
            "phone": "555 0100 100",
            "address": "12 Harbor Street, Oakland",
            "occupation": "Nurse",
        },
        "emergency": {
            "emergency_contact_name": "Dana Rivera",
            "emergency_contact_relationship": "Sister",
            "emergency_contact_phone": "555 0100 200",
        },
        "medical": {
            **{key: False for key in contraindications.KEYS},
            "other_conditions": "",
            "allergies": "None known",
        },
        "medications": {"medications": ["Vitamin D 1000 IU daily"], "none": False},
        "experience": {"prior_ketamine": "never", "prior_psychedelics": "once", "details": ""},
        "mental_health": {
            "diagnoses": "Depression (2019)",
            "current_treatment": "Couples therapy",
            "hospitalisations": "no",
            "details": "",
        },
        "goals": {"goals": "Feel close again and argue less."},
        "transport": {
            "transport_mode": "driven",
            "driver_name": "Dana Rivera",
            "driver_phone": "555 0100 200",
        },
    }
