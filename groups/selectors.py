"""Reads of group programs, each scoped to the user who asks.

The roster shows each couple's readiness for the program's next group medicine session:
the care team of that couple sees the unmet items in full, everyone else (front desk, a
clinician of another enrolled couple) sees the item titles only, as front desk does on
the couple pages.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from groups.models import GroupEnrolment, GroupNote, GroupProgram, GroupSession
from intake.models import Couple
from kapcouples import policy
from kapcouples.models import Role, User
from sessions.models import Appointment
from sessions.readiness import BOOK, Readiness, readiness_check


def programs_for_user(user: User) -> QuerySet[GroupProgram]:
    """Front desk: every program of the clinic. Clinicians: those they facilitate or where
    a couple of their care team is enrolled."""
    clinic_id = policy.staff_clinic_id(user)
    programs = GroupProgram.objects.filter(clinic_id=clinic_id)
    if policy.role_of(user) != Role.FRONT_DESK:
        enrolled = GroupEnrolment.objects.filter(status=GroupEnrolment.Status.ENROLLED).filter(
            Q(couple__primary_clinician=user) | Q(couple__care_team=user)
        )
        programs = programs.filter(
            Q(facilitators=user) | Q(pk__in=enrolled.values("program_id"))
        ).distinct()
    return (
        programs.select_related("room")
        .annotate(
            enrolled=Count(
                "enrolments",
                filter=Q(enrolments__status=GroupEnrolment.Status.ENROLLED),
                distinct=True,
            )
        )
        .order_by("-starts_on", "name")
    )


@dataclass
class RosterRow:
    enrolment: GroupEnrolment
    clinical: bool  # may this reader see the couple's unmet items in full?
    visible: bool  # its names and statuses (no: a clinician of another couple of the group)
    readiness: Readiness | None
    seats: int
    integration_booked: bool | None  # None: no group medicine session held yet

    @property
    def couple(self) -> Couple:
        return self.enrolment.couple

    @property
    def unmet(self) -> list[str]:
        if self.readiness is None:
            return []
        return [
            f"{item.number}. {item.title}"
            + (": " + " ".join(item.problems) if self.clinical or not item.clinical else "")
            for item in self.readiness.unmet
        ]


@dataclass
class ProgramSheet:
    program: GroupProgram
    sessions: list[GroupSession]
    roster: list[RosterRow]
    next_medicine: GroupSession | None
    may_manage: bool
    may_book: bool
    facilitators: list[User] = field(default_factory=list)


def program_sheet(program: GroupProgram, user: User) -> ProgramSheet:
    sessions = list(
        program.sessions.select_related("room").annotate(
            seats_active=Count("seats", filter=Q(seats__status__in=Appointment.ACTIVE_STATUSES))
        )
    )
    now = timezone.now()
    medicine = [s for s in sessions if s.is_medicine and s.status == GroupSession.Status.BOOKED]
    upcoming = next((s for s in medicine if s.end > now), None)
    held = [s for s in medicine if s.start <= now]
    enrolments = list(
        program.enrolments.filter(status=GroupEnrolment.Status.ENROLLED)
        .select_related("couple__clinic", "couple__primary_clinician")
        .prefetch_related("couple__partners", "couple__care_team")
    )
    seats = _seat_counts(program)
    integrations = _integration_booked(enrolments, held[-1].start if held else None)
    roster = [
        RosterRow(
            enrolment=e,
            clinical=policy.can_view_clinical(user, e.couple),
            visible=policy.can_view_couple_statuses(user, e.couple),
            readiness=_readiness(e.couple, upcoming, _booking_moment(sessions, now)),
            seats=seats.get(e.couple_id, 0),
            integration_booked=integrations.get(e.couple_id) if held else None,
        )
        for e in enrolments
    ]
    return ProgramSheet(
        program=program,
        sessions=sessions,
        roster=roster,
        next_medicine=upcoming,
        may_manage=policy.can_manage_group_program(user, program),
        may_book=policy.can_book_group_session(user, program),
        facilitators=list(program.facilitators.order_by("full_name")),
    )


def _seat_counts(program: GroupProgram) -> dict[int, int]:
    rows = (
        Appointment.objects.active()
        .filter(group_session__program=program)
        .values("couple_id")
        .annotate(n=Count("pk"))
    )
    return {row["couple_id"]: row["n"] for row in rows}


def _integration_booked(enrolments, since: datetime.datetime | None) -> dict[int, bool]:
    if since is None:
        return {}
    booked = set(
        Appointment.objects.active()
        .filter(
            couple_id__in=[e.couple_id for e in enrolments],
            kind=Appointment.Kind.INTEGRATION,
            start__gt=since,
        )
        .values_list("couple_id", flat=True)
    )
    return {e.couple_id: e.couple_id in booked for e in enrolments}


def _booking_moment(sessions: list[GroupSession], now) -> datetime.datetime:
    """With no group medicine session booked: the first moment one could follow every
    group session booked (so booked group preparations count), and no sooner than
    tomorrow."""
    ends = [s.end for s in sessions if s.status == GroupSession.Status.BOOKED]
    return max([now + datetime.timedelta(days=1), *ends])


def _readiness(couple: Couple, upcoming: GroupSession | None, then) -> Readiness:
    """For the next group medicine session (its seat left out of the counts), or, with
    none booked, for one booked at `then`. One couple's reads: a roster holds at most
    the program's capacity (24) couples."""
    if upcoming is None:
        return readiness_check(couple=couple, start=then, purpose=BOOK)
    seat = Appointment.objects.filter(group_session=upcoming, couple=couple).first()
    return readiness_check(couple=couple, start=upcoming.start, purpose=BOOK, appointment=seat)


