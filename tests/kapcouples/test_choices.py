"""A list's choice labels come from one dict per field, and say what Django's would."""

import pytest
from django.db import models

from integration.models import Reminder
from kapcouples.models import AccessLog


@pytest.mark.parametrize(
    "model,field_name", [(Reminder, "kind"), (Reminder, "status"), (AccessLog, "action")]
)
def test_every_choice_reads_as_djangos_own_label(model, field_name):
    field = model._meta.get_field(field_name)
    for value, _label in field.flatchoices:
        row = model(**{field.attname: value})
        django_label = models.Model._get_FIELD_display(row, field)
        assert getattr(row, f"get_{field_name}_display")() == django_label


def test_a_value_outside_the_choices_reads_as_itself():
    row = Reminder(kind="retired-kind")
    assert row.get_kind_display() == "retired-kind"
