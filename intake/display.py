"""Intake answers as labelled rows for read-only pages (the form's own labels and choices)."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _

from intake.forms import INTAKE_STEPS


@dataclass(frozen=True)
class AnswerRow:
    label: str
    value: str


def _shown(field: forms.Field, value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "\n".join(str(line) for line in value)
    choices = dict(getattr(field, "choices", []) or [])
    return str(choices.get(value, value))


def answer_sections(answers: dict) -> list[tuple[str, list[AnswerRow]]]:
    """[(step title, rows)] in step order; unanswered steps show as empty."""
    sections = []
    for slug, form_class in INTAKE_STEPS.items():
        form = form_class()
        saved = answers.get(slug, {})
        rows = [
            AnswerRow(str(field.label), _shown(field, saved.get(name)))
            for name, field in form.fields.items()
        ]
        sections.append((form_class.title, rows))
    return sections
