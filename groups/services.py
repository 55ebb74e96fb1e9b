"""Group programs: enrolment, booking a group session for every couple at once, group
notes, and how many couples a room seats.

Booking a group session takes its locks in the order every booking takes them: the
program, then the couples (by id), then the room, then the clinicians (inside
`sessions.services.appointment_book`, which books each couple's seat). So two bookings
cannot deadlock, cannot put two groups (or a group and anything else) in one room at
once, and cannot double-book a couple; PostgreSQL's exclusion constraints back this up.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from groups.models import GroupEnrolment, GroupNote, GroupProgram, GroupSession
from intake.models import Couple
from kapcouples import audit, policy
from kapcouples.models import Room, User
from kapcouples.services import DomainError
from sessions import services as booking
from sessions.models import Appointment
from sessions.readiness import BOOK, Readiness, readiness_check

# What each couple's seat is in its own appointment list. Sharing is not the couple's
# integration session: that stays per couple, booked afterwards as usual.
SEAT_KIND = {
    GroupSession.Kind.PREPARATION: Appointment.Kind.PREPARATION,
    GroupSession.Kind.MEDICINE: Appointment.Kind.MEDICINE,
    GroupSession.Kind.SHARING: Appointment.Kind.OTHER,
}


@dataclass(frozen=True)
class NotReadyCouple:
    couple: Couple
    readiness: Readiness


class CouplesNotReady(DomainError):
    """A group medicine session may not be booked: `couples` names each couple not ready
    with its readiness (what is unmet); nothing was booked."""

    def __init__(self, couples: list[NotReadyCouple]):
        names = "; ".join(f"{entry.couple}: {_unmet_titles(entry.readiness)}" for entry in couples)
        super().__init__(
            "Not every couple is ready for this medicine session, so nothing was booked. "
            f"Not ready: {names}. Book when each is ready, or withdraw a couple from the group."
        )
        self.couples = couples


class GroupConflicts(DomainError):
    """The time clashes with other bookings of the room, a facilitator or some couples."""

    def __init__(self, clashes: list[str]):
        super().__init__(
            "That time clashes, so nothing was booked: "
            + "; ".join(clashes)
            + ". Choose another time."
        )
        self.clashes = clashes


def _unmet_titles(readiness: Readiness) -> str:
    return ", ".join(f"{item.number}. {item.title}" for item in readiness.unmet)


def _validated(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error


# --- Programs and enrolment ----------------------------------------------------------------
@transaction.atomic
def program_create(*, by: User, values: dict, facilitators: list[User]) -> GroupProgram:
    """A new retreat or group program of `by`'s clinic; `by` is among its facilitators."""
    clinic_id = policy.staff_clinic_id(by)
    policy.ensure(policy.can_create_group_program, by, clinic_id, to="start a group program")
    program = GroupProgram(clinic_id=clinic_id, created_by=by, **values)
    if program.room.clinic_id != clinic_id or not program.room.is_active:
        raise DomainError(f"{program.room.name} is not an open room of this clinic.")
    team = {by.pk: by} | {f.pk: f for f in facilitators}
    for person in team.values():
        if not policy.can_create_group_program(person, clinic_id):
            raise DomainError(f"{person.get_full_name()} is not a clinician of this clinic.")
    _validated(program)
    program.save()
    program.facilitators.set(team.values())
    return program


def _locked_program(program: GroupProgram) -> GroupProgram:
    return GroupProgram.objects.select_for_update().select_related("room").get(pk=program.pk)


@transaction.atomic
def enrolment_add(*, program: GroupProgram, couple: Couple, by: User) -> GroupEnrolment:
    """Enrol a couple; the program's facilitators join its care team (they will run its
    group sessions, doses and discharges). Refused past the program's capacity, or while
    the couple is in another open program."""
    enrolment = GroupEnrolment(program=program, couple=couple, enrolled_by=by)
    policy.ensure(policy.can_enrol_couple, by, enrolment, to="enrol a couple in a group")
    program = _locked_program(program)
    if program.status != GroupProgram.Status.OPEN or couple.clinic_id != program.clinic_id:
        raise DomainError("Couples join only open programs of their own clinic.")
    if couple.status in (Couple.Status.COMPLETED, Couple.Status.WITHDRAWN):
        raise DomainError(
            f"{couple} has {couple.get_status_display().lower()} treatment: only couples in "
            "treatment join a group."
        )
    enrolled = program.enrolments.filter(status=GroupEnrolment.Status.ENROLLED)
    if enrolled.filter(couple=couple).exists():
        raise DomainError(f"{couple} is already in this program.")
    if enrolled.count() >= program.capacity:
        raise DomainError(
            f"{program.name} is full: it takes {program.capacity} couples. "
            "Withdraw a couple or raise the program's capacity first."
        )
    other = GroupEnrolment.objects.filter(couple=couple, status=GroupEnrolment.Status.ENROLLED)
    if other.exists():
        raise DomainError(f"{couple} is in another open program; withdraw them there first.")
    enrolment.program = program
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError as error:  # enrolled elsewhere by a concurrent request
        raise DomainError(f"{couple} was just enrolled in another program.") from error
    _facilitators_join_care_team(program, couple, by=by)
    return enrolment


