"""The maintenance plan's one-row rules are the database's too: raw SQL cannot write an
interval out of range, a review before the start, an approval without a prescriber, an
ended plan without its reason, a solo plan without its roles, or a second open plan."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from maintenance.models import MaintenancePlan
from tests.maintenance.helpers import DAY, completed_program, maintenance_plan
from tests.sessions.factories import local, tomorrow


@pytest.fixture
def plan(cast) -> MaintenancePlan:
    when = local(cast, tomorrow(cast), 10)
    completed_program(cast, ended=when - 60 * DAY)
    return maintenance_plan(cast, when.date(), approved=False)


def _refused(sql: str, params) -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("weeks", [0, 1, 27, 52])
def test_the_interval_stays_between_two_and_twenty_six_weeks(plan, weeks):
    _refused(
        "UPDATE maintenance_maintenanceplan SET interval_weeks = %s WHERE id = %s", [weeks, plan.pk]
    )


@pytest.mark.parametrize("count", [0, 7])
def test_boosters_per_review_stay_between_one_and_six(plan, count):
    _refused(
        "UPDATE maintenance_maintenanceplan SET boosters_per_review = %s WHERE id = %s",
        [count, plan.pk],
    )


@pytest.mark.parametrize("days", [0, -1])
def test_the_review_date_comes_after_the_start(plan, days):
    review = plan.starts_on + datetime.timedelta(days=days)
    _refused(
        "UPDATE maintenance_maintenanceplan SET review_on = %s WHERE id = %s", [review, plan.pk]
    )


def test_an_approved_plan_names_its_approver(plan):
    _refused("UPDATE maintenance_maintenanceplan SET status = 'approved' WHERE id = %s", [plan.pk])


def test_an_ended_plan_has_its_time_and_reason(plan):
    _refused(
        "UPDATE maintenance_maintenanceplan SET status = 'ended', ended_at = now() WHERE id = %s",
        [plan.pk],
    )


def test_a_solo_plan_names_the_dosing_partner_and_the_others_role(plan):
    _refused("UPDATE maintenance_maintenanceplan SET approach = 'solo' WHERE id = %s", [plan.pk])


def test_a_couple_has_one_open_plan_at_a_time(plan):
    _refused(
        """INSERT INTO maintenance_maintenanceplan
            (couple_id, interval_weeks, boosters_per_review, approach, route, starts_on,
             review_on, notes, status, ended_reason, created_by_id, created_at)
           SELECT couple_id, interval_weeks, boosters_per_review, approach, route, starts_on,
             review_on, '', 'draft', '', created_by_id, now()
           FROM maintenance_maintenanceplan WHERE id = %s""",
        [plan.pk],
    )


def test_an_ended_plan_stays_beside_a_new_one(plan, cast):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE maintenance_maintenanceplan SET status = 'ended', ended_at = now(), "
            "ended_reason = 'Reviewed' WHERE id = %s",
            [plan.pk],
        )
    again = maintenance_plan(cast, plan.starts_on + 30 * DAY, approved=False)
    assert MaintenancePlan.objects.filter(couple=cast.couple).count() == 2
    assert again.pk != plan.pk


@pytest.mark.parametrize(
    "column,value",
    [("rescreen_within_days", 0), ("preparation_sessions", 0), ("reminder_days_before", 31)],
)
def test_the_clinics_booster_settings_stay_sensible(cast, column, value):
    _refused(
        f"UPDATE maintenance_maintenancesettings SET {column} = %s WHERE clinic_id = %s",
        [value, cast.clinic.pk],
    )
