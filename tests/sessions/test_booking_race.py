"""20 threads book overlapping slots at once on PostgreSQL: exactly one wins."""

import datetime
import threading

import pytest
from django.db import connection, connections

from kapcouples.models import Role
from sessions import services
from sessions.models import Appointment
from tests.factories import CoupleFactory, PartnerFactory, RoomFactory, StaffFactory
from tests.sessions.factories import local, tomorrow

THREADS = 20


def _race(attempts) -> tuple[list, list]:
    """Run each attempt in its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(attempts))
    won, refused, crashed = [], [], []

    def run(attempt):
        try:
            barrier.wait()
            won.append(attempt())
        except services.ConflictError as error:
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


def _overlapping_pairs(column: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*) FROM clinic_sessions_appointment a
                JOIN clinic_sessions_appointment b ON a.id < b.id AND a.{column} = b.{column}
                WHERE a.status IN ('booked','checked_in','completed')
                  AND b.status IN ('booked','checked_in','completed')
                  AND tstzrange(a.start, a."end") && tstzrange(b.start, b."end")"""
        )
        return cursor.fetchone()[0]


def _couples(cast, count):
    couples = []
    for _ in range(count):
        couple = CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician)
        PartnerFactory(couple=couple)
        couples.append(couple)
    return couples


def _attempt(cast, couple, start, room, clinician):
    def book():
        return services.appointment_book(
            couple=couple,
            kind=Appointment.Kind.PREPARATION,
            start=start,
            end=start + datetime.timedelta(minutes=60),
            room=room,
            clinicians=[clinician],
            by=cast.front_desk,
        )

    return book


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_booking_one_room_leave_exactly_one_booking(cast):
    room = RoomFactory(clinic=cast.clinic, name="Contested room")
    day = tomorrow(cast)
    couples = _couples(cast, THREADS)
    clinicians = [StaffFactory(clinic=cast.clinic, role=Role.CLINICIAN) for _ in range(THREADS)]
    attempts = [
        # Every slot overlaps every other: starts spread over 09:00–09:19, one hour long.
        _attempt(cast, couples[i], local(cast, day, 9, i), room, clinicians[i])
        for i in range(THREADS)
    ]
    won, refused = _race(attempts)
    assert len(won) == 1
    assert len(refused) == THREADS - 1
    assert all("Contested room is already booked" in str(error) for error in refused)
    assert Appointment.objects.filter(room=room).count() == 1
    assert _overlapping_pairs("room_id") == 0


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_booking_one_clinician_leave_exactly_one_booking(cast):
    day = tomorrow(cast)
    couples = _couples(cast, THREADS)
    rooms = [RoomFactory(clinic=cast.clinic) for _ in range(THREADS)]
    attempts = [
        _attempt(cast, couples[i], local(cast, day, 14, i), rooms[i], cast.prescriber)
        for i in range(THREADS)
    ]
    won, refused = _race(attempts)
    assert len(won) == 1
    assert len(refused) == THREADS - 1
    assert Appointment.objects.filter(clinician_slots__clinician=cast.prescriber).count() == 1
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM clinic_sessions_appointmentclinician a
               JOIN clinic_sessions_appointmentclinician b
                 ON a.id < b.id AND a.clinician_id = b.clinician_id
               WHERE a.is_active AND b.is_active
                 AND tstzrange(a.start, a."end") && tstzrange(b.start, b."end")"""
        )
        assert cursor.fetchone()[0] == 0
