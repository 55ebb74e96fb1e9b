"""Booking through the service: conflicts named, back-to-back allowed, lifecycle rules."""

import datetime

import pytest
import time_machine

from kapcouples.models import Role
from kapcouples.services import DomainError
from sessions import services
from sessions.models import Appointment, AppointmentClinician
from tests.factories import CoupleFactory, StaffFactory
from tests.sessions.factories import book, local, room, tomorrow

PREP = Appointment.Kind.PREPARATION


def test_it_books_an_appointment_with_its_clinicians(cast):
    start = local(cast, tomorrow(cast), 9)
    appointment = book(cast, PREP, start, clinicians=[cast.clinician, cast.prescriber])
    assert appointment.status == Appointment.Status.BOOKED
    assert set(appointment.clinicians.all()) == {cast.clinician, cast.prescriber}
    assert appointment.clinic == cast.clinic


def test_it_refuses_a_room_overlap_and_names_the_conflicting_appointment(cast):
    day = tomorrow(cast)
    first = book(cast, PREP, local(cast, day, 9, 30))
    with pytest.raises(services.ConflictError) as error:
        book(
            cast,
            PREP,
            local(cast, day, 10),
            couple=cast.other_couple,
            clinicians=[cast.prescriber],
        )
    message = str(error.value)
    assert f"#{first.pk}" in message
    assert "Cedar is already booked" in message
    assert "09:30–10:30" in message
    assert error.value.conflicting == first
    assert Appointment.objects.count() == 1


def test_it_refuses_a_clinician_overlap_in_another_room(cast):
    day = tomorrow(cast)
    book(cast, PREP, local(cast, day, 9))
    with pytest.raises(services.ConflictError, match="Casey Clinician is already booked"):
        book(cast, PREP, local(cast, day, 9, 30), couple=cast.other_couple, where=room(cast, "Oak"))


def test_a_clinician_overlap_names_the_appointment_holding_the_clinician(cast):
    day = tomorrow(cast)
    first = book(cast, PREP, local(cast, day, 9))
    with pytest.raises(services.ConflictError) as error:
        book(cast, PREP, local(cast, day, 9, 30), couple=cast.other_couple, where=room(cast, "Oak"))
    assert error.value.conflicting == first
    assert f"#{first.pk}" in str(error.value) and "in Cedar" in str(error.value)


def test_it_refuses_a_couple_overlap_with_other_staff_and_room(cast):
    day = tomorrow(cast)
    book(cast, PREP, local(cast, day, 9))
    with pytest.raises(services.ConflictError, match="This couple already has an appointment"):
        book(
            cast,
            PREP,
            local(cast, day, 9, 59),
            where=room(cast, "Oak"),
            clinicians=[cast.prescriber],
        )


def test_it_allows_back_to_back_appointments(cast):
    day = tomorrow(cast)
    book(cast, PREP, local(cast, day, 9))
    book(cast, PREP, local(cast, day, 10))
    assert Appointment.objects.count() == 2


def test_a_cancelled_appointment_frees_its_slot(cast):
    day = tomorrow(cast)
    first = book(cast, PREP, local(cast, day, 9))
    services.appointment_cancel(appointment=first, reason="Couple unwell", by=cast.front_desk)
    book(cast, PREP, local(cast, day, 9))
    assert not AppointmentClinician.objects.get(appointment=first).is_active


def test_cancelling_needs_a_reason(cast):
    appointment = book(cast, PREP, local(cast, tomorrow(cast), 9))
    with pytest.raises(DomainError, match="reason"):
        services.appointment_cancel(appointment=appointment, reason="  ", by=cast.front_desk)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_it_refuses_a_clinician_of_another_clinic(cast):
    with pytest.raises(DomainError, match="not a clinician of this clinic"):
        book(cast, PREP, local(cast, tomorrow(cast), 9), clinicians=[cast.other_clinic_clinician])


def test_it_refuses_front_desk_as_the_clinician(cast):
    with pytest.raises(DomainError, match="not a clinician"):
        book(cast, PREP, local(cast, tomorrow(cast), 9), clinicians=[cast.front_desk])


def test_checking_first_refuses_a_clinician_who_cannot_be_booked(cast):
    with pytest.raises(DomainError, match="not a clinician of this clinic"):
        services.appointment_check(
            couple=cast.couple,
            kind=PREP,
            start=local(cast, tomorrow(cast), 9),
            end=local(cast, tomorrow(cast), 10),
            room=room(cast),
            clinicians=[cast.clinician, cast.front_desk],
        )


def test_a_refused_clinician_leaves_no_booking(cast):
    clinicians = [cast.clinician, cast.front_desk]
    with pytest.raises(DomainError, match="not a clinician"):
        book(cast, PREP, local(cast, tomorrow(cast), 9), clinicians=clinicians)
    assert not Appointment.objects.exists()


