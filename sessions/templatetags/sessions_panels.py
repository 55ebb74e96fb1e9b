"""Sessions' panel on the couple page."""

from django import template
from django.utils import timezone

from kapcouples import policy
from kapcouples.prepared import PreparedRows
from sessions import selectors
from sessions.models import Appointment
from sessions.readiness import readiness_check

register = template.Library()
PANEL_APPOINTMENTS = 20
# Earlier appointments shown on the couple page; the whole history is on the chart.
PANEL_EARLIER = 3
# What the panel shows and derives of each appointment (its table, phase, next session).
SHOWN_FIELDS = ("kind", "start", "end", "status", "room__name", "medicine_record__status")
# The couple's appointments, oldest first; on every couple page, so its SQL is built once
# per process (kapcouples.prepared).
_APPOINTMENTS = PreparedRows(
    lambda _shape, couple_id: (
        selectors.appointments_for_couple(couple_id).only(*SHOWN_FIELDS).order_by("start", "pk")
    )
)


@register.inclusion_tag("sessions/panels/couple.html", takes_context=True)
def sessions_couple_panel(context, couple, screening=None):
    """Plan, phase, readiness checklist and appointments on the couple page.

    Front desk sees times, statuses and the checklist's titles; details are for the care team.
    `screening`: the page's `ScreeningFacts` of the couple's partners, when it has them.
    """
    request = context["request"]
    user = request.user
    if not policy.can_view_couple_statuses(user, couple):
        return {"visible": False}
    now = timezone.now()
    # One read of the couple's appointments (a program holds a few dozen) for the next
    # medicine session, the phase and the table.
    appointments = _APPOINTMENTS.rows(None, couple_id=couple.pk)
    upcoming = _next_medicine(appointments, now)
    readiness = readiness_check(
        couple=couple,
        start=upcoming.start if upcoming else now,
        appointment=upcoming,
        screening=screening,
        appointments=appointments,
    )
    plan = readiness.plan
    return {
        "visible": True,
        "request": request,
        "couple": couple,
        "phase": selectors.couple_phase(couple, plan=plan, appointments=appointments),
        "plan": plan,
        "readiness": readiness,
        "show_clinical": policy.can_view_clinical(user, couple),
        "may_override": policy.can_override_readiness(user, couple),
        **_appointment_rows(appointments, now),
    }


def _appointment_rows(appointments: list[Appointment], now) -> dict:
    """The couple's upcoming appointments, soonest first, and the last few before them
    (`appointments`: all of them, oldest first)."""
    earlier = [a for a in appointments if a.end < now]
    return {
        "appointments": [a for a in appointments if a.end >= now][:PANEL_APPOINTMENTS],
        "earlier": earlier[::-1][:PANEL_EARLIER],
    }


def _next_medicine(appointments: list[Appointment], now) -> Appointment | None:
    """The soonest booked medicine session still ahead (`appointments`: oldest first)."""
    return next(
        (
            a
            for a in appointments
            if a.kind == Appointment.Kind.MEDICINE
            and a.status in Appointment.ACTIVE_STATUSES
            and a.start >= now
        ),
        None,
    )
