"""Objects for this app's URL parameters in the URL walk (tests/kapcouples/test_url_access.py)."""

import datetime

from django.utils import timezone

from groups.models import GroupEnrolment, GroupProgram, GroupSession
from tests.factories import RoomFactory


def url_kwargs(cast) -> dict:
    if not hasattr(cast, "_groups_walk"):
        cast._groups_walk = _objects(cast)
    return cast._groups_walk


def _objects(cast) -> dict:
    circle = RoomFactory(clinic=cast.clinic, capacity=4)
    program = GroupProgram.objects.create(
        clinic=cast.clinic,
        name="Walk group",
        starts_on=datetime.date.today(),
        ends_on=datetime.date.today() + datetime.timedelta(days=30),
        room=circle,
        capacity=4,
        created_by=cast.clinician,
    )
    program.facilitators.add(cast.clinician)
    enrolment = GroupEnrolment.objects.create(
        program=program, couple=cast.other_couple, enrolled_by=cast.clinician
    )
    start = timezone.now() + datetime.timedelta(days=5)
    session = GroupSession.objects.create(
        program=program,
        kind=GroupSession.Kind.SHARING,
        start=start,
        end=start + datetime.timedelta(hours=2),
        room=circle,
        room_capacity=4,
        seats_booked=1,
        booked_by=cast.front_desk,
    )
    return {
        "program_id": program.pk,
        "enrolment_id": enrolment.pk,
        "group_session_id": session.pk,
    }
