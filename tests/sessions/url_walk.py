"""Objects for this app's URL parameters in the URL walk (tests/kapcouples/test_url_access.py)."""

import datetime

from django.utils import timezone

from sessions.models import (
    Appointment,
    CalendarFeed,
    CoupleAgendaItem,
    MedicineSession,
    VitalSigns,
)
from tests.factories import RoomFactory


def url_kwargs(cast) -> dict:
    # The walk asks more than once per test: make the objects once per cast.
    if not hasattr(cast, "_sessions_walk"):
        cast._sessions_walk = _objects(cast)
    return cast._sessions_walk


def _objects(cast) -> dict:
    start = timezone.now() + datetime.timedelta(days=2)
    appointment = Appointment.objects.create(
        clinic=cast.clinic,
        couple=cast.couple,
        kind=Appointment.Kind.MEDICINE,
        start=start,
        end=start + datetime.timedelta(hours=4),
        room=RoomFactory(clinic=cast.clinic),
        booked_by=cast.front_desk,
    )
    session = MedicineSession.objects.create(
        appointment=appointment, couple=cast.couple, approach="dual_full", route="sublingual"
    )
    vitals = VitalSigns.objects.create(
        medicine_session=session,
        partner=cast.partner_a,
        moment="pre_dose",
        systolic=120,
        diastolic=80,
        heart_rate=70,
        spo2=98,
        level="normal",
        recorded_by=cast.clinician,
    )
    feed = CalendarFeed.objects.create(clinician=cast.clinician)
    agenda_item = CoupleAgendaItem.objects.create(
        couple=cast.couple, text="What we avoid saying", partner=cast.partner_a
    )
    return {
        "appointment_id": appointment.pk,
        "session_id": session.pk,
        "vitals_id": vitals.pk,
        "feed_token": feed.token,
        "agenda_item_id": agenda_item.pk,
    }
