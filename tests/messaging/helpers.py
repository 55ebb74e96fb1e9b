"""Conversations of the standard cast (tests/conftest.py), made through the services."""

from messaging import services


def private_of_a(cast, body: str = "A question for my care team", subject: str = "Sleep"):
    """Partner A's private conversation with the care team, opened by partner A."""
    conversation, _message = services.conversation_start(
        couple=cast.couple,
        by=cast.partner_a.user,
        partner=cast.partner_a,
        subject=subject,
        body=body,
    )
    return conversation


def to_both(cast, body: str = "A question from both of us", by=None):
    """A conversation addressed to both partners, opened by partner B (or `by`)."""
    conversation, _message = services.conversation_start(
        couple=cast.couple,
        by=by or cast.partner_b.user,
        partner=None,
        subject="Times",
        body=body,
    )
    return conversation
