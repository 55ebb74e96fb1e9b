"""Helpers for the sessions tests: plans, appointments at clinic-local times, ready couples."""

import datetime
from decimal import Decimal

from django.utils import timezone

from kapcouples.models import Room
from sessions import services
from sessions.models import Appointment, AppointmentClinician, Approach, SupportRole
from tests.factories import RoomFactory
from tests.intake.factories import make_screened


def local(cast, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """An aware datetime at `hour:minute` clinic time on `day`."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=cast.clinic.zone)


def tomorrow(cast) -> datetime.date:
    return timezone.localdate(timezone=cast.clinic.zone) + datetime.timedelta(days=1)


def room(cast, name: str = "Cedar") -> Room:
    return Room.objects.filter(clinic=cast.clinic, name=name).first() or RoomFactory(
        clinic=cast.clinic, name=name
    )


# Tests book relative to the clock, so at some hours outside the clinic's opening hours:
# `book` confirms that (the service stores it only where needed). Backdating is not
# confirmed for them: a test booking in the past says so with `backdated_reason`.
ANY_HOUR = "Booked by a test at whatever hour it runs"


def book(
    cast,
    kind,
    start,
    *,
    minutes=60,
    where=None,
    clinicians=None,
    couple=None,
    outside_hours_reason=ANY_HOUR,
    backdated_reason="",
):
    return services.appointment_book(
        couple=couple or cast.couple,
        kind=kind,
        start=start,
        end=start + datetime.timedelta(minutes=minutes),
        room=where or room(cast),
        clinicians=clinicians or [cast.clinician],
        by=cast.front_desk,
        outside_hours_reason=outside_hours_reason,
        backdated_reason=backdated_reason,
    )


def held(cast, kind, start, *, minutes=60, status=Appointment.Status.COMPLETED, couple=None):
    """An appointment already in the past (written directly, as history would have left it)."""
    appointment = Appointment.objects.create(
        clinic=cast.clinic,
        couple=couple or cast.couple,
        kind=kind,
        start=start,
        end=start + datetime.timedelta(minutes=minutes),
        room=room(cast, "History room"),
        status=status,
        booked_by=cast.front_desk,
    )
    AppointmentClinician.objects.create(
        appointment=appointment,
        clinician=cast.prescriber,
        start=appointment.start,
        end=appointment.end,
        is_active=appointment.is_active,
    )
    return appointment


def make_plan(cast, approach=Approach.DUAL_FULL, *, approved=True, sessions=3, **extra):
    values = {
        "goals": "Communicate more openly.",
        "approach": approach,
        "planned_medicine_sessions": sessions,
        "relational_intention": "To feel close again.",
        "discussion_topics": "Trust",
        "discussion_questions": "What do you need?",
        "opening_reflection": "We begin with gratitude.",
    }
    if approach == Approach.SOLO:
        values |= {
            "dosing_partner": cast.partner_a,
            "support_role": SupportRole.SITTER,
            "support_role_agreed": True,
        }
    values |= extra
    plan = services.plan_save(couple=cast.couple, by=cast.clinician, values=values)
    if approved:
        plan = services.plan_approve(plan=plan, by=cast.prescriber)
    return plan


def make_ready(cast, when: datetime.datetime, approach=Approach.DUAL_FULL, *, dose=Decimal("100")):
    """Everything the readiness gate asks for a medicine session at `when` (for booking)."""
    plan = make_plan(cast, approach)
    earlier = when - datetime.timedelta(days=20)
    held(cast, Appointment.Kind.ASSESSMENT, earlier)
    for days in (10, 5):
        held(cast, Appointment.Kind.PREPARATION, when - datetime.timedelta(days=days))
    on = when.astimezone(cast.clinic.zone).date()
    for partner in (cast.partner_a, cast.partner_b):
        make_screened(partner, prescriber=cast.prescriber, dose_mg=dose, on=on)
    return plan


def started_session(cast, approach=Approach.DUAL_FULL, *, dose=Decimal("100")):
    """A medicine session of today, started, with both partners screened.

    It started an hour ago, so the readings and doses a test records in the last hour
    fall after the start, never on the day before the one screened for (near midnight)."""
    from sessions import medicine

    start = timezone.now() - datetime.timedelta(minutes=60)
    make_ready(cast, start, approach, dose=dose)
    appointment = book(
        cast,
        Appointment.Kind.MEDICINE,
        start,
        minutes=240,
        backdated_reason="The test session began an hour ago",
    )
    session = appointment.medicine_record
    return medicine.medicine_session_start(session=session, by=cast.clinician, at=start)
