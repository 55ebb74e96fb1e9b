"""iCalendar (.ics) for one appointment and for a clinician's secret feed.

Titles carry the appointment kind and the couple's initials only: a calendar app on a
phone is not the place for names or clinical detail.
"""

import datetime
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from sessions.models import Appointment
from sessions.services import couple_initials

PRODID = "-//KAP Couples//Appointments//EN"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(appointment: Appointment, *, title: str) -> Event:
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@kapcouples")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.start.astimezone(datetime.UTC))
    event.add("dtend", appointment.end.astimezone(datetime.UTC))
    event.add("summary", title)
    event.add("location", appointment.room.name)
    cancelled = appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def staff_title(appointment: Appointment) -> str:
    return f"{appointment.get_kind_display()} – {couple_initials(appointment.couple)}"


def partner_title(appointment: Appointment) -> str:
    return f"{appointment.get_kind_display()} appointment ({appointment.clinic.name})"


def appointment_ics(appointment: Appointment, *, for_partner: bool) -> bytes:
    calendar = _calendar(appointment.clinic.name)
    title = partner_title(appointment) if for_partner else staff_title(appointment)
    calendar.add_component(_event(appointment, title=title))
    return calendar.to_ical()


def feed_ics(name: str, appointments: Iterable[Appointment]) -> bytes:
    calendar = _calendar(name)
    for appointment in appointments:
        calendar.add_component(_event(appointment, title=staff_title(appointment)))
    return calendar.to_ical()
