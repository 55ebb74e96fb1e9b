"""Group programs: enrolment, booking a group session for every couple at once (room
seats, conflicts, the readiness gate per couple), group notes, withdrawal."""

import datetime

import pytest

from groups import services
from groups.models import GroupEnrolment, GroupNote, GroupSession
from intake.models import Couple
from kapcouples.models import AccessLog, Role
from kapcouples.policy import NotAllowed
from kapcouples.services import DomainError
from sessions import services as booking
from sessions.models import Appointment, MedicineSession
from tests.factories import StaffFactory
from tests.groups.helpers import (
    book_group,
    group_couple,
    group_room,
    make_group_ready,
    make_program,
)
from tests.sessions.factories import book, local, room, tomorrow

PREP = GroupSession.Kind.PREPARATION
MEDICINE = GroupSession.Kind.MEDICINE


@pytest.fixture
def trio(cast):
    """Three couples of the clinic (as casts seen from each), not yet enrolled."""
    return [
        group_couple(cast, "Ana", "Ben"),
        group_couple(cast, "Cleo", "Dev"),
        group_couple(cast, "Eli", "Fay"),
    ]


def _later(days=3, hour=10):
    return lambda cast: local(cast, tomorrow(cast) + datetime.timedelta(days=days), hour)


def test_booking_gives_every_enrolled_couple_a_seat_in_one_room_with_the_facilitators(cast, trio):
    program = make_program(cast, [v.couple for v in trio])
    start = _later()(cast)
    session = book_group(cast, program, PREP, start)
    seats = list(session.seats.order_by("couple_id"))
    assert [s.couple_id for s in seats] == sorted(v.couple.pk for v in trio)
    assert {s.room_id for s in seats} == {program.room_id}
    assert all(s.kind == Appointment.Kind.PREPARATION and s.start == start for s in seats)
    assert all(list(s.clinicians.all()) == [cast.clinician] for s in seats)
    assert session.seats_booked == 3 and session.room_capacity == 6


def test_nothing_else_may_use_the_room_of_a_group_session(cast, trio):
    program = make_program(cast, [v.couple for v in trio])
    start = _later()(cast)
    book_group(cast, program, PREP, start)
    outsider = group_couple(cast, "Gus", "Hal")
    with pytest.raises(booking.ConflictError, match="Circle room is already booked"):
        book(
            cast,
            Appointment.Kind.OTHER,
            start,
            where=program.room,
            couple=outsider.couple,
            clinicians=[cast.clinician_outside],
        )


def test_a_room_too_small_for_the_couples_is_refused_with_its_seats(cast, trio):
    small = group_room(cast, seats=2, name="Small room")
    program = make_program(cast, [v.couple for v in trio], room=small)
    with pytest.raises(DomainError, match="Small room seats 2 couple"):
        book_group(cast, program, PREP, _later()(cast))
    assert (
        not GroupSession.objects.exists()
        and not Appointment.objects.filter(group_session__isnull=False).exists()
    )


def test_a_couple_already_booked_then_blocks_the_whole_group_and_is_named(cast, trio):
    program = make_program(cast, [v.couple for v in trio])
    start = _later()(cast)
    elsewhere = room(cast, "Elsewhere")
    book(
        cast,
        Appointment.Kind.OTHER,
        start,
        where=elsewhere,
        couple=trio[1].couple,
        clinicians=[cast.prescriber],
    )
    with pytest.raises(services.GroupConflicts, match="This couple already has an appointment"):
        book_group(cast, program, PREP, start)
    assert not GroupSession.objects.exists()


def test_a_busy_facilitator_blocks_the_group_session(cast, trio):
    program = make_program(cast, [v.couple for v in trio])
    start = _later()(cast)
    other = group_couple(cast, "Ivy", "Jo")
    book(cast, Appointment.Kind.OTHER, start, where=room(cast, "Elsewhere"), couple=other.couple)
    with pytest.raises(services.GroupConflicts, match="Casey Clinician is already booked"):
        book_group(cast, program, PREP, start)


def test_the_medicine_gate_runs_per_couple_and_names_each_couple_not_ready(cast, trio):
    program = make_program(cast, [v.couple for v in trio])
    start = _later(days=25)(cast)
    make_group_ready(trio[0], start)
    make_group_ready(trio[2], start)
    with pytest.raises(services.CouplesNotReady) as refused:
        book_group(cast, program, MEDICINE, start, minutes=240)
    assert [entry.couple for entry in refused.value.couples] == [trio[1].couple]
    assert "Cleo & Dev" in str(refused.value) and "1. " in str(refused.value)
    assert "Ana & Ben" not in str(refused.value)
    assert not Appointment.objects.filter(kind=Appointment.Kind.MEDICINE).exists()


def test_each_ready_couple_gets_its_own_medicine_session_record(cast, trio):
    program = make_program(cast, [v.couple for v in trio])
    start = _later(days=25)(cast)
    for view in trio:
        make_group_ready(view, start)
    session = book_group(cast, program, MEDICINE, start, minutes=240)
    records = MedicineSession.objects.filter(appointment__group_session=session)
    assert sorted(r.couple_id for r in records) == sorted(v.couple.pk for v in trio)


def test_group_preparations_count_for_each_couples_readiness(cast, trio):
    couples = [v.couple for v in trio[:2]]
    program = make_program(cast, couples)
    medicine_at = _later(days=25)(cast)
    for view in trio[:2]:
        make_group_ready(view, medicine_at)
    Appointment.objects.filter(kind=Appointment.Kind.PREPARATION).delete()
    with pytest.raises(services.CouplesNotReady, match=r"4\. "):
        book_group(cast, program, MEDICINE, medicine_at, minutes=240)
    for days in (8, 4):
        book_group(cast, program, PREP, medicine_at - datetime.timedelta(days=days))
    session = book_group(cast, program, MEDICINE, medicine_at, minutes=240)
    record = MedicineSession.objects.get(appointment__group_session=session, couple=couples[0])
    assert record.linked_appointments.filter(kind=Appointment.Kind.PREPARATION).count() == 2


