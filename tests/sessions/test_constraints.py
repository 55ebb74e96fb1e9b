"""The database's own constraints are the last word: raw SQL cannot write an overlap, nor a row
that breaks a CHECK (dose caps, discharge, protocol ranges, solo roles, hold overrides)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from sessions.forms import ProtocolForm
from sessions.models import (
    Appointment,
    Approach,
    Discharge,
    DoseAdministration,
    MedicineSession,
    ProtocolSettings,
    TreatmentPlan,
    VitalSigns,
)
from sessions.protocol import protocol_for
from tests.sessions.factories import book, local, make_plan, room, started_session, tomorrow
from tests.sessions.record_helpers import (
    discharge,
    dose,
    dosed_session,
    minutes,
    readings_for_discharge,
    vitals,
)

PREP = Appointment.Kind.PREPARATION
INSERT_APPOINTMENT = """
    INSERT INTO clinic_sessions_appointment
        (clinic_id, couple_id, kind, start, "end", room_id, status, cancel_reason,
         booked_by_id, created_at)
    VALUES (%s, %s, 'preparation', %s, %s, %s, %s, %s, %s, now())
    RETURNING id
"""


def _insert(cast, couple, start, end, room_id, status="booked") -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_APPOINTMENT,
            [cast.clinic.pk, couple.pk, start, end, room_id, status, "test", cast.front_desk.pk],
        )
        return cursor.fetchone()[0]


def _insert_clinician(appointment_id, clinician_id, start, end) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO clinic_sessions_appointmentclinician (appointment_id, clinician_id, "
            'start, "end", is_active) VALUES (%s, %s, %s, %s, true)',
            [appointment_id, clinician_id, start, end],
        )


def test_raw_sql_cannot_double_book_a_room(cast):
    day = tomorrow(cast)
    existing = book(cast, PREP, local(cast, day, 9, 30))
    with pytest.raises(IntegrityError, match="appt_no_room_overlap"), transaction.atomic():
        _insert(
            cast, cast.other_couple, local(cast, day, 10), local(cast, day, 11), existing.room_id
        )


def test_raw_sql_cannot_double_book_a_couple(cast):
    day = tomorrow(cast)
    book(cast, PREP, local(cast, day, 9, 30))
    other_room = room(cast, "Oak")
    with pytest.raises(IntegrityError, match="appt_no_couple_overlap"), transaction.atomic():
        _insert(cast, cast.couple, local(cast, day, 10), local(cast, day, 11), other_room.pk)


def test_raw_sql_cannot_double_book_a_clinician(cast):
    day = tomorrow(cast)
    existing = book(cast, PREP, local(cast, day, 9, 30))
    new_id = _insert(
        cast, cast.other_couple, local(cast, day, 10), local(cast, day, 11), room(cast, "Oak").pk
    )
    with pytest.raises(IntegrityError, match="appt_no_clinician_overlap"), transaction.atomic():
        _insert_clinician(new_id, cast.clinician.pk, local(cast, day, 10), local(cast, day, 11))
    assert existing.clinicians.get() == cast.clinician


def test_the_constraints_ignore_cancelled_rows_and_back_to_back_slots(cast):
    day = tomorrow(cast)
    existing = book(cast, PREP, local(cast, day, 9))
    _insert(cast, cast.other_couple, local(cast, day, 10), local(cast, day, 11), existing.room_id)
    _insert(
        cast,
        cast.other_couple,
        local(cast, day, 9, 15),
        local(cast, day, 9, 45),
        existing.room_id,
        status="cancelled",
    )
    assert Appointment.objects.filter(room=existing.room).count() == 3


def test_the_database_refuses_an_appointment_that_ends_before_it_starts(cast):
    start = local(cast, tomorrow(cast), 9)
    with pytest.raises(IntegrityError), transaction.atomic():
        _insert(cast, cast.couple, start, start - datetime.timedelta(hours=1), room(cast).pk)


# --- CHECK constraints: the database is the last word on clinical rules ------------------------
def _update(model, pk: int, assignments: str, params=()) -> None:
    """UPDATE one row of `model` behind the ORM's back (no validation, no service)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*params, pk])


def _refused_by(constraint: str):
    return pytest.raises(IntegrityError, match=f'check constraint "{constraint}"')


def _discharged(cast) -> Discharge:
    session, given = dosed_session(cast, mg="80")
    leave = given + minutes(125)
    readings_for_discharge(cast, session, cast.partner_a, given, leave)
    return discharge(cast, session, cast.partner_a, leave)


