"""The database holds the at-home invariants that fit one row: raw SQL cannot break them."""

import pytest
from django.db import IntegrityError, connection, transaction

from athome.models import ChaperoneCheck, HomeChaperone
from sessions.models import MedicineSession, TreatmentPlan
from tests.athome.helpers import dosed_at_home, home_session, minutes
from tests.sessions.factories import make_plan


def _update(model, pk: int, assignments: str, params=()) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*params, pk])


def _refused_by(constraint: str):
    return pytest.raises(IntegrityError, match=f'constraint "{constraint}"')


def test_raw_sql_cannot_make_a_session_at_home_by_another_route(cast):
    session, _ = home_session(cast)
    with _refused_by("session_at_home_is_sublingual"), transaction.atomic():
        _update(MedicineSession, session.pk, "route = 'intravenous'")


def test_raw_sql_cannot_make_a_plan_at_home_by_another_route(cast):
    plan = make_plan(cast)
    with _refused_by("plan_at_home_is_sublingual"), transaction.atomic():
        _update(TreatmentPlan, plan.pk, "setting = 'at_home', route = 'intramuscular'")


def test_raw_sql_cannot_give_a_partner_chaperone_a_link(cast):
    session, _ = home_session(cast)
    chaperone = session.home_chaperone
    with _refused_by("chaperone_partner_or_named_adult_with_link"), transaction.atomic():
        _update(HomeChaperone, chaperone.pk, "token_digest = 'abc'")


def test_raw_sql_cannot_leave_a_named_adult_without_a_phone(cast):
    session, _ = home_session(cast, chaperone="adult")
    with _refused_by("chaperone_partner_or_named_adult_with_link"), transaction.atomic():
        _update(HomeChaperone, session.home_chaperone.pk, "phone = ''")


def test_raw_sql_cannot_blank_a_chaperones_name(cast):
    session, _ = home_session(cast)
    with _refused_by("chaperone_has_a_name"), transaction.atomic():
        _update(HomeChaperone, session.home_chaperone.pk, "name = '   '")


def test_raw_sql_cannot_add_a_second_check_of_one_kind(cast):
    session, _ = home_session(cast)
    table = connection.ops.quote_name(ChaperoneCheck._meta.db_table)
    with (
        _refused_by("chaperone_check_once_per_kind"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"INSERT INTO {table} (medicine_session_id, kind, due_at)"
            " VALUES (%s, 'presence', now())",
            [session.pk],
        )


def test_raw_sql_cannot_mark_a_check_done_without_a_reporter(cast):
    session, _ = home_session(cast)
    presence = session.chaperone_checks.get(kind="presence")
    with _refused_by("chaperone_check_done_by_one_reporter"), transaction.atomic():
        _update(ChaperoneCheck, presence.pk, "done_at = now()")


def test_raw_sql_cannot_name_two_reporters(cast):
    session, _ = home_session(cast, chaperone="adult")
    presence = session.chaperone_checks.get(kind="presence")
    with _refused_by("chaperone_check_done_by_one_reporter"), transaction.atomic():
        _update(
            ChaperoneCheck,
            presence.pk,
            "done_at = now(), reported_by_user_id = %s, reported_by_chaperone_id = %s",
            [cast.partner_b.user.pk, session.home_chaperone.pk],
        )


def test_raw_sql_cannot_record_a_check_without_its_answers(cast):
    session, given = dosed_at_home(cast)
    forty = session.chaperone_checks.get(kind="check_40")
    with _refused_by("chaperone_check_answers_each_question"), transaction.atomic():
        _update(
            ChaperoneCheck,
            forty.pk,
            "done_at = %s, reported_by_user_id = %s",
            [given + minutes(40), cast.partner_b.user.pk],
        )


def test_raw_sql_cannot_end_without_saying_the_chaperone_stays(cast):
    session, given = dosed_at_home(cast)
    end = session.chaperone_checks.get(kind="end")
    with _refused_by("chaperone_end_check_says_they_stay"), transaction.atomic():
        _update(
            ChaperoneCheck,
            end.pk,
            "done_at = %s, reported_by_user_id = %s, drowsy_hard_to_wake = false,"
            " breathing_normal = true, feels_settled = true",
            [given + minutes(120), cast.partner_b.user.pk],
        )
