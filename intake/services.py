"""Writes to couples and partners."""

from django.db import transaction

from intake.models import Partner
from kapcouples.services import DomainError

__all__ = ["DomainError", "partner_update_contact"]

CONTACT_FIELDS = (
    "phone",
    "emergency_contact_name",
    "emergency_contact_phone",
    "preferred_channel",
    "timezone",
)


@transaction.atomic
def partner_update_contact(*, partner: Partner, changes: dict) -> Partner:
    """Update a partner's own contact details; the change is kept in the history."""
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    for field, value in changes.items():
        setattr(partner, field, value)
    partner.full_clean()
    partner.save(update_fields=list(changes))
    return partner
