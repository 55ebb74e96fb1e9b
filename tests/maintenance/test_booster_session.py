"""Dose caps and discharge rules hold for a booster as for any medicine session, and a
booster's own rules are asked again at each dose."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from intake.models import QuestionnaireResponse
from kapcouples.services import DomainError
from maintenance import services
from sessions.models import Approach, DoseAdministration
from tests.maintenance.helpers import started_booster
from tests.sessions.record_helpers import (
    LEAVING,
    discharge,
    dose,
    minutes,
    readings_for_discharge,
    vitals,
)


def test_a_booster_dose_is_capped_at_the_maintenance_plans_share(cast):
    session = started_booster(cast, approach=Approach.DUAL_HALF, dose=Decimal("80"))
    vitals(cast, session, cast.partner_a)
    with pytest.raises(DomainError, match=r"limit of 40\.00 mg"):
        dose(cast, session, cast.partner_a, "40.5")
    given = dose(cast, session, cast.partner_a, "40")
    assert given.share_percent == 50
    with pytest.raises(DomainError, match=r"40\.00 mg already given"):
        dose(cast, session, cast.partner_a, "1")


def test_the_database_refuses_a_booster_dose_above_its_cap(cast):
    session = started_booster(cast, approach=Approach.DUAL_HALF, dose=Decimal("80"))
    vitals(cast, session, cast.partner_a)
    given = dose(cast, session, cast.partner_a, "40")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE clinic_sessions_doseadministration SET mg = 41 WHERE id = %s", [given.pk]
        )


def test_discharge_after_a_booster_waits_for_the_minimum_monitoring_time(cast):
    session = started_booster(cast)
    given = timezone.now()
    vitals(cast, session, cast.partner_a, at=given - minutes(1))
    dose(cast, session, cast.partner_a, "80", at=given)
    early = given + minutes(100)
    readings_for_discharge(cast, session, cast.partner_a, given, early)
    with pytest.raises(DomainError, match="monitored 100 minutes since the last dose"):
        discharge(cast, session, cast.partner_a, early)
    on_time = given + minutes(120)
    vitals(cast, session, cast.partner_a, moment=LEAVING, at=on_time - minutes(1))
    assert discharge(cast, session, cast.partner_a, on_time).monitored_minutes == 120


def test_nobody_drives_themselves_home_from_a_booster(cast):
    session = started_booster(cast)
    given = timezone.now()
    vitals(cast, session, cast.partner_a, at=given - minutes(1))
    dose(cast, session, cast.partner_a, "80", at=given)
    leave = given + minutes(130)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    with pytest.raises(DomainError):
        discharge(
            cast,
            session,
            cast.partner_a,
            leave,
            escort_name=cast.partner_a.full_name,
            escort_phone="+1 555 010 2030",
            escort_relationship="self",
        )


def test_ending_the_maintenance_plan_stops_the_next_booster_dose(cast):
    session = started_booster(cast)
    vitals(cast, session, cast.partner_a)
    plan = cast.couple.maintenance_plans.get()
    services.maintenance_plan_end(plan=plan, by=cast.clinician, reason="Prescriber stopped it")
    with pytest.raises(DomainError, match="maintenance plan is not approved"):
        dose(cast, session, cast.partner_a, "50")
    assert not DoseAdministration.objects.exists()


def test_each_booster_dose_asks_for_the_re_screening_again(cast):
    session = started_booster(cast)
    vitals(cast, session, cast.partner_b)
    QuestionnaireResponse.objects.filter(
        partner=cast.partner_b, code=QuestionnaireResponse.Code.GAD7
    ).delete()
    with pytest.raises(DomainError, match="Bobbie needs a GAD-7 completed"):
        dose(cast, session, cast.partner_b, "50")
