"""Messaging's block on the couple page: the couple's conversations (care team only)."""

from django import template

from kapcouples import policy
from kapcouples.prepared import PreparedRows
from messaging import selectors

register = template.Library()
# The latest conversations on the couple page; the rest are in the inbox.
PANEL_CONVERSATIONS = 5
# On every couple page: its SQL built once per process (kapcouples.prepared).
_LATEST_CONVERSATIONS = PreparedRows(
    lambda _shape, couple_id, user_id: selectors.conversations_of_couple(couple_id, user_id)[
        :PANEL_CONVERSATIONS
    ]
)


@register.inclusion_tag("messaging/panels/couple.html", takes_context=True)
def messaging_couple_panel(context, couple):
    user = context["request"].user
    if not policy.can_view_clinical(user, couple):
        return {"visible": False}
    return {
        "visible": True,
        "couple": couple,
        "conversations": _LATEST_CONVERSATIONS.rows(None, couple_id=couple.pk, user_id=user.pk),
    }
