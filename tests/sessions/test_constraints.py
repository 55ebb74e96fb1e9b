"""The exclusion constraints exist in PostgreSQL: raw SQL cannot write an overlap either."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from sessions.models import Appointment
from tests.sessions.factories import book, local, room, tomorrow

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
