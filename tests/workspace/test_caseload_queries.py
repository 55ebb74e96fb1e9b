"""The caseload makes the same number of queries for 10 couples as for 500, each with
partners, appointments, questionnaire responses, alerts and prescriptions."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.models import Couple, IntakeForm, Partner, Prescription, QuestionnaireResponse
from integration.models import Alert
from sessions.models import Appointment, Approach, TreatmentPlan
from tests.factories import CoupleFactory, PartnerFactory
from tests.sessions.factories import make_plan, room
from workspace.batch_readiness import with_partner_lists

URL = reverse("care_dashboard")
MEDICINE = Appointment.Kind.MEDICINE
CODES = [QuestionnaireResponse.Code.PHQ9, QuestionnaireResponse.Code.CSI4]


def _grow(cast, size: int) -> None:
    """`size` more couples of the cast's clinician (the prescriber on their team), in bulk,
    each with a plan, so that every row reads its partners' screening."""
    now = timezone.now()
    today = timezone.localdate(timezone=cast.clinic.zone)
    couples = Couple.objects.bulk_create(
        Couple(clinic=cast.clinic, primary_clinician=cast.clinician) for _ in range(size)
    )
    Couple.care_team.through.objects.bulk_create(
        Couple.care_team.through(couple_id=c.pk, user_id=cast.prescriber.pk) for c in couples
    )
    partners = Partner.objects.bulk_create(
        Partner(couple=c, slot=slot, first_name=f"P{c.pk}", last_name="Bulk", email="p@x.test")
        for c in couples
        for slot in (1, 2)
    )
    TreatmentPlan.objects.bulk_create(
        TreatmentPlan(
            couple=c,
            goals="Closer.",
            approach=Approach.DUAL_FULL,
            planned_medicine_sessions=3,
            created_by=cast.clinician,
        )
        for c in couples
    )
    rooms = {kind: room(cast, kind) for kind in (Appointment.Kind.PREPARATION, MEDICINE)}
    Appointment.objects.bulk_create(
        Appointment(
            clinic=cast.clinic,
            couple=c,
            kind=kind,
            start=now + datetime.timedelta(days=days, minutes=30 * c.pk),
            end=now + datetime.timedelta(days=days, minutes=30 * c.pk + 20),
            room=rooms[kind],
            booked_by=cast.front_desk,
        )
        for c in couples
        for kind, days in ((Appointment.Kind.PREPARATION, -3), (MEDICINE, 5))
    )
    QuestionnaireResponse.objects.bulk_create(
        QuestionnaireResponse(
            partner=p,
            code=code,
            answers=[0],
            total=days,
            band="x",
            completed_at=now - datetime.timedelta(days=days),
            completed_by=cast.clinician,
        )
        for p in partners
        for code in CODES
        for days in (1, 30, 60)
    )
    IntakeForm.objects.bulk_create(
        IntakeForm(partner=p, status=IntakeForm.Status.SUBMITTED, submitted_at=now)
        for p in partners
    )
    Prescription.objects.bulk_create(
        Prescription(
            partner=p,
            prescriber=cast.prescriber,
            route=Prescription.Route.SUBLINGUAL,
            single_dose_mg=Decimal("100"),
            valid_from=today,
            valid_until=today + datetime.timedelta(days=7),
        )
        for p in partners
    )
    Alert.objects.bulk_create(
        Alert(
            clinic=cast.clinic,
            couple=c,
            kind=Alert.Kind.OTHER,
            urgency=Alert.Urgency.URGENT if c.pk % 2 else Alert.Urgency.ROUTINE,
            message="bulk",
            dedupe_key=f"bulk:{c.pk}",
        )
        for c in couples
    )


def _count(client, query: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL + query)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["clinician", "prescriber", "clinic_admin"])
@pytest.mark.parametrize("query", ["", "?sort=alerts&has_alert=1", "?sort=next&q=Bulk&page=2"])
def test_the_caseload_makes_as_many_queries_for_500_couples_as_for_10(
    cast, client_for, django_assert_max_num_queries, who, query
):
    make_plan(cast)
    client = client_for(cast.user(who))
    client.get(URL)  # first request: sessions and settings rows settle
    _grow(cast, 10)
    small = _count(client, query)
    _grow(cast, 490)
    with django_assert_max_num_queries(40):
        large = _count(client, query)
    assert large == small


def test_partner_lists_are_read_in_one_query_in_slot_order(cast, django_assert_num_queries):
    reversed_couple = CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician)
    second = PartnerFactory(couple=reversed_couple, slot=2)  # created first: a lower pk
    first = PartnerFactory(couple=reversed_couple, slot=1)
    empty = CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician)
    couples = list(Couple.objects.filter(pk__in=[cast.couple.pk, reversed_couple.pk, empty.pk]))
    with django_assert_num_queries(1):
        with_partner_lists(couples)
    by_pk = {couple.pk: couple for couple in couples}
    assert by_pk[cast.couple.pk].partner_list == [cast.partner_a, cast.partner_b]
    assert by_pk[reversed_couple.pk].partner_list == [first, second]
    assert by_pk[empty.pk].partner_list == []
    with django_assert_num_queries(0):  # each partner's couple is the one in hand
        assert all(
            partner.couple is couple for couple in couples for partner in couple.partner_list
        )


def test_no_couples_need_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert with_partner_lists([]) == []
