"""What waits for a prescriber across their couples, each with where to act on it.

There is no model for a clinician asking a prescriber for a readiness override, so the
"overrides" list shows what a prescriber could override: the medicine sessions of the
next 14 days whose first unmet readiness item is one a prescriber may override (4–6).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from intake.models import ContraindicationReview, Couple, IntakeForm, Prescription
from kapcouples import policy
from kapcouples.models import Role
from sessions.models import Appointment, MedicineSession, VitalSigns
from workspace import batch_readiness

HORIZON = datetime.timedelta(days=14)
LIST_LIMIT = 10  # each list shows the most pressing few; the couple page has the rest


@dataclass(frozen=True)
class WaitingItem:
    label: str
    detail: str
    url: str


@dataclass(frozen=True)
class WaitingForYou:
    reviews: list[WaitingItem]
    vitals: list[WaitingItem]
    overrides: list[WaitingItem]
    prescriptions: list[WaitingItem]

    @property
    def total(self) -> int:
        return sum(map(len, (self.reviews, self.vitals, self.overrides, self.prescriptions)))


def waiting_for(user) -> WaitingForYou | None:
    """The prescriber's lists, or None for anyone else."""
    if policy.role_of(user) != Role.PRESCRIBER:
        return None
    mine = Couple.objects.of_clinic(policy.staff_clinic_id(user)).with_care_team_member(user.pk)
    today = timezone.localdate(timezone=user.membership.clinic.zone)
    return WaitingForYou(
        reviews=reviews_to_sign(mine, today),
        vitals=vitals_to_decide(mine),
        overrides=overrides_possible(mine),
        prescriptions=prescriptions_ending(mine, today),
    )


def reviews_to_sign(mine: QuerySet[Couple], today: datetime.date) -> list[WaitingItem]:
    """Submitted intakes with no current review on them (none yet, or only an expired one)."""
    current = ContraindicationReview.objects.filter(
        intake=OuterRef("pk"), invalidated_at__isnull=True, expires_on__gte=today
    )
    intakes = (
        IntakeForm.objects.submitted()
        .filter(partner__couple__in=mine)
        .exclude(Exists(current))
        .select_related("partner")
        .order_by("submitted_at", "pk")[:LIST_LIMIT]
    )
    return [
        WaitingItem(
            label=intake.partner.full_name,
            detail=f"Intake version {intake.version} submitted "
            f"{timezone.localdate(intake.submitted_at):%d %b %Y}",
            url=reverse("intake:review_create", kwargs={"partner_id": intake.partner_id}),
        )
        for intake in intakes
    ]


def vitals_to_decide(mine: QuerySet[Couple]) -> list[WaitingItem]:
    """Caution and hold readings of sessions under way that no prescriber has signed off."""
    readings = (
        VitalSigns.objects.filter(
            medicine_session__couple__in=mine,
            medicine_session__status=MedicineSession.Status.IN_PROGRESS,
            level__in=[VitalSigns.Level.CAUTION, VitalSigns.Level.HOLD],
            acknowledged_at__isnull=True,
        )
        .select_related("partner")
        .order_by("taken_at", "pk")[:LIST_LIMIT]
    )
    return [
        WaitingItem(
            label=reading.partner.full_name,
            detail=f"{reading.get_level_display()}: {reading.systolic}/{reading.diastolic}",
            url=reverse(
                "clinic_sessions:session_record",
                kwargs={"session_id": reading.medicine_session_id},
            ),
        )
        for reading in readings
    ]


def overrides_possible(mine: QuerySet[Couple]) -> list[WaitingItem]:
    """Medicine sessions of the next 14 days held back only by an item a prescriber may
    override (the first unmet item is 4–6)."""
    now = timezone.now()
    soon = (
        Appointment.objects.active()
        .filter(couple__in=mine, kind=Appointment.Kind.MEDICINE, start__gte=now)
        .filter(start__lt=now + HORIZON)
        .order_by("start", "pk")
        .values_list("couple_id", flat=True)
    )
    couple_ids = list(dict.fromkeys(soon))[:LIST_LIMIT]
    couples = batch_readiness.with_partner_lists(
        list(Couple.objects.filter(pk__in=couple_ids).select_related("clinic"))
    )
    readiness = batch_readiness.next_session_readiness(couples)
    return [
        WaitingItem(
            label=str(couple),
            detail=f"{readiness[couple.pk].item_number}. {readiness[couple.pk].item_title}",
            url=reverse("clinic_sessions:readiness_override", kwargs={"couple_id": couple.pk}),
        )
        for couple in sorted(couples, key=lambda c: couple_ids.index(c.pk))
        if readiness[couple.pk].overridable
    ]


def prescriptions_ending(mine: QuerySet[Couple], today: datetime.date) -> list[WaitingItem]:
    ending = (
        Prescription.objects.filter(
            partner__couple__in=mine,
            status=Prescription.Status.ACTIVE,
            valid_until__gte=today,
            valid_until__lte=today + HORIZON,
        )
        .select_related("partner")
        .order_by("valid_until", "pk")[:LIST_LIMIT]
    )
    return [
        WaitingItem(
            label=rx.partner.full_name,
            detail=f"{rx.get_route_display()} {rx.single_dose_mg} mg, "
            f"ends {rx.valid_until:%d %b %Y}",
            url=reverse("intake:prescription_create", kwargs={"partner_id": rx.partner_id}),
        )
        for rx in ending
    ]
