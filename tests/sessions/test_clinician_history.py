"""Changing an appointment's clinicians keeps who was on it, when, and who changed it; the
live slots (which the overlap constraints read) show the current team only."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from sessions import services
from sessions.models import Appointment, AppointmentClinician
from tests.factories import StaffFactory
from tests.sessions.factories import book, local, room, tomorrow

PREP = Appointment.Kind.PREPARATION
HISTORY = AppointmentClinician.history


def reschedule(cast, appointment, start, clinicians, *, by=None):
    return services.appointment_reschedule(
        appointment=appointment,
        start=start,
        end=start + datetime.timedelta(minutes=60),
        room=room(cast),
        clinicians=clinicians,
        by=by or cast.front_desk,
    )


def test_booking_records_each_clinician_added_and_by_whom(cast):
    appointment = book(cast, PREP, local(cast, tomorrow(cast), 9))
    added = HISTORY.filter(appointment_id=appointment.pk)
    assert [(h.clinician_id, h.history_type) for h in added] == [(cast.clinician.pk, "+")]
    assert added.get().history_user == cast.front_desk


def test_taking_a_clinician_off_keeps_a_removed_row_with_who_and_when(cast):
    appointment = book(cast, PREP, local(cast, tomorrow(cast), 9))
    reschedule(cast, appointment, appointment.start, [cast.prescriber], by=cast.clinician)
    assert list(appointment.clinicians.all()) == [cast.prescriber]
    removed = HISTORY.get(appointment_id=appointment.pk, history_type="-")
    assert removed.clinician_id == cast.clinician.pk
    assert removed.history_user == cast.clinician
    assert (removed.start, removed.end) == (appointment.start, appointment.end)
    added = HISTORY.get(appointment_id=appointment.pk, clinician_id=cast.prescriber.pk)
    assert added.history_type == "+"


def test_moving_an_appointment_records_each_kept_slots_new_time(cast):
    appointment = book(cast, PREP, local(cast, tomorrow(cast), 9))
    later = local(cast, tomorrow(cast), 14)
    reschedule(cast, appointment, later, [cast.clinician])
    changes = HISTORY.filter(appointment_id=appointment.pk).order_by("history_date", "pk")
    assert [(h.history_type, h.start) for h in changes] == [
        ("+", appointment.start),
        ("~", later),
    ]


def test_a_removed_clinician_is_free_again_and_can_be_put_back(cast):
    day = tomorrow(cast)
    appointment = book(cast, PREP, local(cast, day, 9))
    reschedule(cast, appointment, appointment.start, [cast.prescriber])
    other = book(cast, PREP, local(cast, day, 9), couple=cast.other_couple, where=room(cast, "Oak"))
    assert list(other.clinicians.all()) == [cast.clinician]  # the overlap check saw the change
    services.appointment_cancel(appointment=other, reason="Unwell", by=cast.front_desk)
    reschedule(cast, appointment, appointment.start, [cast.prescriber, cast.clinician])
    assert set(appointment.clinicians.all()) == {cast.prescriber, cast.clinician}
    kinds = HISTORY.filter(appointment_id=appointment.pk, clinician_id=cast.clinician.pk)
    assert sorted(h.history_type for h in kinds) == ["+", "+", "-"]


def test_a_refused_change_writes_no_history(cast):
    appointment = book(cast, PREP, local(cast, tomorrow(cast), 9))
    before = HISTORY.count()
    outsider = StaffFactory(clinic=cast.other_clinic)
    with pytest.raises(services.DomainError):
        reschedule(cast, appointment, appointment.start, [cast.prescriber], by=outsider)
    assert HISTORY.count() == before
    assert list(appointment.clinicians.all()) == [cast.clinician]


def test_the_live_slots_still_refuse_a_double_booking_in_the_database(cast):
    day = tomorrow(cast)
    appointment = book(cast, PREP, local(cast, day, 9))
    reschedule(cast, appointment, appointment.start, [cast.prescriber])
    other = book(cast, PREP, local(cast, day, 9), couple=cast.other_couple, where=room(cast, "Oak"))
    slot = AppointmentClinician.objects.get(appointment=other)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AppointmentClinician._meta.db_table} SET clinician_id = %s WHERE id = %s",
            [cast.prescriber.pk, slot.pk],
        )
