"""Helpers for the preparation tests: an upcoming medicine session of the cast's couple."""

import datetime

from django.utils import timezone

from sessions.models import Appointment, Approach, MedicineSession
from sessions.protocol import protocol_for
from tests.sessions.factories import make_plan, room

ESCORT = {
    "escort_name": "Robin Okoro",
    "escort_phone": "+1 415 555 0101",
    "escort_relationship": "friend",
}


def upcoming_session(cast, approach=Approach.DUAL_FULL, *, days=3, plan=True) -> MedicineSession:
    """A booked medicine session `days` from now, with an approved plan of `approach`."""
    if plan:
        make_plan(cast, approach)
    start = timezone.now() + datetime.timedelta(days=days)
    appointment = Appointment.objects.create(
        clinic=cast.clinic,
        couple=cast.couple,
        kind=Appointment.Kind.MEDICINE,
        start=start,
        end=start + datetime.timedelta(hours=4),
        room=room(cast),
        booked_by=cast.front_desk,
    )
    solo = approach == Approach.SOLO
    return MedicineSession.objects.create(
        appointment=appointment,
        couple=cast.couple,
        approach=approach,
        dosing_partner=cast.partner_a if solo else None,
        support_role="sitter" if solo else "",
        route="sublingual",
    )


def checklist(cast) -> list[str]:
    return protocol_for(cast.clinic.pk).checklist_items
