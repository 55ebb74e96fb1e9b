"""Intake's panels on shared pages (the partner portal, the couple page)."""

from django import template
from django.utils import timezone

from intake import selectors, services
from intake.models import ScreeningSettings
from intake.readiness import current_intake, has_current_consent
from kapcouples import policy

register = template.Library()


@register.inclusion_tag("intake/panels/portal.html", takes_context=True)
def intake_portal_panel(context, partner):
    """The partner's screening tasks on their portal (their own, never the other partner's)."""
    request = context["request"]
    if partner is None or partner.user_id != request.user.pk:
        return {"show": False}
    today = timezone.localdate(timezone=partner.couple.clinic.zone)
    return {
        "show": True,
        "partner": partner,
        "draft": services.intake_draft(partner),
        "submitted": current_intake(partner),
        "due": [(code, code.lower()) for code in selectors.questionnaires_due(partner, on=today)],
        "consent_current": has_current_consent(partner),
        "request": request,
    }


@register.inclusion_tag("intake/panels/couple.html", takes_context=True)
def intake_couple_panel(context, couple):
    """Screening status of each partner on the couple page (what the viewer may see)."""
    request = context["request"]
    user = request.user
    if not policy.can_view_couple_statuses(user, couple):
        return {"show": False}
    partners = list(couple.partners.select_related("user", "couple__clinic"))
    settings = ScreeningSettings.for_clinic(couple.clinic_id)
    return {
        "show": True,
        "couple": couple,
        "summaries": [selectors.screening_summary(p, settings=settings) for p in partners],
        "clinical": policy.can_view_clinical(user, couple),
        "can_invite": policy.can_invite_partners(user, couple),
        "request": request,
    }
