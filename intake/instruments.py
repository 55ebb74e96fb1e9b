"""Intake questionnaires: item texts, answer options and pure scoring.

This module has no database access and no Django imports, so that scoring can be
tested exhaustively. Forms read the item texts and options from ``INSTRUMENTS``;
views and models call ``score(code, answers)`` with the item values in item order.

Item texts and answer labels are reproduced verbatim from the published instruments.
Instructions are the patient (self-report) wording where one is published, worded for a
screen rather than paper; the C-SSRS screener, published for an interviewer, has a line
of our own instead. Each such change is named in ``adapted``, which the page shows beside
the source. Partner pages never show interviewer instructions. Other exceptions are
marked where they occur:

* PHQ-9 and GAD-7: Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and
  colleagues, with an educational grant from Pfizer Inc. No permission required to
  reproduce, translate, display or distribute. Kroenke, Spitzer & Williams (2001),
  J Gen Intern Med 16(9):606-613; Spitzer, Kroenke, Williams & Löwe (2006), Arch
  Intern Med 166(10):1092-1097.
* PCL-5: Weathers, Litz, Keane, Palmieri, Marx & Schnurr (2013), The PTSD Checklist
  for DSM-5 (PCL-5), National Center for PTSD. Public domain. Standard (past month)
  version, without the Life Events Checklist or Criterion A item.
* C-SSRS screener: Posner et al., Columbia-Suicide Severity Rating Scale, Screen
  Version - Recent, The Research Foundation for Mental Hygiene, Inc. / The Columbia
  Lighthouse Project. Risk bands follow the screener's triage colours (yellow = low,
  orange = moderate, red = high).
* CSI-4: Funk, J. L. & Rogge, R. D. (2007). Testing the ruler with item response
  theory: Increasing precision of measurement for relationship satisfaction with the
  Couples Satisfaction Index. J Fam Psychol 21(4):572-583. Items 1, 12, 19 and 22 of
  the CSI-32; distress cut-off 13.5.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


def gettext_noop(text: str) -> str:
    """Marks our own wording for translation (makemessages finds it) while this module
    stays free of Django; pages translate it when they show it."""
    return text


SUICIDE_RISK = "suicide_risk"
DSM5_PATTERN = "dsm5_pattern"
# The flags in words for the care team; partners are never shown flag names.
FLAG_LABELS = {
    SUICIDE_RISK: "suicide risk",
    DSM5_PATTERN: "meets the DSM-5 PTSD symptom pattern",
}
CSSRS_RISK_ORDER = ("none", "low", "moderate", "high")


def cssrs_risk(band: str) -> int:
    """A C-SSRS band's place in the order none < low < moderate < high."""
    return CSSRS_RISK_ORDER.index(band) if band in CSSRS_RISK_ORDER else len(CSSRS_RISK_ORDER)


def calls_for_crisis_line(code: str, band: str, flags: Sequence[str]) -> bool:
    """A C-SSRS at moderate or high risk, or a PHQ-9 with thoughts of self-harm (item 9)."""
    if code == "C-SSRS":
        return band in ("moderate", "high")
    return code == "PHQ-9" and SUICIDE_RISK in flags


@dataclass(frozen=True)
class Option:
    """One answer choice: the value stored and scored, and the label shown."""

    value: int
    label: str


@dataclass(frozen=True)
class Item:
    """One question. ``hint`` carries extra published text shown under the question;
    ``asked_after_yes_to`` names the question whose "yes" this one waits for (skip logic)."""

    number: int
    text: str
    options: tuple[Option, ...]
    hint: str = ""
    asked_after_yes_to: int | None = None

    @property
    def values(self) -> tuple[int, ...]:
        """The allowed answer values, in option order."""
        return tuple(option.value for option in self.options)


@dataclass(frozen=True)
class Instrument:
    """A questionnaire as presented to the patient."""

    code: str
    title: str
    instructions: str
    items: tuple[Item, ...]
    source: str
    # How our screen wording differs from the published form, shown beside the source.
    adapted: str = ""