def _dosed(cast, approach=Approach.DUAL_HALF) -> DoseAdministration:
    session = started_session(cast, approach, dose=Decimal("80"))
    vitals(cast, session, cast.partner_a)
    return dose(cast, session, cast.partner_a, "10")


def test_raw_sql_cannot_raise_a_dose_above_its_cap(cast):
    given = _dosed(cast)  # 50 % of 80 mg: a cap of 40 mg
    assert (given.prescribed_single_dose_mg, given.share_percent) == (Decimal("80"), 50)
    with _refused_by("dose_within_its_cap"), transaction.atomic():
        _update(DoseAdministration, given.pk, "mg = %s", [Decimal("40.01")])
    with _refused_by("dose_within_its_cap"), transaction.atomic():
        _update(DoseAdministration, given.pk, "share_percent = 25, mg = %s", [Decimal("20.01")])
    with _refused_by("dose_within_its_cap"), transaction.atomic():
        _update(DoseAdministration, given.pk, "prescribed_single_dose_mg = %s", [Decimal("19.99")])
    given.refresh_from_db()
    assert given.mg == Decimal("10")


def test_raw_sql_may_write_a_dose_exactly_at_its_cap(cast):
    given = _dosed(cast)
    _update(DoseAdministration, given.pk, "mg = %s", [Decimal("40")])
    _update(DoseAdministration, given.pk, "share_percent = 100, mg = %s", [Decimal("80")])
    given.refresh_from_db()
    assert (given.mg, given.share_percent) == (Decimal("80"), 100)


@pytest.mark.parametrize("blank", ["", "   ", "\t", " \n ", "\r\n"])
def test_raw_sql_cannot_blank_the_person_taking_a_partner_home(cast, blank):
    left = _discharged(cast)
    with _refused_by("discharge_names_escort"), transaction.atomic():
        _update(Discharge, left.pk, "escort_name = %s", [blank])
    left.refresh_from_db()
    assert left.escort_name == "Jamie Friend"


def test_raw_sql_cannot_blank_the_escort_with_an_escaped_tab(cast):
    left = _discharged(cast)
    with _refused_by("discharge_names_escort"), transaction.atomic():
        _update(Discharge, left.pk, "escort_name = E'\\t'")


def test_raw_sql_cannot_discharge_before_the_minimum_monitoring_time(cast):
    left = _discharged(cast)
    assert left.min_monitoring_minutes == 120
    with _refused_by("discharge_after_minimum_monitoring"), transaction.atomic():
        _update(Discharge, left.pk, "monitored_minutes = min_monitoring_minutes - 1")
    with _refused_by("discharge_after_minimum_monitoring"), transaction.atomic():
        _update(Discharge, left.pk, "monitored_minutes = 119")


def test_raw_sql_cannot_snapshot_a_minimum_monitoring_time_under_120(cast):
    left = _discharged(cast)
    with _refused_by("discharge_after_minimum_monitoring"), transaction.atomic():
        _update(Discharge, left.pk, "min_monitoring_minutes = 60, monitored_minutes = 90")
    with _refused_by("discharge_after_minimum_monitoring"), transaction.atomic():
        _update(Discharge, left.pk, "min_monitoring_minutes = 119")


def test_raw_sql_cannot_let_a_partner_take_themselves_home(cast):
    left = _discharged(cast)
    with _refused_by("discharge_escort_not_self"), transaction.atomic():
        _update(Discharge, left.pk, "escort_partner_id = partner_id")
    _update(Discharge, left.pk, "escort_partner_id = %s", [cast.partner_b.pk])
    left.refresh_from_db()
    assert left.escort_partner == cast.partner_b