def test_a_seat_keeps_the_groups_time(cast, trio):
    program = make_program(cast, [v.couple for v in trio])
    session = book_group(cast, program, PREP, _later()(cast))
    seat = session.seats.first()
    with pytest.raises(DomainError, match="seat of a group session"):
        booking.appointment_reschedule(
            appointment=seat,
            start=seat.start + datetime.timedelta(hours=3),
            end=seat.end + datetime.timedelta(hours=3),
            room=seat.room,
            clinicians=[cast.clinician],
            by=cast.front_desk,
        )


def test_cancelling_the_group_session_cancels_every_seat(cast, trio):
    program = make_program(cast, [v.couple for v in trio])
    session = book_group(cast, program, PREP, _later()(cast))
    services.group_session_cancel(
        group_session=session, reason="Facilitator ill", by=cast.front_desk
    )
    assert set(session.seats.values_list("status", flat=True)) == {Appointment.Status.CANCELLED}


# --- Enrolment -------------------------------------------------------------------------------
def test_facilitators_join_the_care_team_of_each_couple_enrolled(cast, trio):
    program = make_program(cast, [])
    program.facilitators.add(cast.prescriber)
    newcomer = StaffFactory(clinic=cast.clinic, role=Role.CLINICIAN)
    program.facilitators.add(newcomer)
    services.enrolment_add(program=program, couple=trio[0].couple, by=cast.clinician)
    assert newcomer in trio[0].couple.care_team.all()
    logged = AccessLog.objects.get(user=cast.clinician, detail__contains="joined the care team")
    assert newcomer.email in logged.detail
    assert cast.prescriber.email not in logged.detail  # already on the team


def test_a_couple_whose_treatment_ended_joins_no_group(cast, trio):
    program = make_program(cast, [])
    Couple.objects.filter(pk=trio[0].couple.pk).update(status=Couple.Status.WITHDRAWN)
    trio[0].couple.refresh_from_db()
    with pytest.raises(DomainError, match="withdrawn treatment"):
        services.enrolment_add(program=program, couple=trio[0].couple, by=cast.clinician)


def test_a_couple_is_in_one_open_program_at_a_time(cast, trio):
    make_program(cast, [trio[0].couple])
    second = make_program(cast, [], name="Autumn group")
    with pytest.raises(DomainError, match="in another open program"):
        services.enrolment_add(program=second, couple=trio[0].couple, by=cast.clinician)


def test_a_program_takes_no_more_couples_than_its_capacity(cast, trio):
    program = make_program(cast, [v.couple for v in trio[:2]], capacity=2)
    with pytest.raises(DomainError, match="is full: it takes 2 couples"):
        services.enrolment_add(program=program, couple=trio[2].couple, by=cast.clinician)


def test_only_a_facilitator_on_the_couples_care_team_enrols_it(cast, trio):
    program = make_program(cast, [])
    for user in (cast.front_desk, cast.clinician_outside, cast.other_clinic_clinician):
        with pytest.raises(NotAllowed):
            services.enrolment_add(program=program, couple=trio[0].couple, by=user)
    assert not GroupEnrolment.objects.exists()


def test_withdrawing_a_couple_cancels_its_seats_to_come_only(cast, trio):
    program = make_program(cast, [v.couple for v in trio])
    session = book_group(cast, program, PREP, _later()(cast))
    enrolment = GroupEnrolment.objects.get(couple=trio[0].couple)
    services.enrolment_withdraw(enrolment=enrolment, reason="Moving away", by=cast.clinician)
    statuses = dict(session.seats.values_list("couple_id", "status"))
    assert statuses[trio[0].couple.pk] == Appointment.Status.CANCELLED
    assert statuses[trio[1].couple.pk] == Appointment.Status.BOOKED


# --- Group notes -----------------------------------------------------------------------------
def test_a_group_note_that_names_a_participant_is_refused(cast, trio):
    program = make_program(cast, [v.couple for v in trio])
    session = book_group(cast, program, PREP, _later()(cast))
    with pytest.raises(DomainError, match=r"names no participant .*this one names Cleo"):
        services.group_note_add(
            group_session=session, text="cleo spoke of her panic", by=cast.clinician
        )
    note = services.group_note_add(
        group_session=session, text="The group settled well.", by=cast.clinician
    )
    assert list(GroupNote.objects.all()) == [note]


def test_only_facilitators_write_group_notes(cast, trio):
    program = make_program(cast, [v.couple for v in trio])
    session = book_group(cast, program, PREP, _later()(cast))
    for user in (cast.front_desk, cast.prescriber, trio[0].partner_a.user):
        with pytest.raises(NotAllowed):
            services.group_note_add(group_session=session, text="Fine.", by=user)


# --- Rooms -----------------------------------------------------------------------------------
def test_a_rooms_seats_cannot_drop_below_a_group_session_to_come(cast, trio):
    program = make_program(cast, [v.couple for v in trio])
    book_group(cast, program, PREP, _later()(cast))
    with pytest.raises(DomainError, match="needs at least 3 seats"):
        services.room_capacity_set(room=program.room, capacity=2, by=cast.clinic_admin)
    with pytest.raises(NotAllowed):
        services.room_capacity_set(room=program.room, capacity=8, by=cast.clinician)
    assert (
        services.room_capacity_set(room=program.room, capacity=3, by=cast.clinic_admin).capacity
        == 3
    )
