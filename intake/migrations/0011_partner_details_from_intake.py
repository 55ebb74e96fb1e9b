"""Partners whose intake was submitted before submitting filled in their record: copy the
contact answers of the version in force, as `intake.services.partner_fill_from_intake`
now does on submit, and keep a history row for each change."""

import datetime

from django.db import migrations
from django.utils import timezone

FIELDS = {
    "date_of_birth": ("about", "date_of_birth"),
    "phone": ("about", "phone"),
    "emergency_contact_name": ("emergency", "emergency_contact_name"),
    "emergency_contact_phone": ("emergency", "emergency_contact_phone"),
}


def _answer(intake, field):
    step, answer = FIELDS[field]
    value = (intake.answers or {}).get(step, {}).get(answer)
    if value in (None, ""):
        return None
    return datetime.date.fromisoformat(value) if field == "date_of_birth" else value


def fill(apps, schema_editor):
    IntakeForm = apps.get_model("intake", "IntakeForm")
    HistoricalPartner = apps.get_model("intake", "HistoricalPartner")
    for intake in IntakeForm.objects.filter(status="submitted").select_related("partner"):
        partner = intake.partner
        changed = [
            field
            for field in FIELDS
            if _answer(intake, field) is not None and getattr(partner, field) != _answer(intake, field)
        ]
        if not changed:
            continue
        for field in changed:
            setattr(partner, field, _answer(intake, field))
        partner.save(update_fields=changed)
        values = {f.attname: getattr(partner, f.attname) for f in partner._meta.concrete_fields}
        HistoricalPartner.objects.create(
            **values,
            history_date=timezone.now(),
            history_type="~",
            history_change_reason="Filled from the submitted intake",
        )


class Migration(migrations.Migration):
    dependencies = [("intake", "0010_partner_quiet_hours")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
