"""Integration's panels on shared pages (the partner portal, the couple page)."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from intake import selectors as intake_selectors
from integration import reflection, selectors
from kapcouples import policy

register = template.Library()
# The latest answered check-ins on the couple page; every one is on the chart's timeline.
PANEL_CHECKINS = 5


def questionnaire_url(partner, code: str) -> str | None:
    """Intake's page for answering an instrument, if that app offers one."""
    try:
        return reverse("intake:questionnaire_fill", kwargs={"partner_id": partner.pk, "code": code})
    except NoReverseMatch:
        return None


@register.inclusion_tag("integration/panels/portal.html", takes_context=True)
def integration_portal_panel(context, partner, screening=None):
    """The partner's check-ins and due questionnaires on their portal.

    `screening`: the page's intake `ScreeningFacts` holding this partner, when it has them."""
    user = context["request"].user
    if not policy.can_view_partner_private(user, partner):
        return {"visible": False}
    # Instruments never answered are already on intake's task list above this panel.
    today = timezone.localdate(timezone=partner.couple.clinic.zone)
    listed = set(intake_selectors.questionnaires_due(partner, on=today, facts=screening))
    dues = [due for due in selectors.questionnaires_due_for(partner) if due.code not in listed]
    return {
        "visible": True,
        "partner": partner,
        "open_checkins": selectors.open_checkins_of_partner(partner),
        "answered": selectors.shared_checkins_for_partner(user, partner),
        "dues": [(due, questionnaire_url(partner, due.code)) for due in dues],
        "viewer_id": user.pk,
    }


@register.inclusion_tag("integration/panels/couple.html", takes_context=True)
def integration_couple_panel(context, couple):
    """Check-ins, integration notes and alerts on the couple page (care team only)."""
    user = context["request"].user
    if not policy.can_view_clinical(user, couple):
        return {"visible": False}
    checkins = selectors.checkins_of_couple(couple).exclude(answered_at=None).order_by("-due_at")
    partners = list(couple.partners.all())
    dues = selectors.questionnaires_due_of(partners)
    return {
        "visible": True,
        "couple": couple,
        "checkins": selectors.answered_checkins(user, checkins[:PANEL_CHECKINS]),
        "notes": selectors.notes_of_couple(couple),
        "unwritten": selectors.integration_appointments_without_note(couple),
        "alerts": selectors.open_alerts_of_couple(couple),
        "dues": [(partner, dues[partner.pk]) for partner in partners],
    }


@register.inclusion_tag("integration/reflection_portal_card.html", takes_context=True)
def reflection_portal_card(context, partner):
    """The couple's latest reflection on the partner's portal: an invitation to write their
    part, or a link to read it (partners only: the portal shows it to its own partner)."""
    user = context.request.user  # drawn inside another panel: no "request" variable
    if not (user.is_authenticated and partner.user_id == user.pk):
        return {"visible": False}
    latest, invited = reflection.portal_reflection(partner, timezone.now())
    return {"visible": latest is not None, "invited": invited, "latest": latest}


@register.inclusion_tag("integration/reflection_couple_card.html", takes_context=True)
def reflection_couple_card(context, couple):
    """The couple's reflections on the couple page: the words only where they are shared."""
    user = context.request.user  # drawn inside another panel: no "request" variable
    if not policy.can_view_clinical(user, couple):
        return {"visible": False}
    return {"visible": True, "rows": reflection.reflections_for_care_team(user, couple)}
