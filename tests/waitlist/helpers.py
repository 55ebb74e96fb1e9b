"""Waitlist objects for the standard cast, made through the services."""

import datetime

from django.utils import timezone

from integration.outbox import messaging_settings_for
from sessions import services as booking
from sessions.models import Appointment, AppointmentClinician
from tests.factories import CoupleFactory, PartnerFactory
from tests.sessions.factories import book, local, room, tomorrow
from waitlist import services
from waitlist.models import ALL_TIMES, TimeOfDay, values_of


def no_quiet_hours(cast) -> None:
    """Messages due now go now, whatever the hour the test runs at."""
    settings = messaging_settings_for(cast.clinic.pk)
    settings.quiet_start = settings.quiet_end = datetime.time(0, 0)
    settings.save()


def cancelled_slot(cast, kind=Appointment.Kind.PREPARATION, *, hour=10, couple=None) -> Appointment:
    """Another couple's appointment tomorrow at `hour` (clinic time), cancelled."""
    if couple is None:
        couple = CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician)
        PartnerFactory(couple=couple, slot=1)
    start = local(cast, tomorrow(cast), hour)
    if kind == Appointment.Kind.MEDICINE:  # that couple's readiness is not this test's point
        return _cancelled_record(cast, kind, start, couple)
    appointment = book(cast, kind, start, couple=couple)
    return booking.appointment_cancel(appointment=appointment, reason="Ill", by=cast.front_desk)


def _cancelled_record(cast, kind, start, couple) -> Appointment:
    appointment = Appointment.objects.create(
        clinic=cast.clinic,
        couple=couple,
        kind=kind,
        start=start,
        end=start + datetime.timedelta(hours=3),
        room=room(cast),
        status=Appointment.Status.CANCELLED,
        cancel_reason="Ill",
        booked_by=cast.front_desk,
    )
    AppointmentClinician.objects.create(
        appointment=appointment,
        clinician=cast.clinician,
        start=appointment.start,
        end=appointment.end,
        is_active=False,
    )
    return appointment


def wait(cast, couple=None, kind=Appointment.Kind.PREPARATION, **extra):
    """Put a couple (the cast's by default) on the waitlist: any day, any time, from today."""
    values = {
        "weekdays": list(range(7)),
        "times_of_day": values_of(ALL_TIMES, len(TimeOfDay)),
        "earliest_date": timezone.localdate(timezone=cast.clinic.zone),
    }
    values.update(extra)
    return services.entry_add(couple=couple or cast.couple, kind=kind, by=cast.front_desk, **values)


def second_couple(cast):
    """A third couple of the clinic with two partners, for competing offers."""
    couple = CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician)
    PartnerFactory(couple=couple, slot=1)
    PartnerFactory(couple=couple, slot=2)
    return couple
