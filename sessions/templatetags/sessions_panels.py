"""Sessions' panel on the couple page."""

from django import template
from django.utils import timezone

from kapcouples import policy
from sessions import selectors
from sessions.models import Appointment
from sessions.readiness import readiness_check

register = template.Library()
PANEL_APPOINTMENTS = 20
# Earlier appointments shown on the couple page; the whole history is on the chart.
PANEL_EARLIER = 3


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
    upcoming = _next_medicine(couple)
    readiness = readiness_check(
        couple=couple,
        start=upcoming.start if upcoming else timezone.now(),
        appointment=upcoming,
        screening=screening,
    )
    return {
        "visible": True,
        "request": request,
        "couple": couple,
        "phase": selectors.couple_phase(couple, plan=readiness.plan),
        "plan": readiness.plan,
        "readiness": readiness,
        "show_clinical": policy.can_view_clinical(user, couple),
        "may_override": policy.can_override_readiness(user, couple),
        **_appointment_rows(couple),
    }


def _appointment_rows(couple) -> dict:
    """The couple's upcoming appointments, soonest first, and the last few before them."""
    now = timezone.now()
    appointments = selectors.appointments_for_couple(couple)
    return {
        "appointments": appointments.filter(end__gte=now).order_by("start")[:PANEL_APPOINTMENTS],
        "earlier": appointments.filter(end__lt=now)[:PANEL_EARLIER],
    }


def _next_medicine(couple) -> Appointment | None:
    return (
        Appointment.objects.active()
        .filter(couple=couple, kind=Appointment.Kind.MEDICINE, start__gte=timezone.now())
        .order_by("start")
        .first()
    )
