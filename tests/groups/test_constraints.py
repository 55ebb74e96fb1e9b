"""The database holds the group rules that fit one row, and the room and clinician
exclusion constraints let only the seats of one group session share a room: bad rows
written with raw SQL are refused."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from groups.models import GroupEnrolment, GroupSession
from sessions.models import Appointment
from tests.groups.helpers import book_group, group_couple, make_program
from tests.sessions.factories import book, local, room, tomorrow


def _sql(statement: str, *params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def _refused(statement: str, *params) -> None:
    with pytest.raises(IntegrityError):
        _sql(statement, *params)


@pytest.fixture
def booked(cast):
    couples = [group_couple(cast, "Ana", "Ben").couple, group_couple(cast, "Cleo", "Dev").couple]
    program = make_program(cast, couples)
    start = local(cast, tomorrow(cast) + datetime.timedelta(days=3), 10)
    return book_group(cast, program, GroupSession.Kind.PREPARATION, start)


def test_a_room_seats_at_least_one_couple(cast):
    _refused("UPDATE kapcouples_room SET capacity = 0 WHERE id = %s", room(cast).pk)


def test_a_group_session_never_seats_more_couples_than_its_room(booked):
    _refused(
        "UPDATE groups_groupsession SET seats_booked = room_capacity + 1 WHERE id = %s", booked.pk
    )


def test_a_program_ends_after_it_starts_and_takes_two_to_24_couples(booked):
    program = booked.program_id
    _refused("UPDATE groups_groupprogram SET ends_on = starts_on - 1 WHERE id = %s", program)
    _refused("UPDATE groups_groupprogram SET capacity = 1 WHERE id = %s", program)
    _refused("UPDATE groups_groupprogram SET capacity = 25 WHERE id = %s", program)


def test_a_couple_is_enrolled_in_one_open_program_at_a_time(cast, booked):
    enrolment = GroupEnrolment.objects.first()
    second = make_program(cast, [], name="Second group")
    _refused(
        "INSERT INTO groups_groupenrolment (program_id, couple_id, status, enrolled_by_id,"
        " enrolled_at, withdrawn_reason) VALUES (%s, %s, 'enrolled', %s, now(), '')",
        second.pk,
        enrolment.couple_id,
        cast.clinician.pk,
    )


def test_a_withdrawal_and_a_cancellation_name_their_reason(booked):
    _refused("UPDATE groups_groupenrolment SET status = 'withdrawn', withdrawn_reason = ' '")
    _refused("UPDATE groups_groupsession SET status = 'cancelled' WHERE id = %s", booked.pk)


def test_a_group_note_is_not_blank(cast, booked):
    _refused(
        "INSERT INTO groups_groupnote (group_session_id, text, author_id, written_at)"
        " VALUES (%s, '  ', %s, now())",
        booked.pk,
        cast.clinician.pk,
    )


def test_seats_of_one_group_share_the_room_but_an_outside_booking_may_not(cast, booked):
    other = group_couple(cast, "Eli", "Fay").couple
    elsewhere = book(
        cast,
        Appointment.Kind.OTHER,
        booked.start,
        where=room(cast, "Elsewhere"),
        couple=other,
        clinicians=[cast.prescriber],
    )
    # Moving it into the group's room, as a plain appointment or as another group's seat.
    _refused(
        "UPDATE clinic_sessions_appointment SET room_id = %s WHERE id = %s",
        booked.room_id,
        elsewhere.pk,
    )
    second = GroupSession.objects.create(
        program=booked.program,
        kind="sharing",
        start=booked.start,
        end=booked.end,
        room=room(cast, "Elsewhere"),
        room_capacity=1,
        seats_booked=1,
        booked_by=cast.front_desk,
    )
    _sql(
        "UPDATE clinic_sessions_appointment SET group_session_id = %s WHERE id = %s",
        second.pk,
        elsewhere.pk,
    )
    _refused(
        "UPDATE clinic_sessions_appointment SET room_id = %s WHERE id = %s",
        booked.room_id,
        elsewhere.pk,
    )
    # As a seat of the same group session it may share the room.
    _sql(
        "UPDATE clinic_sessions_appointment SET room_id = %s, group_session_id = %s WHERE id = %s",
        booked.room_id,
        booked.pk,
        elsewhere.pk,
    )


def test_a_facilitator_is_shared_only_by_the_seats_of_one_group(cast, booked):
    other = group_couple(cast, "Gus", "Hal").couple
    elsewhere = book(
        cast,
        Appointment.Kind.OTHER,
        booked.start,
        where=room(cast, "Elsewhere"),
        couple=other,
        clinicians=[cast.prescriber],
    )
    _refused(
        "UPDATE clinic_sessions_appointmentclinician SET clinician_id = %s"
        " WHERE appointment_id = %s",
        cast.clinician.pk,
        elsewhere.pk,
    )
    _sql(
        "UPDATE clinic_sessions_appointmentclinician SET clinician_id = %s, group_session_id = %s"
        " WHERE appointment_id = %s",
        cast.clinician.pk,
        booked.pk,
        elsewhere.pk,
    )


def test_no_couple_holds_two_seats_at_once(cast, booked):
    first, second = booked.seats.order_by("pk")
    _refused(
        "UPDATE clinic_sessions_appointment SET couple_id = %s WHERE id = %s",
        first.couple_id,
        second.pk,
    )
