"""Group programs for tests: couples of the cast's clinic, ready or not, enrolled in a
program facilitated by the cast's clinician (who is every such couple's primary clinician)."""

import datetime
from dataclasses import replace

from groups import services
from groups.models import GroupProgram
from intake.models import Couple
from kapcouples.models import Room
from sessions.models import Appointment
from tests.factories import CoupleFactory, PartnerFactory, RoomFactory
from tests.intake.factories import make_screened
from tests.sessions.factories import ANY_HOUR, make_plan


def group_couple(cast, first_a: str, first_b: str, *, last: str = ""):
    """A new couple of the clinic (care team: the cast's clinician and prescriber), as a
    cast seen from that couple: `view.couple`, `view.partner_a`, `view.partner_b`."""
    couple = CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician)
    couple.care_team.add(cast.prescriber)
    last = last or f"{first_a}son"
    a = PartnerFactory(couple=couple, slot=1, first_name=first_a, last_name=last)
    b = PartnerFactory(couple=couple, slot=2, first_name=first_b, last_name=last)
    return replace(cast, couple=couple, partner_a=a, partner_b=b)


def _held(view, kind, start, room: Room) -> Appointment:
    return Appointment.objects.create(
        clinic=view.clinic,
        couple=view.couple,
        kind=kind,
        start=start,
        end=start + datetime.timedelta(minutes=60),
        room=room,
        status=Appointment.Status.COMPLETED,
        booked_by=view.front_desk,
    )


def make_group_ready(view, when: datetime.datetime) -> None:
    """Everything the readiness gate asks of this couple for a medicine session at `when`:
    an approved plan, an assessment and two preparations held (in a room of its own, so
    the couples' histories never share a room), both partners screened."""
    make_plan(view)
    room = RoomFactory(clinic=view.clinic)
    _held(view, Appointment.Kind.ASSESSMENT, when - datetime.timedelta(days=20), room)
    for days in (10, 5):
        _held(view, Appointment.Kind.PREPARATION, when - datetime.timedelta(days=days), room)
    on = when.astimezone(view.clinic.zone).date()
    for partner in (view.partner_a, view.partner_b):
        make_screened(partner, prescriber=view.prescriber, on=on)


def group_room(cast, seats: int = 6, name: str = "Circle room") -> Room:
    found = Room.objects.filter(clinic=cast.clinic, name=name).first()
    return found or RoomFactory(clinic=cast.clinic, name=name, capacity=seats)


def make_program(cast, couples: list[Couple], *, room: Room | None = None, **values):
    fields = {
        "name": "Spring retreat",
        "kind": GroupProgram.Kind.RETREAT,
        "starts_on": datetime.date.today(),
        "ends_on": datetime.date.today() + datetime.timedelta(days=60),
        "room": room or group_room(cast),
        "capacity": 6,
    } | values
    program = services.program_create(by=cast.clinician, values=fields, facilitators=[])
    for couple in couples:
        services.enrolment_add(program=program, couple=couple, by=cast.clinician)
    return program


def book_group(cast, program, kind, start, *, minutes=120, room=None, by=None, backdated=""):
    return services.group_session_book(
        program=program,
        kind=kind,
        start=start,
        end=start + datetime.timedelta(minutes=minutes),
        room=room or program.room,
        by=by or cast.front_desk,
        outside_hours_reason=ANY_HOUR,
        backdated_reason=backdated,
    )
