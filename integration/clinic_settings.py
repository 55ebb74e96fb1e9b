"""The clinic admin edits the message settings this app owns (history and audit kept)."""

from django.db import transaction

from integration.models import MessagingSettings
from integration.outbox import messaging_settings_for
from kapcouples import audit, policy
from kapcouples.models import User

EDITABLE_FIELDS = (
    "appointment_reminder_hours",
    "preparation_instructions_hours",
    "checkin_days",
    "intake_nudge_days",
    "intake_overdue_alert_days",
    "expiry_alert_days",
    "quiet_start",
    "quiet_end",
    "preparation_guidance",
    "sms_enabled",
    "questionnaire_schedule",
)


@transaction.atomic
def messaging_settings_update(
    *, by: User, clinic_id: int, values: dict, where: dict | None = None
) -> MessagingSettings:
    """Change the clinic's message timing, quiet hours and questionnaire schedule. Messages
    already in the outbox keep their times; new ones follow the new settings.

    Values the model refuses raise a ValidationError by field, for the form to show.
    """
    policy.ensure(policy.can_manage_clinic, by, clinic_id, to="change the message settings")
    found = MessagingSettings.objects.select_for_update().get(
        pk=messaging_settings_for(clinic_id).pk
    )
    changed = {name: value for name, value in values.items() if name in EDITABLE_FIELDS}
    for name, value in changed.items():
        setattr(found, name, value)
    found.full_clean()
    found.save()
    detail = "message settings: " + (", ".join(sorted(changed)) or "no change")
    audit.record_change(by=by, clinic_id=clinic_id, obj=found, detail=detail, where=where)
    return found
