"""Integration's panels on shared pages (the partner portal, the couple page)."""

from django import template

from integration import reflection, selectors
from kapcouples import policy
from kapcouples.prepared import PreparedRows

register = template.Library()
# The latest answered check-ins on the couple page; every one is on the chart's timeline.
PANEL_CHECKINS = 5

# The couple page's reads, their SQL built once per process: only the couple's id changes
# from one couple page to the next (kapcouples.prepared).
_LATEST_CHECKINS = PreparedRows(
    lambda _shape, couple_id: (
        selectors.checkins_of_couple(couple_id)
        .exclude(answered_at=None)
        .order_by("-due_at")[:PANEL_CHECKINS]
    )
)
_NOTES = PreparedRows(lambda _shape, couple_id: selectors.notes_of_couple(couple_id))
_UNWRITTEN = PreparedRows(
    lambda _shape, couple_id: selectors.integration_appointments_without_note(couple_id)
)
_ALERTS = PreparedRows(lambda _shape, couple_id: selectors.open_alerts_of_couple(couple_id))


@register.inclusion_tag("integration/panels/portal.html", takes_context=True)
def integration_portal_panel(context, partner):
    """The couple's answered check-ins on a partner's portal: their own answers, and the
    other partner's shared ones. What is still to answer is on the portal's due list."""
    user = context["request"].user
    if not policy.can_view_partner_private(user, partner):
        return {"visible": False}
    return {
        "visible": True,
        "answered": selectors.shared_checkins_for_partner(user, partner),
        "viewer_id": user.pk,
    }


@register.inclusion_tag("integration/panels/couple.html", takes_context=True)
def integration_couple_panel(context, couple):
    """Check-ins, integration notes and alerts on the couple page (care team only)."""
    user = context["request"].user
    if not policy.can_view_clinical(user, couple):
        return {"visible": False}
    partners = list(couple.partners.all())
    dues = selectors.questionnaires_due_of(partners)
    checkins = _LATEST_CHECKINS.rows(None, couple_id=couple.pk)
    return {
        "visible": True,
        "couple": couple,
        "checkins": selectors.answered_checkins(user, checkins),
        "notes": _NOTES.rows(None, couple_id=couple.pk),
        "unwritten": _UNWRITTEN.rows(None, couple_id=couple.pk),
        "alerts": _ALERTS.rows(None, couple_id=couple.pk),
        "dues": [(partner, dues[partner.pk]) for partner in partners],
    }


@register.inclusion_tag("integration/reflection_couple_card.html", takes_context=True)
def reflection_couple_card(context, couple):
    """The couple's reflections on the couple page: the words only where they are shared."""
    user = context.request.user  # drawn inside another panel: no "request" variable
    if not policy.can_view_clinical(user, couple):
        return {"visible": False}
    return {"visible": True, "rows": reflection.reflections_for_care_team(user, couple)}