def _facilitators_join_care_team(program: GroupProgram, couple: Couple, *, by: User) -> None:
    """The facilitators run the couple's group sessions (doses, vitals, discharge): they
    join its care team, and the clinic's audit log says who was added and why."""
    joining = list(program.facilitators.exclude(pk=couple.primary_clinician_id))
    joining = [f for f in joining if not couple.care_team.filter(pk=f.pk).exists()]
    if not joining:
        return
    couple.care_team.add(*joining)
    names = ", ".join(f.email for f in joining)
    detail = f"joined the care team as facilitators of group program {program.pk}: {names}"
    audit.record_change(by=by, clinic_id=couple.clinic_id, obj=couple, detail=detail)


@transaction.atomic
def enrolment_withdraw(*, enrolment: GroupEnrolment, reason: str, by: User) -> GroupEnrolment:
    """Take a couple out of the program, cancelling its seats in sessions still to come
    (its records of sessions held stay)."""
    policy.ensure(policy.can_enrol_couple, by, enrolment, to="withdraw a couple from a group")
    enrolment = GroupEnrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != GroupEnrolment.Status.ENROLLED:
        raise DomainError("This couple is no longer enrolled.")
    if not reason.strip():
        raise DomainError("Give the reason the couple leaves the group.")
    enrolment.status, enrolment.withdrawn_reason = GroupEnrolment.Status.WITHDRAWN, reason.strip()
    enrolment.save()
    seats = Appointment.objects.filter(
        couple_id=enrolment.couple_id,
        group_session__program_id=enrolment.program_id,
        status=Appointment.Status.BOOKED,
        start__gt=timezone.now(),
    )
    for seat in seats:
        booking.appointment_cancel(
            appointment=seat, reason=f"Left the group: {reason}"[:300], by=by
        )
    return enrolment


# --- Group sessions --------------------------------------------------------------------------
def _enrolled_couples_locked(program: GroupProgram) -> list[Couple]:
    """The enrolled couples, locked in id order (the order every booking locks couples)."""
    ids = program.enrolments.filter(status=GroupEnrolment.Status.ENROLLED).values("couple_id")
    return list(
        Couple.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("clinic")
        .prefetch_related("partners")
        .order_by("pk")
    )


def _check_room_seats(room: Room, couples: list[Couple]) -> Room:
    room = Room.objects.select_for_update().get(pk=room.pk)
    if room.clinic_id != couples[0].clinic_id or not room.is_active:
        raise DomainError(f"{room.name} is not an open room of this clinic.")
    if len(couples) > room.capacity:
        raise DomainError(
            f"{room.name} seats {room.capacity} couple(s) at once and {len(couples)} are "
            "enrolled: choose a larger room, or ask the clinic admin to set its seats."
        )
    return room


def _clashes(*, couples, start, end, room, clinicians) -> list[str]:
    """Every booking the new session would overlap, once each (room, facilitators, couples)."""
    clashes: list[str] = []
    for couple in couples:
        found = booking.find_conflict(
            start=start, end=end, room=room, couple=couple, clinicians=clinicians
        )
        if found:
            appointment, what = found
            line = f"{what} then ({booking.describe_appointment(appointment)})"
            if line not in clashes:
                clashes.append(line)
    return clashes


def _not_ready(couples: list[Couple], start: datetime.datetime) -> list[NotReadyCouple]:
    checked = [
        NotReadyCouple(c, readiness_check(couple=c, start=start, purpose=BOOK)) for c in couples
    ]
    return [entry for entry in checked if not entry.readiness.ready]


