"""The benchmark's pieces that can be checked without loading a server (`make bench` runs it)."""

import pytest

from bench import fill
from bench.bare_urls import bare
from kapcouples import policy


def test_the_design_scale_is_the_one_of_design_md():
    assert fill.scaled(1.0) == {
        "clinics": 100,
        "staff": 2000,
        "couples": 50_000,
        "appointments": 1_000_000,
        "reminders": 5_000_000,
        "access_log": 1_000_000,
    }


def test_a_tenth_keeps_fewer_clinics_each_with_fewer_couples():
    tenth = fill.scaled(0.1)
    assert tenth["couples"] == 5_000
    assert tenth["couples"] / tenth["clinics"] < 50_000 / 100


def test_each_scale_has_its_own_database():
    assert fill.database_name(1.0) == "kapcouples_bench_full"
    assert fill.database_name(0.1) == "kapcouples_bench_tenth"
    assert fill.database_name(0.02) == "kapcouples_bench_0_02"


def test_the_bare_view_is_declared_public():
    assert bare.access_roles == policy.PUBLIC


@pytest.mark.parametrize(
    ("model_name", "columns"),
    [
        (
            "Reminder",
            "id, clinic_id, partner_id, staff_user_id, channel, kind, about_type_id, "
            "about_id, event_at, link_path, due_at, next_attempt_at, status, attempts, last_error, "
            "sent_at, idempotency_key, created_at",
        ),
        (
            "Appointment",
            "id, clinic_id, couple_id, kind, start, end, room_id, status, "
            "cancel_reason, medicine_session_id, booked_by_id, created_at",
        ),
        (
            "MaintenancePlan",
            "id, couple_id, approach, dosing_partner_id, support_role, route, interval_weeks, "
            "boosters_per_review, starts_on, review_on, notes, status, approved_by_id, "
            "approved_at, ended_at, ended_reason, created_by_id, created_at",
        ),
    ],
)
def test_every_column_the_generator_leaves_out_has_a_default(model_name, columns):
    from django.apps import apps

    model = next(m for m in apps.get_models() if m.__name__ == model_name)
    table = fill.Table(model, [c.strip() for c in columns.split(",")])
    assert len(table.columns) == len(model._meta.concrete_fields)


def _placed(*kinds_and_statuses):
    return {
        "appointments": [[0, None, kind, 0, 0, 0, status] for kind, status in kinds_and_statuses]
    }


@pytest.mark.parametrize("assessment", ["completed", "no_show", "cancelled"])
def test_a_couple_is_pooled_for_booking_only_after_a_completed_assessment(assessment):
    couple = _placed(
        ("assessment", assessment), ("preparation", "completed"), ("preparation", "booked")
    )
    assert fill._ready_as_placed(couple) is (assessment == "completed")


def test_a_couple_is_pooled_only_with_two_preparations_since_its_last_medicine_session():
    couple = _placed(
        ("assessment", "completed"),
        ("preparation", "completed"),
        ("preparation", "completed"),
        ("medicine", "completed"),
        ("integration", "completed"),
        ("preparation", "booked"),
    )
    assert fill._ready_as_placed(couple) is False
    couple["appointments"].append([0, None, "preparation", 0, 0, 0, "booked"])
    assert fill._ready_as_placed(couple) is True
