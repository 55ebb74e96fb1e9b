"""Messages to a named adult chaperone of an at-home session: a recipient with no account.

This app imports no athome code: athome registers, when Django starts, how to reach a
chaperone (`contact`) and how to mint a fresh link for them (`fresh_link`). The link is
minted at delivery, inside the message's savepoint, so the outbox row never holds a
secret and a message that fails to go out leaves the earlier link as it was.
"""

from collections.abc import Callable
from dataclasses import dataclass

from integration.models import Reminder


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str
    # The chaperone has no profile of their own: the dosing partner's zone and language.
    timezone: str
    language: str


@dataclass(frozen=True)
class Hooks:
    contact: Callable[[int], Contact]  # chaperone id -> how to reach them
    fresh_link: Callable[[int], str]  # chaperone id -> a new link path (the old one stops)


_hooks: list[Hooks] = []


def register_chaperone_hooks(*, contact, fresh_link) -> None:
    _hooks[:] = [Hooks(contact=contact, fresh_link=fresh_link)]


def _registered() -> Hooks:
    if not _hooks:
        raise LookupError("The athome app has not registered its chaperone hooks (ready()).")
    return _hooks[0]


def contact_of(reminder: Reminder) -> Contact:
    """Read once per reminder object (rendering asks for the zone, language and name)."""
    cached = getattr(reminder, "_chaperone_contact", None)
    if cached is None:
        cached = _registered().contact(reminder.chaperone_id)
        reminder._chaperone_contact = cached
    return cached


def contact_by_id(chaperone_id: int) -> Contact:
    return _registered().contact(chaperone_id)


def fresh_link_path(reminder: Reminder) -> str:
    return _registered().fresh_link(reminder.chaperone_id)