@transaction.atomic
def group_session_book(
    *,
    program: GroupProgram,
    kind: str,
    start: datetime.datetime,
    end: datetime.datetime,
    room: Room,
    by: User,
    outside_hours_reason: str = "",
    backdated_reason: str = "",
) -> GroupSession:
    """Book a group session for every enrolled couple at once, or for none.

    One seat (appointment) per couple with the facilitators, in one room that must seat
    them all. A medicine session runs each couple's readiness gate and refuses, naming
    every couple not ready and what it lacks; each seat then gets its own medicine-session
    record (its own doses, vitals, caps and discharge).
    """
    policy.ensure(policy.can_book_group_session, by, program, to="book a group session")
    program = _locked_program(program)
    if program.status != GroupProgram.Status.OPEN:
        raise DomainError("This program is closed.")
    couples = _enrolled_couples_locked(program)
    if not couples:
        raise DomainError("Enrol at least one couple before booking a group session.")
    room = _check_room_seats(room, couples)
    facilitators = list(program.facilitators.order_by("pk"))
    clashes = _clashes(couples=couples, start=start, end=end, room=room, clinicians=facilitators)
    if clashes:
        raise GroupConflicts(clashes)
    if kind == GroupSession.Kind.MEDICINE:
        not_ready = _not_ready(couples, start)
        if not_ready:
            raise CouplesNotReady(not_ready)
    session = GroupSession(
        program=program,
        kind=kind,
        start=start,
        end=end,
        room=room,
        room_capacity=room.capacity,
        seats_booked=len(couples),
        booked_by=by,
    )
    _validated(session)
    session.save()
    for couple in couples:
        booking.appointment_book(
            couple=couple,
            kind=SEAT_KIND[kind],
            start=start,
            end=end,
            room=room,
            clinicians=facilitators,
            by=by,
            outside_hours_reason=outside_hours_reason,
            backdated_reason=backdated_reason,
            group_session_id=session.pk,
        )
    return session


@transaction.atomic
def group_session_cancel(*, group_session: GroupSession, reason: str, by: User) -> GroupSession:
    """Cancel the session for everyone: each couple's seat is cancelled with the reason."""
    policy.ensure(
        policy.can_book_group_session, by, group_session.program, to="cancel a group session"
    )
    session = GroupSession.objects.select_for_update().get(pk=group_session.pk)
    if session.status != GroupSession.Status.BOOKED:
        raise DomainError("This group session is already cancelled.")
    if not reason.strip():
        raise DomainError("Give the reason the group session is cancelled.")
    session.status, session.cancel_reason = GroupSession.Status.CANCELLED, reason.strip()
    session.save()
    for seat in session.seats.filter(status=Appointment.Status.BOOKED):
        booking.appointment_cancel(appointment=seat, reason=session.cancel_reason, by=by)
    return session


# --- Group notes -----------------------------------------------------------------------------
def names_in_note(text: str, couples: list[Couple]) -> list[str]:
    """The partners' names (first or last, whole words) a group note mentions."""
    found = []
    for couple in couples:
        for partner in couple.partners.all():
            for name in (partner.first_name, partner.last_name):
                word = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
                if len(name) > 1 and word.search(text) and name not in found:
                    found.append(name)
    return found


@transaction.atomic
def group_note_add(*, group_session: GroupSession, text: str, by: User) -> GroupNote:
    """A facilitator's group-level note. It may not name a participant: what concerns one
    couple belongs in that couple's own integration note, which only its care team reads."""
    program = group_session.program
    policy.ensure(policy.can_manage_group_program, by, program, to="write a group note")
    couples = list(
        Couple.objects.filter(appointments__group_session=group_session)
        .distinct()
        .prefetch_related("partners")
    )
    named = names_in_note(text, couples)
    if named:
        raise DomainError(
            "A group note is read by every couple's care team, so it names no participant "
            f"(this one names {', '.join(named)}). Write about the group, and put what "
            "concerns one couple in that couple's own integration note."
        )
    note = GroupNote(group_session=group_session, text=text.strip(), author=by)
    _validated(note)
    note.save()
    return note


# --- Rooms -----------------------------------------------------------------------------------
@transaction.atomic
def room_capacity_set(*, room: Room, capacity: int, by: User) -> Room:
    """How many couples the room seats at once; never below a group session still to come."""
    policy.ensure(policy.can_set_room_capacity, by, room, to="set a room's seats")
    room = Room.objects.select_for_update().get(pk=room.pk)
    booked = GroupSession.objects.filter(
        room=room, status=GroupSession.Status.BOOKED, end__gt=timezone.now()
    ).order_by("-seats_booked")
    largest = booked.values_list("seats_booked", flat=True).first() or 1
    if capacity < largest:
        raise DomainError(
            f"A group session still to come seats {largest} couples in {room.name}: "
            f"the room needs at least {largest} seats, or move that session first."
        )
    room.capacity = capacity
    _validated(room)
    room.save(update_fields=["capacity"])
    return room