@dataclass(frozen=True)
class Score:
    """The result of scoring one completed questionnaire."""

    total: int
    band: str
    flags: frozenset[str] = frozenset()


def _options(*labels: str) -> tuple[Option, ...]:
    """Options scored 0, 1, 2, ... in the order given."""
    return tuple(Option(value, label) for value, label in enumerate(labels))


def _items(options: tuple[Option, ...], *texts: str) -> tuple[Item, ...]:
    """Items numbered from 1 that all share one set of options."""
    return tuple(Item(number, text, options) for number, text in enumerate(texts, start=1))


# --- PHQ-9 and GAD-7 ---------------------------------------------------------------------

_PFIZER_SOURCE = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and "
    "colleagues, with an educational grant from Pfizer Inc. No permission required to "
    "reproduce, translate, display or distribute."
)
_PHQ9_SOURCE = (
    "PHQ-9, patient version. Kroenke K, Spitzer RL, Williams JBW (2001), J Gen Intern Med "
    f"16(9):606-613. {_PFIZER_SOURCE}"
)
_GAD7_SOURCE = (
    "GAD-7, patient version. Spitzer RL, Kroenke K, Williams JBW, Löwe B (2006), Arch "
    f"Intern Med 166(10):1092-1097. {_PFIZER_SOURCE}"
)

_FREQUENCY = _options("Not at all", "Several days", "More than half the days", "Nearly every day")

