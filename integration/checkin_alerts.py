"""Alerts a partner's check-in answer raises: low or falling connection, words of crisis
or self-harm, an explicit request to be contacted.

The alerts never quote the partner's text: the care team opens the check-in to read it
(their access is audited there), and the urgent emails say nothing clinical at all.
"""

import re

from integration.alerts import alert_raise
from integration.models import Alert, CheckIn

# Connection is rated 0–10. At or below this is low whatever came before.
LOW_CONNECTION = 3
# A fall of this many points since the partner's previous answered check-in.
CONNECTION_DROP = 4

# A screen for a human to read, not a diagnosis: phrases of self-harm, suicide or crisis
# as partners write them, in check-ins and secure messages alike. A clinician should
# review any change; extend here only. Matched whole (word boundaries), case-insensitive,
# any spacing between the words. It leans towards false alarms: every form of "overdose"
# and negations ("I'm not suicidal") count, a person decides what was meant; everyday
# idioms ("this will kill me") stay out so the alert is not learnt to be ignored.
CRISIS_PHRASES = (
    "suicide",
    "suicidal",
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "take my own life",
    "want to die",
    "wish i was dead",
    "wish i were dead",
    "better off dead",
    "better off without me",
    "no reason to live",
    "self-harm",
    "harm myself",
    "hurt myself",
    "hurting myself",
    "cut myself",
    "cutting myself",
    "overdose",
    "can't go on",
    "cannot go on",
    "can't keep myself safe",
    "not safe with myself",
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


def _phrase_pattern(phrase: str) -> str:
    """Words apart by any spaces or hyphens; an apostrophe typed straight, curly or not at all."""
    words = [re.escape(word).replace("'", "['’]?") for word in re.split(r"[\s\-]+", phrase)]
    return r"[\s\-]+".join(words)


CRISIS_WORDS = re.compile(
    r"\b(?:" + "|".join(_phrase_pattern(p) for p in CRISIS_PHRASES) + r")\b", re.IGNORECASE
)


def has_crisis_words(text: str) -> bool:
    """Whether `text` contains one of the reviewed crisis phrases (whole words only)."""
    return bool(CRISIS_WORDS.search(text or ""))


def connection_is_low(connection: int | None, previous: int | None) -> bool:
    """Low at `LOW_CONNECTION` or below, or fallen by `CONNECTION_DROP` or more."""
    if connection is None:
        return False
    fell = previous is not None and previous - connection >= CONNECTION_DROP
    return connection <= LOW_CONNECTION or fell


def previous_connection(checkin: CheckIn) -> int | None:
    """The connection the partner gave in their last answered check-in before this one."""
    return (
        CheckIn.objects.filter(partner_id=checkin.partner_id, connection__isnull=False)
        .exclude(pk=checkin.pk)
        .exclude(answered_at=None)
        .filter(due_at__lte=checkin.due_at)
        .order_by("-due_at", "-pk")
        .values_list("connection", flat=True)
        .first()
    )


def checkin_alerts_raise(checkin: CheckIn) -> list[Alert]:
    """Raise the alerts an answered check-in calls for (each once per check-in).

    Call from the answering service, inside its transaction, after the policy check.
    """
    name, raised = checkin.partner.first_name, []
    where = f"{name}'s day {checkin.day} check-in"
    if has_crisis_words(f"{checkin.came_up}\n{checkin.practice}"):
        raised.append(
            _raise(
                checkin,
                Alert.Kind.CHECKIN_CRISIS_WORDS,
                f"{where} has words of crisis or self-harm in a free-text answer. "
                f"Read the check-in and contact {name} today.",
                urgent=True,
            )
        )
    if checkin.contact_requested:
        raised.append(
            _raise(
                checkin,
                Alert.Kind.CHECKIN_CONTACT_REQUEST,
                f"{where}: {name} asks to be contacted by the care team.",
                urgent=True,
            )
        )
    previous = previous_connection(checkin)
    if connection_is_low(checkin.connection, previous):
        was = f" (was {previous})" if previous is not None else ""
        raised.append(
            _raise(
                checkin,
                Alert.Kind.CHECKIN_LOW_CONNECTION,
                f"{where}: connection to their partner {checkin.connection} of 10{was}.",
            )
        )
    return raised


def _raise(checkin: CheckIn, kind: str, message: str, *, urgent: bool = False) -> Alert:
    return alert_raise(
        couple=checkin.couple,
        partner=checkin.partner,
        kind=kind,
        message=message,
        dedupe_key=f"checkin:{checkin.pk}:{kind}",
        urgent=urgent,
    )