PROTOCOL_OUT_OF_RANGE = [
    ("protocol_monitoring_at_least_120", "min_monitoring_minutes = 119"),
    ("protocol_monitoring_at_least_120", "min_monitoring_minutes = 60"),
    ("protocol_monitoring_at_least_120", "min_monitoring_minutes = 481"),
    ("protocol_medicine_sessions_1_to_8", "max_medicine_sessions = 9"),
    ("protocol_medicine_sessions_1_to_8", "max_medicine_sessions = 0"),
    ("protocol_preparation_1_to_3", "preparation_sessions = 0"),
    ("protocol_preparation_1_to_3", "preparation_sessions = 4"),
    ("protocol_integration_window_12_to_168", "integration_within_hours = 11"),
    ("protocol_integration_window_12_to_168", "integration_within_hours = 169"),
    ("protocol_thresholds_reachable", "caution_systolic = 40"),
    ("protocol_thresholds_reachable", "caution_systolic = 109"),
    ("protocol_thresholds_reachable", "caution_diastolic = 50"),
    ("protocol_thresholds_reachable", "hold_systolic = 400"),
    ("protocol_thresholds_reachable", "hold_systolic = 251"),
    ("protocol_thresholds_reachable", "hold_diastolic = 151"),
    ("protocol_hold_above_caution", "hold_systolic = caution_systolic"),
    ("protocol_hold_above_caution", "hold_systolic = 130"),
    ("protocol_hold_above_caution", "hold_diastolic = caution_diastolic"),
    ("protocol_timings_sensible", "reading_valid_minutes = 4"),
    ("protocol_timings_sensible", "reading_valid_minutes = 61"),
    ("protocol_timings_sensible", "hold_repeat_minutes = 4"),
    ("protocol_timings_sensible", "hold_repeat_minutes = 61"),
    ("protocol_timings_sensible", "spo2_floor = 84"),
    ("protocol_timings_sensible", "spo2_floor = 99"),
    ("protocol_timings_sensible", "override_valid_days = 0"),
    ("protocol_timings_sensible", "override_valid_days = 91"),
    ("protocol_post_dose_window", "post_dose_reading_from_minutes = 14"),
    ("protocol_post_dose_window", "post_dose_reading_from_minutes = 61"),
    ("protocol_post_dose_window", "post_dose_reading_until_minutes = 30"),
    ("protocol_post_dose_window", "post_dose_reading_until_minutes = 20"),
    ("protocol_post_dose_window", "post_dose_reading_until_minutes = 121"),
]


@pytest.mark.parametrize(
    "constraint,assignment", PROTOCOL_OUT_OF_RANGE, ids=[a for _, a in PROTOCOL_OUT_OF_RANGE]
)
def test_raw_sql_cannot_set_a_protocol_value_out_of_its_range(cast, constraint, assignment):
    protocol = protocol_for(cast.clinic)
    with _refused_by(constraint), transaction.atomic():
        _update(ProtocolSettings, protocol.pk, assignment)
    protocol.refresh_from_db()
    assert protocol.min_monitoring_minutes == 120


def test_raw_sql_may_set_protocol_values_at_the_edges_of_their_ranges(cast):
    protocol = protocol_for(cast.clinic)
    _update(
        ProtocolSettings,
        protocol.pk,
        "min_monitoring_minutes = 480, max_medicine_sessions = 1, caution_systolic = 110,"
        " hold_systolic = 120, post_dose_reading_from_minutes = 60,"
        " post_dose_reading_until_minutes = 61",
    )
    protocol.refresh_from_db()
    assert (protocol.min_monitoring_minutes, protocol.hold_systolic) == (480, 120)


def _reading(cast, systolic, diastolic=80) -> VitalSigns:
    session = started_session(cast)
    return vitals(cast, session, cast.partner_a, systolic, diastolic)


def test_raw_sql_cannot_override_a_hold_reading_without_a_reason(cast):
    reading = _reading(cast, 165)
    assert reading.level == VitalSigns.Level.HOLD
    with _refused_by("vitals_hold_override_needs_reason"), transaction.atomic():
        _update(
            VitalSigns,
            reading.pk,
            "acknowledged_by_id = %s, acknowledged_at = now(), override_reason = ''",
            [cast.prescriber.pk],
        )
    _update(
        VitalSigns,
        reading.pk,
        "acknowledged_by_id = %s, acknowledged_at = now(), override_reason = 'Repeat was lower.'",
        [cast.prescriber.pk],
    )
    reading.refresh_from_db()
    assert reading.acknowledged_by == cast.prescriber


def test_a_caution_reading_may_be_acknowledged_without_a_reason_in_the_database(cast):
    reading = _reading(cast, 145)
    assert reading.level == VitalSigns.Level.CAUTION
    _update(
        VitalSigns,
        reading.pk,
        "acknowledged_by_id = %s, acknowledged_at = now(), override_reason = ''",
        [cast.prescriber.pk],
    )


@pytest.mark.parametrize("assignment", ["dosing_partner_id = NULL", "support_role = ''"])
def test_raw_sql_cannot_leave_a_solo_medicine_session_without_its_roles(cast, assignment):
    session = started_session(cast, Approach.SOLO)
    assert session.dosing_partner == cast.partner_a
    with _refused_by("session_solo_names_dosing_partner_and_role"), transaction.atomic():
        _update(MedicineSession, session.pk, assignment)
    session.refresh_from_db()
    assert session.dosing_partner == cast.partner_a


