"""Threads book group sessions at once on PostgreSQL: no room holds two groups (or a
group and anything else), no room seats more couples than it has seats, no couple is
double-booked."""

import datetime
import threading

import pytest
from django.db import connection, connections

from groups import services
from groups.models import GroupSession
from kapcouples.services import DomainError
from sessions import services as booking
from sessions.models import Appointment
from tests.groups.helpers import group_couple, group_room
from tests.sessions.factories import ANY_HOUR, local, room, tomorrow

THREADS = 10
ACTIVE = "('booked','checked_in','completed')"


def _race(attempts) -> tuple[list, list]:
    barrier = threading.Barrier(len(attempts))
    won, refused, crashed = [], [], []

    def run(attempt):
        try:
            barrier.wait()
            won.append(attempt())
        except DomainError as error:
            refused.append(error)
        except Exception as error:
            crashed.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not crashed, crashed
    return won, refused


def _count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _room_shared_by_others() -> int:
    """Pairs of active appointments overlapping in one room that are not seats of one
    group session."""
    return _count(
        f"""SELECT count(*) FROM clinic_sessions_appointment a
            JOIN clinic_sessions_appointment b ON a.id < b.id AND a.room_id = b.room_id
            WHERE a.status IN {ACTIVE} AND b.status IN {ACTIVE}
              AND tstzrange(a.start, a."end") && tstzrange(b.start, b."end")
              AND (a.group_session_id IS NULL OR b.group_session_id IS NULL
                   OR a.group_session_id <> b.group_session_id)"""
    )


def _couple_overlaps() -> int:
    return _count(
        f"""SELECT count(*) FROM clinic_sessions_appointment a
            JOIN clinic_sessions_appointment b ON a.id < b.id AND a.couple_id = b.couple_id
            WHERE a.status IN {ACTIVE} AND b.status IN {ACTIVE}
              AND tstzrange(a.start, a."end") && tstzrange(b.start, b."end")"""
    )


def _most_seats_in_a_room_at_once() -> int:
    return _count(
        f"""SELECT coalesce(max(n), 0) FROM (
              SELECT count(*) AS n FROM clinic_sessions_appointment
              WHERE status IN {ACTIVE} GROUP BY room_id, start) seats"""
    )


def _program(cast, by, couples, circle, name):
    values = {
        "name": name,
        "kind": "group",
        "starts_on": datetime.date.today(),
        "ends_on": datetime.date.today() + datetime.timedelta(days=30),
        "room": circle,
        "capacity": 6,
    }
    program = services.program_create(by=by, values=values, facilitators=[])
    for couple in couples:
        services.enrolment_add(program=program, couple=couple, by=by)
    return program


def _group_attempt(cast, program, start, circle):
    def attempt():
        return services.group_session_book(
            program=program,
            kind=GroupSession.Kind.PREPARATION,
            start=start,
            end=start + datetime.timedelta(hours=2),
            room=circle,
            by=cast.front_desk,
            outside_hours_reason=ANY_HOUR,
        )

    return attempt


def _couples(cast, count, prefix):
    return [group_couple(cast, f"{prefix}{i}a", f"{prefix}{i}b").couple for i in range(count)]


@pytest.mark.django_db(transaction=True)
def test_two_groups_racing_for_one_room_leave_exactly_one_group_in_it(cast):
    circle = group_room(cast, seats=3)
    # Different facilitators: the room is the only thing the two groups share.
    first = _program(cast, cast.clinician, _couples(cast, 3, "P"), circle, "Group one")
    second = _program(cast, cast.prescriber, _couples(cast, 3, "Q"), circle, "Group two")
    start = local(cast, tomorrow(cast) + datetime.timedelta(days=2), 10)
    attempts = [
        _group_attempt(cast, first if i % 2 else second, start, circle) for i in range(THREADS)
    ]
    won, refused = _race(attempts)
    assert len(won) == 1 and len(refused) == THREADS - 1
    assert GroupSession.objects.count() == 1
    assert Appointment.objects.filter(room=circle).count() == 3
    assert _room_shared_by_others() == 0
    assert _most_seats_in_a_room_at_once() <= circle.capacity


@pytest.mark.django_db(transaction=True)
def test_a_group_booking_and_single_bookings_of_its_couples_never_double_book_a_couple(cast):
    circle = group_room(cast, seats=4)
    couples = _couples(cast, 4, "R")
    program = _program(cast, cast.clinician, couples, circle, "Group three")
    start = local(cast, tomorrow(cast) + datetime.timedelta(days=2), 10)

    def single(couple, n):
        def attempt():
            return booking.appointment_book(
                couple=couple,
                kind=Appointment.Kind.OTHER,
                start=start + datetime.timedelta(minutes=15),
                end=start + datetime.timedelta(minutes=75),
                room=room(cast, f"Side room {n}"),
                clinicians=[cast.prescriber] if n % 2 else [cast.clinician_outside],
                by=cast.front_desk,
                outside_hours_reason=ANY_HOUR,
            )

        return attempt

    attempts = [_group_attempt(cast, program, start, circle) for _ in range(THREADS // 2)]
    attempts += [single(couples[n % 4], n) for n in range(THREADS // 2)]
    won, _refused = _race(attempts)
    assert won
    assert _couple_overlaps() == 0
    assert _room_shared_by_others() == 0
    assert GroupSession.objects.count() <= 1
