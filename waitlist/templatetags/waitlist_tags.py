from django import template
from django.utils import timezone

from kapcouples import policy
from sessions.models import Appointment
from waitlist import selectors

register = template.Library()


@register.inclusion_tag("waitlist/_slot_card.html", takes_context=True)
def waitlist_slot_card(context) -> dict:
    """On a cancelled appointment's page: how many waiting couples its freed time matches."""
    appointment, user = context["appointment"], context["request"].user
    shown = (
        appointment.status == Appointment.Status.CANCELLED
        and appointment.start > timezone.now()
        and policy.can_offer_slots(user, appointment.clinic_id)
    )
    if not shown:
        return {"shown": False}
    matches = selectors.matching_entries(appointment, user)
    offered = appointment.slot_offers.exists()
    return {"shown": True, "count": len(matches), "offered": offered, "appointment": appointment}