@dataclass
class SeatRow:
    seat: Appointment
    clinical: bool
    visible: bool


def session_sheet(group_session: GroupSession, user: User) -> dict:
    seats = list(
        group_session.seats.select_related("medicine_record", "couple__clinic")
        .prefetch_related("couple__partners", "couple__care_team")
        .order_by("couple_id")
    )
    program = group_session.program
    may_read_notes = policy.can_manage_group_program(user, program) or any(
        policy.can_view_clinical(user, seat.couple) for seat in seats
    )
    notes = (
        list(GroupNote.objects.filter(group_session=group_session).select_related("author"))
        if may_read_notes
        else []
    )
    return {
        "group_session": group_session,
        "program": program,
        "seats": [
            SeatRow(
                s,
                policy.can_view_clinical(user, s.couple),
                policy.can_view_couple_statuses(user, s.couple),
            )
            for s in seats
        ],
        "notes": notes,
        "may_read_notes": may_read_notes,
        "may_write_notes": policy.can_manage_group_program(user, program),
        "may_book": policy.can_book_group_session(user, program),
    }


@dataclass
class PartnerGroupSession:
    session: GroupSession
    own_seat: Appointment | None
    others: list[str]  # first names of the other participants, if the clinic shares them


def partner_group_sessions(user: User) -> list[PartnerGroupSession]:
    """The group sessions of the partner's own program(s): times, room and their own
    seat; the other participants' first names only where the program shares them."""
    couple_id = user.partner_profile.couple_id
    programs = GroupProgram.objects.filter(
        enrolments__couple_id=couple_id, enrolments__status=GroupEnrolment.Status.ENROLLED
    )
    sessions = (
        GroupSession.objects.filter(program__in=programs, status=GroupSession.Status.BOOKED)
        .select_related("room", "program")
        .prefetch_related(
            Prefetch(
                "seats",
                queryset=Appointment.objects.active().prefetch_related("couple__partners"),
            )
        )
        .order_by("start")
    )
    return [_partner_view(s, couple_id) for s in sessions]


def _partner_view(session: GroupSession, couple_id: int) -> PartnerGroupSession:
    seats = list(session.seats.all())
    own = next((s for s in seats if s.couple_id == couple_id), None)
    others = []
    if session.program.share_first_names:
        others = [
            p.first_name for s in seats if s.couple_id != couple_id for p in s.couple.partners.all()
        ]
    return PartnerGroupSession(session=session, own_seat=own, others=others)


@dataclass
class NotReadyRow:
    couple: Couple
    unmet: list[str]


def not_ready_rows(couples, user: User) -> list[NotReadyRow]:
    """The couples a group medicine booking found not ready, each with its unmet items:
    in full for its care team, titles (and non-clinical detail) for anyone else."""
    rows = []
    for entry in couples:
        row = RosterRow(
            enrolment=GroupEnrolment(couple=entry.couple),
            clinical=policy.can_view_clinical(user, entry.couple),
            visible=True,
            readiness=entry.readiness,
            seats=0,
            integration_booked=None,
        )
        rows.append(NotReadyRow(couple=entry.couple, unmet=row.unmet))
    return rows