def test_raw_sql_cannot_turn_a_dual_medicine_session_solo_without_its_roles(cast):
    session = started_session(cast, Approach.DUAL_FULL)
    with _refused_by("session_solo_names_dosing_partner_and_role"), transaction.atomic():
        _update(MedicineSession, session.pk, "approach = 'solo'")


@pytest.mark.parametrize("assignment", ["dosing_partner_id = NULL", "support_role = ''"])
def test_raw_sql_cannot_leave_a_solo_plan_without_its_roles(cast, assignment):
    plan = make_plan(cast, Approach.SOLO)
    with _refused_by("plan_solo_names_dosing_partner_and_role"), transaction.atomic():
        _update(TreatmentPlan, plan.pk, assignment)
    plan.refresh_from_db()
    assert plan.dosing_partner == cast.partner_a


def test_raw_sql_cannot_insert_a_solo_plan_without_a_dosing_partner(cast):
    table = connection.ops.quote_name(TreatmentPlan._meta.db_table)
    with (
        _refused_by("plan_solo_names_dosing_partner_and_role"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"INSERT INTO {table} (couple_id, goals, approach, dosing_partner_id,"
            " support_role, support_role_agreed, route, planned_medicine_sessions,"
            " relational_intention, themes, discussion_topics, discussion_questions,"
            " opening_reflection, status, created_by_id, created_at)"
            " VALUES (%s, 'Goals', 'solo', NULL, 'sitter', true, 'sublingual', 3,"
            " '', '', '', '', '', 'draft', %s, now())",
            [cast.couple.pk, cast.clinician.pk],
        )
    assert not TreatmentPlan.objects.exists()


# --- The protocol page shows an out-of-range value beside its field -----------------------------
def _protocol_post(protocol: ProtocolSettings, **changes) -> dict:
    data = {name: getattr(protocol, name) for name in ProtocolForm.Meta.fields}
    return data | changes


def test_the_protocol_page_shows_an_out_of_range_value_beside_its_field(cast, client_for):
    protocol = protocol_for(cast.clinic)
    response = client_for(cast.clinic_admin).post(
        reverse("clinic_sessions:protocol_edit"),
        _protocol_post(protocol, min_monitoring_minutes=60),
    )
    assert response.status_code == 200
    form = response.context["form"]
    message = "Ensure this value is greater than or equal to 120."
    assert form.errors["min_monitoring_minutes"] == [message]
    assert not form.non_field_errors()
    page = response.content.decode()
    assert 'id="error_1_id_min_monitoring_minutes"' in page
    assert message in page
    assert "protocol_monitoring_at_least_120" not in page
    assert form["min_monitoring_minutes"].value() == "60"
    assert re.search(r'name="min_monitoring_minutes"[^>]*value="60"', page) or re.search(
        r'value="60"[^>]*name="min_monitoring_minutes"', page
    )
    protocol.refresh_from_db()
    assert protocol.min_monitoring_minutes == 120


def test_the_protocol_page_shows_a_hold_below_caution_beside_its_field(cast, client_for):
    protocol = protocol_for(cast.clinic)
    response = client_for(cast.clinic_admin).post(
        reverse("clinic_sessions:protocol_edit"),
        _protocol_post(protocol, caution_systolic=150, hold_systolic=150),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["hold_systolic"] == ["The hold threshold must be above caution."]
    page = response.content.decode()
    assert "protocol_hold_above_caution" not in page
    assert form["hold_systolic"].value() == "150"
    protocol.refresh_from_db()
    assert (protocol.caution_systolic, protocol.hold_systolic) == (140, 160)


@pytest.mark.django_db
def test_each_appointment_index_is_one_a_query_or_a_constraint_needs():
    """A million rows and two GiST exclusion constraints: each index is paid on every booking
    and every change of status, so none only repeats another's leading column."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Appointment._meta.db_table)
    indexed = sorted(tuple(c["columns"]) for c in found.values() if c["index"] or c["unique"])
    leading = [columns[0] for columns in indexed if len(columns) > 1]
    single = [columns[0] for columns in indexed if len(columns) == 1]
    assert sorted(set(single) & set(leading)) == []
    assert {"clinic_id", "couple_id", "room_id"} <= set(leading)
    assert {"id", "booked_by_id", "medicine_session_id", "group_session_id"} <= set(single)
