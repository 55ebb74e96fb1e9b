"""Answers as labelled rows for read-only pages: intake steps (the form's own labels and
choices), questionnaires (the instrument's), and a partner's result in plain words."""

from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake import instruments
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


# --- Questionnaires -------------------------------------------------------------------------
@dataclass(frozen=True)
class QuestionRow:
    number: int
    text: str
    answer: str
    asked: bool


def question_rows(instrument: instruments.Instrument, answers: Sequence) -> list[QuestionRow]:
    """Each question with the label of its answer, or "Not asked" where the skip logic left
    it out (stored as None; never shown as "No")."""
    rows, answered = [], {}
    for item, value in zip(instrument.items, answers, strict=False):
        answered[item.number] = value
        asked = value is not None or instruments.is_asked(item, answered)
        rows.append(QuestionRow(item.number, item.text, _answer(item, value, asked), asked))
    return rows


def _answer(item: instruments.Item, value, asked: bool) -> str:
    if not asked:
        return gettext("Not asked (skipped after question %(number)s was no)") % {
            "number": item.asked_after_yes_to
        }
    labels = {option.value: option.label for option in item.options}
    return labels.get(value, "—" if value is None else str(value))


# What a partner reads about their own result, where the clinic shows scores. Never a
# code, flag or C-SSRS risk band: the crisis box speaks to risk (questionnaire_detail).
_PLAIN_RESULTS = {
    ("PHQ-9", "minimal"): _("Your answers suggest few or no symptoms of depression."),
    ("PHQ-9", "mild"): _("Your answers suggest mild symptoms of depression."),
    ("PHQ-9", "moderate"): _("Your answers suggest moderate symptoms of depression."),
    ("PHQ-9", "moderately severe"): _(
        "Your answers suggest moderately severe symptoms of depression."
    ),
    ("PHQ-9", "severe"): _("Your answers suggest severe symptoms of depression."),
    ("GAD-7", "minimal"): _("Your answers suggest few or no symptoms of anxiety."),
    ("GAD-7", "mild"): _("Your answers suggest mild symptoms of anxiety."),
    ("GAD-7", "moderate"): _("Your answers suggest moderate symptoms of anxiety."),
    ("GAD-7", "severe"): _("Your answers suggest severe symptoms of anxiety."),
    ("PCL-5", "below threshold"): _(
        "Your answers are below the level that usually points to post-traumatic stress."
    ),
    ("PCL-5", "probable PTSD"): _(
        "Your answers suggest symptoms of post-traumatic stress that are worth talking "
        "through with your care team."
    ),
    ("CSI-4", "not distressed"): _(
        "Your answers suggest you are mostly satisfied with your relationship."
    ),
    ("CSI-4", "distressed"): _(
        "Your answers suggest your relationship feels hard for you at the moment."
    ),
}


def plain_result(code: str, band: str) -> str:
    """The partner's own result in plain words, or "" where there is none to show."""
    return str(_PLAIN_RESULTS.get((code, band), ""))
