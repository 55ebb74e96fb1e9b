"""The clinic admin edits the screening settings this app owns (history and audit kept)."""

from django.db import transaction

from intake.models import ScreeningSettings
from kapcouples import audit, policy
from kapcouples.models import User

EDITABLE_FIELDS = (
    "invitation_valid_days",
    "review_valid_days",
    "cssrs_valid_days",
    "break_glass_minutes",
    "clinic_phone",
    "crisis_line",
    "partners_see_their_scores",
)


@transaction.atomic
def screening_settings_update(
    *, by: User, clinic_id: int, values: dict, where: dict | None = None
) -> ScreeningSettings:
    """Change the clinic's screening settings; the history keeps the earlier values.

    Values the model refuses raise a ValidationError by field, for the form to show.
    """
    policy.ensure(policy.can_manage_clinic, by, clinic_id, to="change the screening settings")
    found = ScreeningSettings.objects.select_for_update().get(
        pk=ScreeningSettings.for_clinic(clinic_id).pk
    )
    changed = {name: value for name, value in values.items() if name in EDITABLE_FIELDS}
    for name, value in changed.items():
        setattr(found, name, value)
    found.full_clean()
    found.save()
    detail = "screening settings: " + (", ".join(sorted(changed)) or "no change")
    audit.record_change(by=by, clinic_id=clinic_id, obj=found, detail=detail, where=where)
    return found
