"""Links into the audit log, shown only to those the policy lets read it."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from kapcouples import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def who_opened_link(context, couple) -> str:
    """A link to the audit log filtered to `couple`, for the clinic's admin; nothing for
    anyone else (the care team does not read the log: DESIGN §1 gives it to the admin)."""
    user = context["request"].user
    if not policy.can_read_audit_log(user, couple.clinic_id):
        return ""
    url = f"{reverse('audit_log')}?couple={couple.pk}"
    return format_html('<p class="small"><a href="{}">Who opened this record</a></p>', url)
