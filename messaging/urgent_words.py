"""The screen of urgent words in a partner's message (pure: no database, no settings).

It finds words of suicide, self-harm or overdose so that the partner sees the crisis line
at once and the care team gets an urgent alert. It is a screen for a person to read, not
a diagnosis, and it leans towards false alarms: a false alarm costs the care team a call,
a miss may cost a life. So:

- every form of "overdose" counts: "I overdosed", "overdosing", even "overdosed on
  coffee" (whether that was a joke is for the care team to judge, not a word list);
- negations count too ("I'm not suicidal"): a reader decides what was meant;
- everyday idioms stay out ("this will kill me", "that's odd" for "OD'd"): they would
  alarm the care team every day and teach them to ignore the alert;
- whole words only, any case, any spacing or hyphen between the words, an apostrophe
  typed straight, curly or not at all ("can't", "can’t", "cant").

It starts from the check-ins' reviewed list (`integration.checkin_alerts`) so that the
two screens never drift apart, and adds the forms a message more often holds.
"""

import re

from integration.checkin_alerts import CRISIS_PHRASES

MESSAGE_PHRASES = (
    "suicides",
    "overdosed",
    "overdosing",
    "overdoses",
    "wanna die",
    "want to be dead",
    "don't want to live",
    "do not want to live",
    "don't want to be alive",
    "do not want to be alive",
    "take my life",
    "end it all",
)
URGENT_PHRASES = CRISIS_PHRASES + MESSAGE_PHRASES


def _phrase_pattern(phrase: str) -> str:
    words = [re.escape(word).replace("'", "['’]?") for word in re.split(r"[\s\-]+", phrase)]
    return r"[\s\-]+".join(words)


URGENT_WORDS = re.compile(
    r"\b(?:" + "|".join(_phrase_pattern(p) for p in URGENT_PHRASES) + r")\b", re.IGNORECASE
)


def has_urgent_words(text: str) -> bool:
    """Whether `text` holds one of the urgent phrases, as whole words."""
    return bool(URGENT_WORDS.search(text or ""))
