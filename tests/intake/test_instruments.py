"""Tests for intake.instruments: published scoring rules, validation and item texts.

Expectations here are written independently of the module (own band tables, own
C-SSRS and PCL-5 rules) so that a mistake in one is not mirrored in the other. No
database is needed: run with ``pytest -p no:django``.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
import random
from pathlib import Path

import pytest

from intake import instruments
from intake.instruments import INSTRUMENTS, Score, instrument, score

# Allowed (lowest, highest) value of every item, in item order, per the published forms.
ITEM_RANGES: dict[str, list[tuple[int, int]]] = {
    "PHQ-9": [(0, 3)] * 9,
    "GAD-7": [(0, 3)] * 7,
    "PCL-5": [(0, 4)] * 20,
    "C-SSRS": [(0, 1)] * 5 + [(0, 2)],
    "CSI-4": [(0, 6)] + [(0, 5)] * 3,
}
CODES = list(ITEM_RANGES)

# Published bands as inclusive total ranges.
BAND_RANGES: dict[str, list[tuple[int, int, str]]] = {
    "PHQ-9": [
        (0, 4, "minimal"),
        (5, 9, "mild"),
        (10, 14, "moderate"),
        (15, 19, "moderately severe"),
        (20, 27, "severe"),
    ],
    "GAD-7": [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")],
    "PCL-5": [(0, 32, "below threshold"), (33, 80, "probable PTSD")],
    "CSI-4": [(0, 13, "distressed"), (14, 21, "not distressed")],
}

PCL5_CLUSTER_ITEMS = {
    "B": [1, 2, 3, 4, 5],
    "C": [6, 7],
    "D": [8, 9, 10, 11, 12, 13, 14],
    "E": [15, 16, 17, 18, 19, 20],
}
PCL5_CLUSTER_NEEDS = {"B": 1, "C": 1, "D": 2, "E": 2}


# C-SSRS questions put only after a yes to question 2; None when not asked.
CSSRS_AFTER_YES_TO_2 = [3, 4, 5]
CSSRS_NOT_ASKED = [0, 0, None, None, None, 0]


def zeros(code: str) -> list[int | None]:
    """The lowest answers; on the C-SSRS a no to 2, so 3-5 are not asked (None)."""
    return list(CSSRS_NOT_ASKED) if code == "C-SSRS" else [0] * len(ITEM_RANGES[code])


def with_values(code: str, values: dict[int, int]) -> list[int | None]:
    """Lowest answers except ``values``, keyed by 1-based item number. On the C-SSRS, a
    value for 3-5 implies the yes to 2 that asks them, and a yes to 2 answers 3-5 "no"."""
    answers = zeros(code)
    if code == "C-SSRS" and set(values) & set(CSSRS_AFTER_YES_TO_2):
        answers[1] = 1
    for number, value in values.items():
        answers[number - 1] = value
    if code == "C-SSRS" and answers[1] == 1:
        answers[2:5] = [0 if value is None else value for value in answers[2:5]]
    return answers


def answers_totalling(code: str, total: int) -> list[int]:
    """Answers summing to ``total``, filling items from the first at their maximum."""
    answers = []
    remaining = total
    for _, highest in ITEM_RANGES[code]:
        value = min(highest, remaining)
        answers.append(value)
        remaining -= value
    assert remaining == 0, f"{code} cannot reach a total of {total}"
    return answers


def random_answers(rng: random.Random, code: str) -> list[int]:
    return [rng.randint(lowest, highest) for lowest, highest in ITEM_RANGES[code]]


def expected_band(code: str, total: int) -> str:
    (name,) = [name for low, high, name in BAND_RANGES[code] if low <= total <= high]
    return name


def band_edges(code: str) -> list[tuple[int, str]]:
    """Both ends of every published band."""
    return [(total, name) for low, high, name in BAND_RANGES[code] for total in (low, high)]


# --- PHQ-9 -------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "band"), band_edges("PHQ-9"))
def test_phq9_total_at_each_band_edge_gets_that_band(total, band):
    result = score("PHQ-9", answers_totalling("PHQ-9", total))
    assert result.total == total
    assert result.band == band


def test_phq9_band_edges_cover_every_published_boundary():
    edges = [total for total, _ in band_edges("PHQ-9")]
    assert edges == [0, 4, 5, 9, 10, 14, 15, 19, 20, 27]


def test_phq9_without_item_9_has_no_flags():
    answers = [3] * 8 + [0]
    result = score("PHQ-9", answers)
    assert result == Score(24, "severe", frozenset())


@pytest.mark.parametrize("item_9", [1, 2, 3])
def test_phq9_any_item_9_answer_above_zero_flags_suicide_risk(item_9):
    result = score("PHQ-9", with_values("PHQ-9", {9: item_9}))
    assert result.flags == frozenset({"suicide_risk"})


def test_phq9_item_9_flags_suicide_risk_even_when_the_total_is_minimal():
    result = score("PHQ-9", with_values("PHQ-9", {9: 1}))
    assert result == Score(1, "minimal", frozenset({"suicide_risk"}))


@pytest.mark.parametrize("item", range(1, 9))
def test_phq9_other_items_never_flag_suicide_risk(item):
    assert score("PHQ-9", with_values("PHQ-9", {item: 3})).flags == frozenset()


def test_phq9_random_answers_total_their_sum_and_flag_only_on_item_9():
    rng = random.Random(20240609)
    for _ in range(500):
        answers = random_answers(rng, "PHQ-9")
        result = score("PHQ-9", answers)
        assert result.total == sum(answers)
        assert result.band == expected_band("PHQ-9", sum(answers))
        assert result.flags == (frozenset({"suicide_risk"}) if answers[8] else frozenset())


# --- GAD-7 -------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "band"), band_edges("GAD-7"))
def test_gad7_total_at_each_band_edge_gets_that_band(total, band):
    result = score("GAD-7", answers_totalling("GAD-7", total))
    assert result.total == total
    assert result.band == band


def test_gad7_band_edges_cover_every_published_boundary():
    edges = [total for total, _ in band_edges("GAD-7")]
    assert edges == [0, 4, 5, 9, 10, 14, 15, 21]


def test_gad7_random_answers_total_their_sum_and_never_flag():
    rng = random.Random(20240610)
    for _ in range(500):
        answers = random_answers(rng, "GAD-7")
        result = score("GAD-7", answers)
        assert result.total == sum(answers)
        assert result.band == expected_band("GAD-7", sum(answers))
        assert result.flags == frozenset()


# --- PCL-5 -------------------------------------------------------------------------------

# The fewest endorsements that meet the DSM-5 rule: 1 in B, 1 in C, 2 in D, 2 in E.
PCL5_MINIMAL_PATTERN = {1: 2, 6: 2, 8: 2, 9: 2, 15: 2, 16: 2}


def expected_dsm5_pattern(answers: list[int]) -> bool:
    endorsed = {number for number, value in enumerate(answers, start=1) if value >= 2}
    return all(
        len(endorsed.intersection(items)) >= PCL5_CLUSTER_NEEDS[cluster]
        for cluster, items in PCL5_CLUSTER_ITEMS.items()
    )


@pytest.mark.parametrize(("total", "band"), band_edges("PCL-5"))
def test_pcl5_total_at_each_band_edge_gets_that_band(total, band):
    result = score("PCL-5", answers_totalling("PCL-5", total))
    assert result.total == total
    assert result.band == band


def test_pcl5_threshold_sits_between_32_and_33():
    assert [total for total, _ in band_edges("PCL-5")] == [0, 32, 33, 80]


def test_pcl5_minimal_dsm5_pattern_is_flagged():
    result = score("PCL-5", with_values("PCL-5", PCL5_MINIMAL_PATTERN))
    assert result == Score(12, "below threshold", frozenset({"dsm5_pattern"}))


@pytest.mark.parametrize(
    "dropped_item",
    [
        pytest.param(1, id="cluster B has none"),
        pytest.param(6, id="cluster C has none"),
        pytest.param(8, id="cluster D has only one"),
        pytest.param(15, id="cluster E has only one"),
    ],
)
def test_pcl5_pattern_missing_one_endorsement_in_a_cluster_is_not_flagged(dropped_item):
    values = {**PCL5_MINIMAL_PATTERN, dropped_item: 0}
    assert score("PCL-5", with_values("PCL-5", values)).flags == frozenset()


@pytest.mark.parametrize("weakened_item", sorted(PCL5_MINIMAL_PATTERN))
def test_pcl5_item_rated_1_does_not_count_as_endorsed(weakened_item):
    values = {**PCL5_MINIMAL_PATTERN, weakened_item: 1}
    assert score("PCL-5", with_values("PCL-5", values)).flags == frozenset()


@pytest.mark.parametrize(
    ("cluster", "item"),
    [(cluster, item) for cluster, items in PCL5_CLUSTER_ITEMS.items() for item in items],
)
def test_pcl5_any_item_of_a_cluster_counts_towards_that_cluster(cluster, item):
    # Start from the minimal pattern with this cluster emptied, then endorse enough
    # items of the cluster, always including ``item``.
    values = {n: v for n, v in PCL5_MINIMAL_PATTERN.items() if n not in PCL5_CLUSTER_ITEMS[cluster]}
    others = [n for n in PCL5_CLUSTER_ITEMS[cluster] if n != item]
    for number in [item, *others][: PCL5_CLUSTER_NEEDS[cluster]]:
        values[number] = 2
    assert score("PCL-5", with_values("PCL-5", values)).flags == frozenset({"dsm5_pattern"})


def test_pcl5_items_all_rated_1_never_meet_the_pattern():
    assert score("PCL-5", [1] * 20) == Score(20, "below threshold", frozenset())


def test_pcl5_probable_ptsd_total_without_the_pattern_is_not_flagged():
    # Clusters B, C and D at maximum, E empty: a high total but no DSM-5 pattern.
    answers = [4] * 14 + [0] * 6
    assert score("PCL-5", answers) == Score(56, "probable PTSD", frozenset())


def test_pcl5_all_items_at_maximum_is_probable_ptsd_with_the_pattern():
    assert score("PCL-5", [4] * 20) == Score(80, "probable PTSD", frozenset({"dsm5_pattern"}))


def test_pcl5_random_answers_match_an_independent_cluster_rule():
    rng = random.Random(20240611)
    flagged = 0
    for _ in range(1000):
        # Favour low values so both outcomes of the cluster rule turn up often.
        answers = [rng.choice([0, 0, 1, 1, 2, 3, 4]) for _ in range(20)]
        result = score("PCL-5", answers)
        assert result.total == sum(answers)
        assert result.band == expected_band("PCL-5", sum(answers))
        meets = expected_dsm5_pattern(answers)
        flagged += meets
        assert result.flags == (frozenset({"dsm5_pattern"}) if meets else frozenset())
    assert 0 < flagged < 1000


# --- C-SSRS ------------------------------------------------------------------------------

RISK_ORDER = ["none", "low", "moderate", "high"]
# Triage colour of each "yes" on the screener, item 6 split by recency.
CSSRS_ITEM_RISK = {1: "low", 2: "low", 3: "moderate", 4: "high", 5: "high"}
CSSRS_BEHAVIOUR_RISK = {0: "none", 1: "moderate", 2: "high"}

# Every answer set the screener can produce: 3-5 asked (0 or 1) only after a yes to 2.
ALL_CSSRS_ANSWERS = [
    [wish, thoughts, *followups, behaviour]
    for wish, thoughts in itertools.product([0, 1], repeat=2)
    for followups in (itertools.product([0, 1], repeat=3) if thoughts else [(None, None, None)])
    for behaviour in (0, 1, 2)
]
# Every answer set that breaks the skip: an answer to 3-5 after a no to 2, or a blank
# among 3-5 after a yes.
SKIP_BREAKING_CSSRS_ANSWERS = [
    [wish, thoughts, *followups, behaviour]
    for wish, thoughts in itertools.product([0, 1], repeat=2)
    for followups in itertools.product([None, 0, 1], repeat=3)
    if (None in followups) == bool(thoughts) or (not thoughts and followups != (None,) * 3)
    for behaviour in (0, 1, 2)
]


def expected_cssrs_band(answers: list[int]) -> str:
    """The most severe triage level among the answers given (written as a max, not a chain)."""
    levels = ["none", CSSRS_BEHAVIOUR_RISK[answers[5]]]
    levels += [CSSRS_ITEM_RISK[n] for n, value in enumerate(answers[:5], start=1) if value]
    return max(levels, key=RISK_ORDER.index)


def test_cssrs_exhaustive_answers_cover_all_54_answer_sets_the_skip_allows():
    # After a no to 2: 2 (item 1) x 3 (item 6); after a yes: 2 x 2**3 x 3.
    assert len(ALL_CSSRS_ANSWERS) == 2 * 3 + 2 * 8 * 3
    assert len({tuple(answers) for answers in ALL_CSSRS_ANSWERS}) == 54
    assert len(SKIP_BREAKING_CSSRS_ANSWERS) == 2 * 3**3 * 2 * 3 - 54


@pytest.mark.parametrize("answers", SKIP_BREAKING_CSSRS_ANSWERS, ids=str)
def test_cssrs_every_answer_set_that_breaks_the_skip_is_refused(answers):
    with pytest.raises(ValueError, match=r"^C-SSRS item [345]: "):
        score("C-SSRS", answers)


@pytest.mark.parametrize("answers", ALL_CSSRS_ANSWERS, ids=str)
def test_cssrs_every_answer_combination_matches_the_independent_expectation(answers):
    band = expected_cssrs_band(answers)
    result = score("C-SSRS", answers)
    assert result.band == band
    assert result.total == sum(1 for value in answers if value not in (0, None))
    assert result.flags == (
        frozenset({"suicide_risk"}) if band in ("moderate", "high") else frozenset()
    )


@pytest.mark.parametrize(
    ("values", "band"),
    [
        pytest.param({}, "none", id="all no is none"),
        pytest.param({1: 1}, "low", id="item 1 alone is low"),
        pytest.param({2: 1}, "low", id="item 2 alone is low"),
        pytest.param({1: 1, 2: 1}, "low", id="items 1 and 2 are low"),
        pytest.param({3: 1}, "moderate", id="item 3 after item 2 is moderate"),
        pytest.param({4: 1}, "high", id="item 4 after item 2 is high"),
        pytest.param({5: 1}, "high", id="item 5 after item 2 is high"),
        pytest.param({6: 1}, "moderate", id="behaviour over 3 months ago is moderate"),
        pytest.param({6: 2}, "high", id="behaviour within 3 months is high"),
    ],
)
def test_cssrs_single_rule_gives_its_band(values, band):
    assert score("C-SSRS", with_values("C-SSRS", values)).band == band


@pytest.mark.parametrize(
    ("values", "band"),
    [
        pytest.param({1: 1, 2: 1, 3: 1}, "moderate", id="item 3 outranks items 1 and 2"),
        pytest.param({1: 1, 6: 1}, "moderate", id="older behaviour outranks item 1"),
        pytest.param({3: 1, 4: 1}, "high", id="item 4 outranks item 3"),
        pytest.param({3: 1, 5: 1}, "high", id="item 5 outranks item 3"),
        pytest.param({3: 1, 6: 2}, "high", id="recent behaviour outranks item 3"),
        pytest.param({6: 1, 4: 1}, "high", id="item 4 outranks older behaviour"),
        pytest.param({1: 1, 2: 1, 3: 1, 6: 1}, "moderate", id="no high rule means moderate"),
    ],
)
def test_cssrs_the_most_severe_rule_wins(values, band):
    assert score("C-SSRS", with_values("C-SSRS", values)).band == band


@pytest.mark.parametrize(
    ("behaviour", "band", "flags"),
    [
        (0, "none", frozenset()),
        (1, "moderate", frozenset({"suicide_risk"})),
        (2, "high", frozenset({"suicide_risk"})),
    ],
)
def test_cssrs_item_6_recency_decides_between_moderate_and_high(behaviour, band, flags):
    result = score("C-SSRS", with_values("C-SSRS", {6: behaviour}))
    assert (result.total, result.band, result.flags) == (min(behaviour, 1), band, flags)


@pytest.mark.parametrize("behaviour", [1, 2])
def test_cssrs_item_6_counts_as_a_single_yes_either_way(behaviour):
    assert score("C-SSRS", [1, 1, 1, 1, 1, behaviour]).total == 6


def test_cssrs_low_risk_is_not_flagged():
    assert score("C-SSRS", [1, 1, 0, 0, 0, 0]) == Score(2, "low", frozenset())


@pytest.mark.parametrize("number", CSSRS_AFTER_YES_TO_2)
@pytest.mark.parametrize("value", [0, 1])
def test_cssrs_an_answer_to_3_to_5_after_a_no_to_2_is_refused_naming_the_item(number, value):
    answers = list(CSSRS_NOT_ASKED)
    answers[number - 1] = value
    message = (
        f"C-SSRS item {number}: not asked after a no to question 2, so it takes no answer "
        f"(None), got {value}"
    )
    with pytest.raises(ValueError) as refused:
        score("C-SSRS", answers)
    assert str(refused.value) == message


@pytest.mark.parametrize("number", CSSRS_AFTER_YES_TO_2)
def test_cssrs_3_to_5_need_an_answer_after_a_yes_to_2(number):
    answers = [1, 1, 0, 0, 0, 0]
    answers[number - 1] = None
    with pytest.raises(ValueError, match=rf"^C-SSRS item {number}: must be a whole number"):
        score("C-SSRS", answers)


def test_cssrs_questions_not_asked_score_as_no_yes_and_change_no_band():
    assert score("C-SSRS", [1, 0, None, None, None, 0]) == Score(1, "low", frozenset())
    assert score("C-SSRS", CSSRS_NOT_ASKED) == Score(0, "none", frozenset())
    assert score("C-SSRS", [0, 0, None, None, None, 2]).band == "high"


def test_only_cssrs_3_to_5_wait_for_a_yes_and_it_is_to_question_2():
    waiting = {
        (code, item.number): item.asked_after_yes_to
        for code, form in INSTRUMENTS.items()
        for item in form.items
        if item.asked_after_yes_to is not None
    }
    assert waiting == {("C-SSRS", 3): 2, ("C-SSRS", 4): 2, ("C-SSRS", 5): 2}


@pytest.mark.parametrize(
    ("so_far", "asked"),
    [({}, False), ({2: 0}, False), ({2: None}, False), ({2: 1}, True), ({1: 1, 2: 0}, False)],
)
def test_is_asked_follows_the_answer_to_question_2(so_far, asked):
    item_3 = INSTRUMENTS["C-SSRS"].items[2]
    assert instruments.is_asked(item_3, so_far) is asked
    assert instruments.is_asked(INSTRUMENTS["C-SSRS"].items[5], so_far) is True


# --- CSI-4 -------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "band"), band_edges("CSI-4"))
def test_csi4_total_at_each_band_edge_gets_that_band(total, band):
    result = score("CSI-4", answers_totalling("CSI-4", total))
    assert result.total == total
    assert result.band == band


def test_csi4_cutoff_of_13_5_falls_between_13_and_14():
    assert score("CSI-4", [3, 5, 5, 0]).band == "distressed"
    assert score("CSI-4", [4, 5, 5, 0]).band == "not distressed"


def test_csi4_item_1_goes_up_to_6_and_the_others_to_5():
    assert score("CSI-4", [6, 5, 5, 5]) == Score(21, "not distressed", frozenset())


def test_csi4_random_answers_total_their_sum_and_never_flag():
    rng = random.Random(20240612)
    for _ in range(500):
        answers = random_answers(rng, "CSI-4")
        result = score("CSI-4", answers)
        assert result.total == sum(answers)
        assert result.band == expected_band("CSI-4", sum(answers))
        assert result.flags == frozenset()


# --- Every instrument --------------------------------------------------------------------


@pytest.mark.parametrize("code", list(BAND_RANGES))
def test_published_band_ranges_cover_every_reachable_total_exactly_once(code):
    highest = sum(high for _, high in ITEM_RANGES[code])
    covered = [t for low, high, _ in BAND_RANGES[code] for t in range(low, high + 1)]
    assert covered == list(range(highest + 1))


@pytest.mark.parametrize("code", list(BAND_RANGES))
def test_every_reachable_total_gets_the_band_whose_range_contains_it(code):
    highest = sum(high for _, high in ITEM_RANGES[code])
    for total in range(highest + 1):
        assert score(code, answers_totalling(code, total)).band == expected_band(code, total)


@pytest.mark.parametrize("code", CODES)
def test_all_lowest_answers_score_zero(code):
    assert score(code, zeros(code)).total == 0


@pytest.mark.parametrize("code", CODES)
def test_answers_may_be_a_tuple(code):
    assert score(code, tuple(zeros(code))) == score(code, zeros(code))


def test_score_is_frozen_and_its_flags_are_a_frozenset():
    result = score("PHQ-9", with_values("PHQ-9", {9: 2}))
    assert isinstance(result.flags, frozenset)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 0  # type: ignore[misc]


# --- Invalid input -----------------------------------------------------------------------


def test_the_documented_messages_are_exact():
    with pytest.raises(ValueError) as wrong_value:
        score("PHQ-9", with_values("PHQ-9", {3: 7}))
    assert str(wrong_value.value) == "PHQ-9 item 3: must be a whole number from 0 to 3, got 7"
    with pytest.raises(ValueError) as wrong_length:
        score("PHQ-9", [0] * 8)
    assert str(wrong_length.value) == "PHQ-9 expects 9 answers, got 8"


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("change", [-1, +1], ids=["too few", "too many"])
def test_wrong_number_of_answers_is_rejected(code, change):
    expected = len(ITEM_RANGES[code])
    got = expected + change
    with pytest.raises(ValueError, match=f"^{code} expects {expected} answers, got {got}$"):
        score(code, [0] * got)


@pytest.mark.parametrize("code", CODES)
def test_no_answers_at_all_is_rejected(code):
    with pytest.raises(ValueError, match=f"expects {len(ITEM_RANGES[code])} answers, got 0"):
        score(code, [])


ITEM_POSITIONS = [
    (code, number, lowest, highest)
    for code, ranges in ITEM_RANGES.items()
    for number, (lowest, highest) in enumerate(ranges, start=1)
]


@pytest.mark.parametrize(("code", "number", "lowest", "highest"), ITEM_POSITIONS)
def test_answer_below_the_item_range_is_rejected_naming_the_item(code, number, lowest, highest):
    message = (
        f"^{code} item {number}: must be a whole number from {lowest} to {highest}, "
        f"got {lowest - 1}$"
    )
    with pytest.raises(ValueError, match=message):
        score(code, with_values(code, {number: lowest - 1}))


@pytest.mark.parametrize(("code", "number", "lowest", "highest"), ITEM_POSITIONS)
def test_answer_above_the_item_range_is_rejected_naming_the_item(code, number, lowest, highest):
    message = (
        f"^{code} item {number}: must be a whole number from {lowest} to {highest}, "
        f"got {highest + 1}$"
    )
    with pytest.raises(ValueError, match=message):
        score(code, with_values(code, {number: highest + 1}))


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        pytest.param(1.0, "1.0", id="float"),
        pytest.param(0.5, "0.5", id="fraction"),
        pytest.param(True, "True", id="True"),
        pytest.param(False, "False", id="False"),
        pytest.param("1", "'1'", id="str"),
        pytest.param(None, "None", id="None"),
    ],
)
def test_non_integer_answer_is_rejected_naming_the_item(code, bad, shown):
    last = len(ITEM_RANGES[code])
    answers = zeros(code)
    answers[-1] = bad
    with pytest.raises(ValueError, match=rf"^{code} item {last}: .* got {shown}$"):
        score(code, answers)


@pytest.mark.parametrize("code", CODES)
def test_the_first_bad_item_is_the_one_reported(code):
    answers = [-1] * len(ITEM_RANGES[code])
    with pytest.raises(ValueError, match=f"^{code} item 1:"):
        score(code, answers)


@pytest.mark.parametrize("answers", [None, "000000000", 0, {1: 0}], ids=repr)
def test_answers_that_are_not_a_list_are_a_type_error(answers):
    with pytest.raises(TypeError, match=r"^PHQ-9 expects a list of 9 answers"):
        score("PHQ-9", answers)


@pytest.mark.parametrize("code", ["PHQ9", "phq-9", "BDI-II", "", None])
def test_unknown_code_is_rejected_naming_the_code(code):
    with pytest.raises(ValueError, match=f"Unknown instrument code {code!r}"):
        score(code, [0] * 9)
    with pytest.raises(ValueError, match=f"Unknown instrument code {code!r}"):
        instrument(code)


# --- Item texts and options --------------------------------------------------------------


def test_the_five_instruments_are_exposed_under_their_codes():
    assert list(INSTRUMENTS) == CODES
    for code in CODES:
        assert instrument(code) is INSTRUMENTS[code]
        assert INSTRUMENTS[code].code == code


@pytest.mark.parametrize("code", CODES)
def test_each_instrument_has_the_published_number_of_items_numbered_from_1(code):
    numbers = [item.number for item in INSTRUMENTS[code].items]
    assert numbers == list(range(1, len(ITEM_RANGES[code]) + 1))


@pytest.mark.parametrize(("code", "number", "lowest", "highest"), ITEM_POSITIONS)
def test_each_item_offers_exactly_its_allowed_values_in_order(code, number, lowest, highest):
    item = INSTRUMENTS[code].items[number - 1]
    assert [option.value for option in item.options] == list(range(lowest, highest + 1))
    assert item.values == tuple(range(lowest, highest + 1))


@pytest.mark.parametrize(("code", "number", "lowest", "highest"), ITEM_POSITIONS)
def test_each_item_has_text_and_distinct_non_empty_labels(code, number, lowest, highest):
    item = INSTRUMENTS[code].items[number - 1]
    labels = [option.label for option in item.options]
    assert item.text.strip()
    assert all(label.strip() for label in labels)
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize(("code", "number", "lowest", "highest"), ITEM_POSITIONS)
def test_every_offered_option_is_accepted_by_score(code, number, lowest, highest):
    for option in INSTRUMENTS[code].items[number - 1].options:
        score(code, with_values(code, {number: option.value}))


@pytest.mark.parametrize(
    ("code", "cited"),
    [
        ("PHQ-9", ["Spitzer", "Kroenke", "Pfizer", "No permission required"]),
        ("GAD-7", ["Spitzer", "Kroenke", "Pfizer", "No permission required"]),
        ("PCL-5", ["Weathers", "National Center for PTSD", "Public domain", "past-month"]),
        ("C-SSRS", ["Columbia", "Screen Version - Recent", "Posner", "Lighthouse"]),
        ("CSI-4", ["Funk", "Rogge", "2007", "21(4), 572-583"]),
    ],
)
def test_each_instrument_cites_its_source(code, cited):
    form = INSTRUMENTS[code]
    assert form.title.strip()
    for words in cited:
        assert words in form.source


@pytest.mark.parametrize(
    ("code", "number", "text"),
    [
        ("PHQ-9", 1, "Little interest or pleasure in doing things"),
        (
            "PHQ-9",
            9,
            "Thoughts that you would be better off dead or of hurting yourself in some way",
        ),
        ("GAD-7", 1, "Feeling nervous, anxious or on edge"),
        ("GAD-7", 7, "Feeling afraid as if something awful might happen"),
        ("PCL-5", 1, "Repeated, disturbing, and unwanted memories of the stressful experience?"),
        ("PCL-5", 17, 'Being "superalert" or watchful or on guard?'),
        ("PCL-5", 20, "Trouble falling or staying asleep?"),
        (
            "C-SSRS",
            1,
            "Have you wished you were dead or wished you could go to sleep and not wake up?",
        ),
        ("C-SSRS", 2, "Have you actually had any thoughts of killing yourself?"),
        ("CSI-4", 3, "How rewarding is your relationship with your partner?"),
        ("CSI-4", 4, "In general, how satisfied are you with your relationship?"),
    ],
)
def test_spot_checked_item_texts_are_verbatim(code, number, text):
    assert INSTRUMENTS[code].items[number - 1].text == text


@pytest.mark.parametrize(
    ("code", "number", "labels"),
    [
        ("PHQ-9", 1, ["Not at all", "Several days", "More than half the days", "Nearly every day"]),
        ("GAD-7", 1, ["Not at all", "Several days", "More than half the days", "Nearly every day"]),
        ("PCL-5", 1, ["Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"]),
        ("C-SSRS", 1, ["No", "Yes"]),
        ("C-SSRS", 6, ["No", "Yes, over 3 months ago", "Yes, within the past 3 months"]),
        (
            "CSI-4",
            1,
            [
                "Extremely Unhappy",
                "Fairly Unhappy",
                "A Little Unhappy",
                "Happy",
                "Very Happy",
                "Extremely Happy",
                "Perfect",
            ],
        ),
        (
            "CSI-4",
            4,
            ["Not at all", "A little", "Somewhat", "Mostly", "Almost Completely", "Completely"],
        ),
    ],
)
def test_spot_checked_answer_labels_are_verbatim(code, number, labels):
    assert [o.label for o in INSTRUMENTS[code].items[number - 1].options] == labels


def test_csi4_items_2_to_4_have_six_point_labels_distinct_from_item_1():
    items = INSTRUMENTS["CSI-4"].items
    assert len(items[0].options) == 7
    assert [len(item.options) for item in items[1:]] == [6, 6, 6]
    assert items[1].options[0].label == "Not at all TRUE"


# --- Purity ------------------------------------------------------------------------------


def test_module_imports_only_the_standard_library_and_nothing_from_django():
    tree = ast.parse(Path(instruments.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert imported <= {"__future__", "collections.abc", "dataclasses"}


# --- Patient-facing wording --------------------------------------------------------------

# Lines meant for an interviewer or for paper, which a partner must never read.
NOT_FOR_PATIENTS = [
    "circle",
    "ask question",
    "ask questions",
    "if yes to",
    "if no to",
    "go directly",
]


@pytest.mark.parametrize("code", CODES)
def test_no_instrument_shows_interviewer_or_paper_instructions(code):
    form = INSTRUMENTS[code]
    shown = " ".join([form.instructions, form.adapted, form.source]).lower()
    shown += " ".join(item.text + item.hint for item in form.items).lower()
    assert not [words for words in NOT_FOR_PATIENTS if words in shown]


def test_pcl5_instructions_are_the_self_report_past_month_wording_with_select():
    instructions = INSTRUMENTS["PCL-5"].instructions
    assert instructions.startswith(
        "Below is a list of problems that people sometimes have in response to a very "
        "stressful experience. Please read each problem carefully and then select one of "
        "the answers to indicate how much you have been bothered by that problem in the "
        "past month."
    )
    assert instructions.endswith("In the past month, how much were you bothered by:")
    assert "select" in INSTRUMENTS["PCL-5"].adapted


def test_phq9_and_gad7_keep_the_patient_versions_two_week_question():
    assert INSTRUMENTS["PHQ-9"].instructions == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert INSTRUMENTS["GAD-7"].instructions == (
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    )


def test_cssrs_tells_the_partner_the_past_month_and_asks_for_yes_or_no():
    form = INSTRUMENTS["C-SSRS"]
    assert "past month" in form.instructions and "yes or no" in form.instructions
    assert [item.hint for item in form.items[:5]] == ["Past month"] * 5