def test_rescheduling_checks_overlaps_but_not_against_itself(cast):
    day = tomorrow(cast)
    first = book(cast, PREP, local(cast, day, 9))
    other = book(cast, PREP, local(cast, day, 11), couple=cast.other_couple)
    moved = services.appointment_reschedule(
        appointment=first,
        start=local(cast, day, 9, 30),
        end=local(cast, day, 10, 30),
        room=first.room,
        clinicians=[cast.clinician],
        by=cast.front_desk,
    )
    assert moved.start == local(cast, day, 9, 30)
    assert AppointmentClinician.objects.get(appointment=first).start == moved.start
    with pytest.raises(services.ConflictError, match=f"#{other.pk}"):
        services.appointment_reschedule(
            appointment=first,
            start=local(cast, day, 10, 30),
            end=local(cast, day, 11, 30),
            room=first.room,
            clinicians=[cast.clinician],
            by=cast.front_desk,
        )


def test_check_in_happens_on_the_day_and_no_show_once_started(cast):
    start = local(cast, tomorrow(cast), 9)
    appointment = book(cast, PREP, start)
    with pytest.raises(DomainError, match="day of the appointment"):
        services.appointment_check_in(appointment=appointment, by=cast.front_desk)
    with pytest.raises(DomainError, match="once it has started"):
        services.appointment_mark_no_show(appointment=appointment, by=cast.front_desk)
    with time_machine.travel(start + datetime.timedelta(minutes=10)):
        services.appointment_mark_no_show(appointment=appointment, by=cast.front_desk)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW
    book(cast, PREP, start)  # the slot is free again


def test_checked_in_appointments_complete_and_cannot_be_cancelled(cast):
    start = local(cast, tomorrow(cast), 9)
    appointment = book(cast, PREP, start)
    with time_machine.travel(start - datetime.timedelta(minutes=10)):
        services.appointment_check_in(appointment=appointment, by=cast.front_desk)
        with pytest.raises(DomainError, match="not yet checked in"):
            services.appointment_cancel(appointment=appointment, reason="x", by=cast.front_desk)
    with time_machine.travel(start + datetime.timedelta(minutes=50)):
        services.appointment_complete(appointment=appointment, by=cast.clinician)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.COMPLETED


@pytest.mark.parametrize("who", ["front_desk", "clinician_outside", "clinic_admin"])
def test_only_the_care_team_marks_an_appointment_held(cast, who):
    start = local(cast, tomorrow(cast), 9)
    appointment = book(cast, PREP, start)
    refused = pytest.raises(DomainError, match="rule: can_complete_appointment")
    with time_machine.travel(start + datetime.timedelta(minutes=50)), refused:
        services.appointment_complete(appointment=appointment, by=cast.user(who))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_integration_and_preparation_link_to_their_medicine_session(cast):
    from tests.sessions.factories import make_ready

    day = tomorrow(cast) + datetime.timedelta(days=7)
    when = local(cast, day, 10)
    make_ready(cast, when)
    medicine = book(cast, Appointment.Kind.MEDICINE, when, minutes=240)
    session = medicine.medicine_record
    integration = book(cast, Appointment.Kind.INTEGRATION, when + datetime.timedelta(days=1))
    assert integration.medicine_session == session
    assert session.linked_appointments.filter(kind=PREP).count() == 2


def test_a_couple_of_another_clinic_is_not_bookable_in_this_clinics_room(cast):
    stranger = CoupleFactory(clinic=cast.other_clinic)
    clinician = StaffFactory(clinic=cast.other_clinic)
    their_desk = StaffFactory(clinic=cast.other_clinic, role=Role.FRONT_DESK)
    start = local(cast, tomorrow(cast), 9)
    with pytest.raises(DomainError, match="not an open room of this clinic"):
        services.appointment_book(
            couple=stranger,
            kind=PREP,
            start=start,
            end=start + datetime.timedelta(hours=1),
            room=room(cast),
            clinicians=[clinician],
            by=their_desk,
        )


def test_this_clinics_front_desk_cannot_book_another_clinics_couple(cast):
    stranger = CoupleFactory(clinic=cast.other_clinic)
    with pytest.raises(DomainError, match="rule: can_book"):
        book(cast, PREP, local(cast, tomorrow(cast), 9), couple=stranger)
    assert not Appointment.objects.filter(couple=stranger).exists()


def test_preparations_move_to_the_new_medicine_session_when_one_is_cancelled(cast):
    from tests.sessions.factories import make_ready

    when = local(cast, tomorrow(cast) + datetime.timedelta(days=7), 10)
    make_ready(cast, when)
    first = book(cast, Appointment.Kind.MEDICINE, when, minutes=240)
    services.appointment_cancel(appointment=first, reason="Unwell", by=cast.front_desk)
    second = book(cast, Appointment.Kind.MEDICINE, when + datetime.timedelta(days=1), minutes=240)
    preps = Appointment.objects.filter(kind=PREP)
    assert {p.medicine_session_id for p in preps} == {second.medicine_record.pk}
