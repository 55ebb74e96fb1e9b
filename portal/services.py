"""Writes from the partner's portal: their own profile."""

from django.db import transaction
from django.utils.translation import gettext as _

from intake.models import Partner
from integration.outbox import reminders_follow_partner
from kapcouples import policy
from kapcouples.services import DomainError

PROFILE_FIELDS = (
    "phone",
    "emergency_contact_name",
    "emergency_contact_phone",
    "preferred_channel",
    "timezone",
    "quiet_start",
    "quiet_end",
    "language",
)
# A change of these moves the partner's pending reminders (zone, quiet hours, channel).
DELIVERY_FIELDS = {"phone", "preferred_channel", "timezone", "quiet_start", "quiet_end"}


@transaction.atomic
def partner_profile_update(*, partner: Partner, by, changes: dict) -> Partner:
    """Save the partner's own contact details and reminder preferences (kept in the
    partner's history); their pending reminders follow the new zone, hours and channel."""
    policy.ensure(policy.can_edit_own_profile, by, partner, to="change these details")
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise DomainError(_("These fields cannot be changed here: %(names)s.") % {"names": names})
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    for name, value in changes.items():
        setattr(partner, name, value)
    partner.full_clean()
    partner.save(update_fields=list(changes) or None)
    if DELIVERY_FIELDS & set(changes):
        reminders_follow_partner(partner=partner)
    return partner