PHQ9 = Instrument(
    code="PHQ-9",
    title="Patient Health Questionnaire-9 (PHQ-9)",
    instructions=(
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    ),
    items=_items(
        _FREQUENCY,
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself "
        "or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the "
        "opposite — being so fidgety or restless that you have been moving around a "
        "lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    source=_PHQ9_SOURCE,
)

GAD7 = Instrument(
    code="GAD-7",
    title="Generalized Anxiety Disorder 7-item (GAD-7) scale",
    instructions=(
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    ),
    items=_items(
        _FREQUENCY,
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ),
    source=_GAD7_SOURCE,
)

# --- PCL-5 -------------------------------------------------------------------------------

PCL5 = Instrument(
    code="PCL-5",
    title="PTSD Checklist for DSM-5 (PCL-5)",
    instructions=(
        "Below is a list of problems that people sometimes have in response to a very "
        "stressful experience. Please read each problem carefully and then select one of "
        "the answers to indicate how much you have been bothered by that problem in the "
        "past month.\n\n"
        "In the past month, how much were you bothered by:"
    ),
    items=_items(
        _options("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"),
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "Repeated, disturbing dreams of the stressful experience?",
        "Suddenly feeling or acting as if the stressful experience were actually happening "
        "again (as if you were actually back there reliving it)?",
        "Feeling very upset when something reminded you of the stressful experience?",
        "Having strong physical reactions when something reminded you of the stressful "
        "experience (for example, heart pounding, trouble breathing, sweating)?",
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        "Avoiding external reminders of the stressful experience (for example, people, "
        "places, conversations, activities, objects, or situations)?",
        "Trouble remembering important parts of the stressful experience?",
        "Having strong negative beliefs about yourself, other people, or the world (for "
        "example, having thoughts such as: I am bad, there is something seriously wrong "
        "with me, no one can be trusted, the world is completely dangerous)?",
        "Blaming yourself or someone else for the stressful experience or what happened after it?",
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "Loss of interest in activities that you used to enjoy?",
        "Feeling distant or cut off from other people?",
        "Trouble experiencing positive feelings (for example, being unable to feel "
        "happiness or have loving feelings for people close to you)?",
        "Irritable behavior, angry outbursts, or acting aggressively?",
        "Taking too many risks or doing things that could cause you harm?",
        'Being "superalert" or watchful or on guard?',
        "Feeling jumpy or easily startled?",
        "Having difficulty concentrating?",
        "Trouble falling or staying asleep?",
    ),
    source=(
        "PCL-5 (8/14/2013). Weathers, F.W., Litz, B.T., Keane, T.M., Palmieri, P.A., "
        "Marx, B.P., & Schnurr, P.P. National Center for PTSD. Public domain. Self-report, "
        "past-month version."
    ),
    adapted=gettext_noop(
        "Worded for a screen: “select one of the answers” replaces the paper "
        "form's instruction to mark one of the numbers to the right."
    ),
)

# --- C-SSRS screener ---------------------------------------------------------------------

_YES_NO = (Option(0, "No"), Option(1, "Yes"))

# The published form asks item 6 as Yes/No and, after a Yes, this follow-up. We fold the
# two answers into one value (0 no, 1 yes but longer ago, 2 yes and recent) so that item 6
# fits the one-value-per-item API; forms that ask it in two steps can show this text.
CSSRS_RECENCY_QUESTION = "Was this within the past three months?"

# Item 6 values.
CSSRS_BEHAVIOUR_LONGER_AGO = 1
CSSRS_BEHAVIOUR_RECENT = 2

_PAST_MONTH = "Past month"

CSSRS = Instrument(
    code="C-SSRS",
    title="Columbia-Suicide Severity Rating Scale (C-SSRS), Screen Version – Recent",
    # The published screen version is read out by an interviewer ("Ask questions 1 and 2
    # ..."); partners read this line instead, and the skip after a no to question 2 is
    # the form's job (Item.asked_after_yes_to), not the partner's.
    instructions=gettext_noop(
        "Please answer each question yes or no. Questions 1 to 5 are about the past month."
    ),
    items=(
        Item(
            1,
            "Have you wished you were dead or wished you could go to sleep and not wake up?",
            _YES_NO,
            _PAST_MONTH,
        ),
        Item(2, "Have you actually had any thoughts of killing yourself?", _YES_NO, _PAST_MONTH),
        Item(
            3,
            "Have you been thinking about how you might do this?",
            _YES_NO,
            _PAST_MONTH,
            asked_after_yes_to=2,
        ),
        Item(
            4,
            "Have you had these thoughts and had some intention of acting on them?",
            _YES_NO,
            _PAST_MONTH,
            asked_after_yes_to=2,
        ),
        Item(
            5,
            "Have you started to work out or worked out the details of how to kill yourself? "
            "Do you intend to carry out this plan?",
            _YES_NO,
            _PAST_MONTH,
            asked_after_yes_to=2,
        ),
        Item(
            6,
            "Have you ever done anything, started to do anything, or prepared to do anything "
            "to end your life?",
            # Labels are ours: the form's Yes/No plus CSSRS_RECENCY_QUESTION, folded together.
            (
                Option(0, "No"),
                Option(CSSRS_BEHAVIOUR_LONGER_AGO, "Yes, over 3 months ago"),
                Option(CSSRS_BEHAVIOUR_RECENT, "Yes, within the past 3 months"),
            ),
            "Examples: Collected pills, obtained a gun, gave away valuables, wrote a will or "
            "suicide note, took out pills but didn't swallow any, held a gun but changed your "
            "mind or it was grabbed from your hand, went to the roof but didn't jump; or "
            "actually took pills, tried to shoot yourself, cut yourself, tried to hang "
            "yourself, etc.",
        ),
    ),
    source=(
        "Columbia-Suicide Severity Rating Scale, Screen Version - Recent. Posner, K.; "
        "Brent, D.; Lucas, C.; Gould, M.; Stanley, B.; Brown, G.; Fisher, P.; Zelazny, J.; "
        "Burke, A.; Oquendo, M.; Mann, J. © 2008 The Research Foundation for Mental "
        "Hygiene, Inc. The Columbia Lighthouse Project."
    ),
    adapted=gettext_noop(
        "The published screener is read out by an interviewer; the instruction line above "
        "is written for this form, and questions 3 to 5 follow only a yes to question 2, "
        "as the screener directs."
    ),
)

# --- CSI-4 -------------------------------------------------------------------------------

_EXTENT = _options(
    "Not at all", "A little", "Somewhat", "Mostly", "Almost Completely", "Completely"
)

CSI4 = Instrument(
    code="CSI-4",
    title="Couples Satisfaction Index (CSI-4)",
    # Each CSI-4 item carries its own stem. The CSI's only general instruction line
    # introduces its semantic-differential items, none of which are in the CSI-4.
    instructions="",
    items=(
        Item(
            1,
            "Please indicate the degree of happiness, all things considered, of your relationship.",
            _options(
                "Extremely Unhappy",
                "Fairly Unhappy",
                "A Little Unhappy",
                "Happy",
                "Very Happy",
                "Extremely Happy",
                "Perfect",
            ),
        ),
        Item(
            2,
            "I have a warm and comfortable relationship with my partner",
            _options(
                "Not at all TRUE",
                "A little TRUE",
                "Somewhat TRUE",
                "Mostly TRUE",
                "Almost Completely TRUE",
                "Completely TRUE",
            ),
        ),
        Item(3, "How rewarding is your relationship with your partner?", _EXTENT),
        Item(4, "In general, how satisfied are you with your relationship?", _EXTENT),
    ),
    source=(
        "Funk, J. L., & Rogge, R. D. (2007). Testing the ruler with item response theory: "
        "Increasing precision of measurement for relationship satisfaction with the Couples "
        "Satisfaction Index. Journal of Family Psychology, 21(4), 572-583. Freely available "
        "for research and clinical use."
    ),
)

INSTRUMENTS: dict[str, Instrument] = {form.code: form for form in (PHQ9, GAD7, PCL5, CSSRS, CSI4)}


def instrument(code: str) -> Instrument:
    """Return the instrument for ``code``; raise ``ValueError`` if it is unknown."""
    try:
        return INSTRUMENTS[code]
    except (KeyError, TypeError):
        known = ", ".join(INSTRUMENTS)
        raise ValueError(f"Unknown instrument code {code!r}; expected one of {known}") from None


# --- Validation --------------------------------------------------------------------------


def _is_whole_number(value: object) -> bool:
    # bool is a subclass of int, but True/False are not questionnaire answers.
    return isinstance(value, int) and not isinstance(value, bool)


YES = 1  # the value of "Yes" on every yes/no item


def is_asked(item: Item, answers: Mapping[int, object]) -> bool:
    """Whether ``item`` is put to the patient, given the answers so far by item number."""
    return item.asked_after_yes_to is None or answers.get(item.asked_after_yes_to) == YES


def _check_answer(form: Instrument, item: Item, value: object, answered: dict) -> None:
    if not is_asked(item, answered):
        if value is not None:
            raise ValueError(
                f"{form.code} item {item.number}: not asked after a no to question "
                f"{item.asked_after_yes_to}, so it takes no answer (None), got {value!r}"
            )
        return
    if not _is_whole_number(value) or value not in item.values:
        raise ValueError(
            f"{form.code} item {item.number}: must be a whole number from "
            f"{min(item.values)} to {max(item.values)}, got {value!r}"
        )


def _validated(form: Instrument, answers: object) -> tuple[int | None, ...]:
    """Check ``answers`` against the form's items and return them as a tuple. A question
    the skip logic leaves out (``Item.asked_after_yes_to``) must be None: not asked."""
    expected = len(form.items)
    # A str is a Sequence too, but never a list of answers. Passing something that is not a
    # list at all is a programming error rather than bad answers, hence TypeError.
    if not isinstance(answers, Sequence) or isinstance(answers, str | bytes):
        raise TypeError(
            f"{form.code} expects a list of {expected} answers, got {type(answers).__name__}"
        )
    if len(answers) != expected:
        raise ValueError(f"{form.code} expects {expected} answers, got {len(answers)}")
    answered: dict[int, object] = {}
    for item, value in zip(form.items, answers, strict=True):
        _check_answer(form, item, value, answered)
        answered[item.number] = value
    return tuple(answers)


# --- Scoring -----------------------------------------------------------------------------

# Bands as (lowest total, name), in ascending order of lowest total.
_Bands = tuple[tuple[int, str], ...]

PHQ9_BANDS: _Bands = (
    (0, "minimal"),
    (5, "mild"),
    (10, "moderate"),
    (15, "moderately severe"),
    (20, "severe"),
)
PHQ9_SUICIDE_ITEM = 9  # "Thoughts that you would be better off dead ..."
GAD7_BANDS: _Bands = ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe"))
PCL5_BANDS: _Bands = ((0, "below threshold"), (33, "probable PTSD"))
CSI4_DISTRESS_CUTOFF = 13.5  # Funk & Rogge: totals below this suggest notable distress

# DSM-5 clusters for the PCL-5: (item numbers, endorsed items needed).
PCL5_CLUSTERS: dict[str, tuple[range, int]] = {
    "B": (range(1, 6), 1),
    "C": (range(6, 8), 1),
    "D": (range(8, 15), 2),
    "E": (range(15, 21), 2),
}
PCL5_ENDORSED_AT = 2  # "Moderately" or above counts as a symptom endorsed


def _band(total: int, bands: _Bands) -> str:
    """Name of the highest band whose lowest total is at or below ``total``."""
    return [name for lowest, name in bands if total >= lowest][-1]


def _score_phq9(answers: tuple[int, ...]) -> Score:
    total = sum(answers)
    flags = {SUICIDE_RISK} if answers[PHQ9_SUICIDE_ITEM - 1] > 0 else set()
    return Score(total, _band(total, PHQ9_BANDS), frozenset(flags))


def _score_gad7(answers: tuple[int, ...]) -> Score:
    total = sum(answers)
    return Score(total, _band(total, GAD7_BANDS))


def _meets_dsm5_pattern(answers: tuple[int, ...]) -> bool:
    """Tell whether every DSM-5 cluster has enough items rated "Moderately" or above."""
    return all(
        sum(answers[number - 1] >= PCL5_ENDORSED_AT for number in numbers) >= needed
        for numbers, needed in PCL5_CLUSTERS.values()
    )


def _score_pcl5(answers: tuple[int, ...]) -> Score:
    total = sum(answers)
    flags = {DSM5_PATTERN} if _meets_dsm5_pattern(answers) else set()
    return Score(total, _band(total, PCL5_BANDS), frozenset(flags))


def _cssrs_band(answers: tuple[int | None, ...]) -> str:
    wish, thoughts, method, intent, plan, behaviour = answers
    if intent or plan or behaviour == CSSRS_BEHAVIOUR_RECENT:
        return "high"
    if method or behaviour == CSSRS_BEHAVIOUR_LONGER_AGO:
        return "moderate"
    if wish or thoughts:
        return "low"
    return "none"


def _score_cssrs(answers: tuple[int | None, ...]) -> Score:
    # Questions skipped after a no to question 2 are None: not asked, so not a yes.
    total = sum(1 for value in answers if value)
    band = _cssrs_band(answers)
    flags = {SUICIDE_RISK} if band in ("moderate", "high") else set()
    return Score(total, band, frozenset(flags))


def _score_csi4(answers: tuple[int, ...]) -> Score:
    total = sum(answers)
    return Score(total, "distressed" if total < CSI4_DISTRESS_CUTOFF else "not distressed")


_SCORERS: dict[str, Callable[[tuple[int, ...]], Score]] = {
    "PHQ-9": _score_phq9,
    "GAD-7": _score_gad7,
    "PCL-5": _score_pcl5,
    "C-SSRS": _score_cssrs,
    "CSI-4": _score_csi4,
}


def score(code: str, answers: list[int | None]) -> Score:
    """Score a completed questionnaire.

    ``answers`` are the item values in item order, None for a question the skip logic
    left out (C-SSRS 3-5 after a no to 2). Raises ``ValueError`` for an unknown code, the
    wrong number of answers, an answer that is not a whole number in the item's range
    (bools, floats, strings and None are all rejected), or any answer to a question that
    was not asked; raises ``TypeError`` if ``answers`` is not a list or tuple at all.
    """
    form = instrument(code)
    return _SCORERS[form.code](_validated(form, answers))
