"""The screen of urgent words in messages (pure): the check-ins' crisis-word screen, one list
for both. What counts, in which forms, and what does not."""

import pytest

from integration.checkin_alerts import CRISIS_PHRASES
from integration.checkin_alerts import CRISIS_PHRASES as URGENT_PHRASES
from integration.checkin_alerts import has_crisis_words as has_urgent_words


@pytest.mark.parametrize(
    "text",
    [
        "I keep thinking about suicide",
        "SUICIDE",
        "I feel suicidal tonight",
        "Sometimes I want to kill myself",
        "sometimes I want to KILL   MYSELF",
        "I want to kill-myself",
        "I think I should end my life",
        "I want to die",
        "I just wanna die",
        "I took an overdose last night",
        "I overdosed on my pills",
        "I have been overdosing",
        "I can't go on like this",
        "I can’t go on like this",
        "I cant go on like this",
        "I don't want to live anymore",
        "I do not want to be alive",
        "Everyone would be better off without me",
        "I want to end it all.",
        "(suicide)",
        "Two suicides in my family",
        "line one\nkill myself\nline three",
    ],
)
def test_it_finds_urgent_words_in_any_case_spacing_or_apostrophe(text):
    assert has_urgent_words(text)


def test_it_counts_overdosed_on_coffee_too_a_false_alarm_costs_only_a_call():
    assert has_urgent_words("Ha, I overdosed on coffee this morning")


def test_it_counts_a_negation_a_person_decides_what_was_meant():
    assert has_urgent_words("I'm not suicidal, just tired")


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "The session went well and we slept fine",
        "This traffic will kill me",
        "That's odd",
        "I died laughing at the film",
        "We watched a documentary about a killer whale",
        "My dosage of vitamin D was changed",
        "skillmyself",
        "overdosage",
        "We want to diet together",
        "I endure my life with patience",
    ],
)
def test_it_does_not_fire_on_ordinary_words(text):
    assert not has_urgent_words(text)


@pytest.mark.parametrize("phrase", URGENT_PHRASES)
def test_every_phrase_of_the_list_is_found_on_its_own_and_inside_a_sentence(phrase):
    assert has_urgent_words(phrase)
    assert has_urgent_words(f"Lately, {phrase.upper()}, I think.")


@pytest.mark.parametrize("phrase", URGENT_PHRASES)
def test_no_phrase_fires_inside_a_longer_word(phrase):
    assert not has_urgent_words(f"x{phrase}x")


def test_the_messages_screen_covers_every_phrase_the_checkins_screen_does():
    assert set(CRISIS_PHRASES) <= set(URGENT_PHRASES)
