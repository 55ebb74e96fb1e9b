"""Messaging's block on the couple page: the couple's conversations (care team only)."""

from django import template

from kapcouples import policy
from messaging import selectors

register = template.Library()
# The latest conversations on the couple page; the rest are in the inbox.
PANEL_CONVERSATIONS = 5


@register.inclusion_tag("messaging/panels/couple.html", takes_context=True)
def messaging_couple_panel(context, couple):
    user = context["request"].user
    if not policy.can_view_clinical(user, couple):
        return {"visible": False}
    conversations = selectors.conversations_of_couple(couple, user)
    return {
        "visible": True,
        "couple": couple,
        "conversations": list(conversations[:PANEL_CONVERSATIONS]),
    }
