"""Writes of the messaging app: starting a conversation, posting a message, reading.

Each takes the acting user and asks the access policy itself; a message is checked for
urgent words as it is sent, and the care team alerted in the same transaction.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import Partner
from integration.alerts import alert_raise
from integration.checkin_alerts import has_crisis_words
from integration.models import Alert
from kapcouples import policy
from kapcouples.services import DomainError
from messaging import notifications
from messaging.models import (
    BODY_MAX_CHARS,
    SUBJECT_MAX_CHARS,
    Conversation,
    ConversationRead,
    Message,
)


class InvalidMessage(DomainError):
    """The text of a message or subject cannot be sent as it is (shown next to its field)."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@transaction.atomic
def conversation_start(
    *, couple, by, partner: Partner | None, subject: str, body: str
) -> tuple[Conversation, Message]:
    """Open a conversation of `couple` (private to `partner`, or to both partners when
    None) with its first message. A partner may open one only for themselves or both."""
    policy.ensure(policy.can_start_conversation, by, couple, to="start a conversation")
    _check_addressee(couple, by, partner)
    subject = _clean_text(subject, field="subject", limit=SUBJECT_MAX_CHARS)
    audience = Conversation.Audience.PRIVATE if partner else Conversation.Audience.BOTH
    conversation = Conversation(
        couple=couple, audience=audience, partner=partner, subject=subject, started_by=by
    )
    conversation.full_clean()
    conversation.save()
    return conversation, message_post(conversation=conversation, by=by, body=body)


def _check_addressee(couple, by, partner: Partner | None) -> None:
    if partner is not None and partner.couple_id != couple.pk:
        raise DomainError(_("That partner is not a member of this couple."))
    own = getattr(by, "partner_profile", None)
    if own is not None and partner is not None and partner.pk != own.pk:
        raise DomainError(_("You can write to your care team alone, or to both of you."))


@transaction.atomic
def message_post(*, conversation: Conversation, by, body: str) -> Message:
    """Append a message; tell the others it is waiting; alert the care team at once when a
    partner's message holds urgent words (the alert never quotes them)."""
    policy.ensure(policy.can_post_to, by, conversation, to="write in this conversation")
    body = _clean_text(body, field="body", limit=BODY_MAX_CHARS)
    from_partner = policy.is_conversation_partner(by, conversation)
    message = Message(
        conversation=conversation,
        author=by,
        body=body,
        urgent_words=from_partner and has_crisis_words(body),
    )
    message.full_clean()
    message.save()
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.sent_at)
    _mark_read(conversation, by, message)
    notifications.notify_participants(message)
    if message.urgent_words:
        _alert_urgent_words(message, by.partner_profile)
    return message


def _clean_text(value: str, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidMessage(_("Write something before sending."), field=field)
    if len(value) > limit:
        raise InvalidMessage(
            _("Keep it to %(limit)s characters; this has %(count)s.")
            % {"limit": f"{limit:,}", "count": f"{len(value):,}"},
            field=field,
        )
    return value


def _alert_urgent_words(message: Message, partner: Partner) -> Alert:
    name = partner.first_name
    return alert_raise(
        couple=message.conversation.couple,
        partner=partner,
        kind=Alert.Kind.MESSAGE_CRISIS_WORDS,
        message=(
            f"{name} wrote words of crisis or self-harm in a secure message. "
            f"Read the conversation and contact {name} today."
        ),
        dedupe_key=f"message:{message.pk}:urgent-words",
        urgent=True,
    )


def conversation_mark_read(*, conversation: Conversation, by) -> None:
    """Record that `by` has read the conversation up to its latest message."""
    policy.ensure(policy.can_read_conversation, by, conversation, to="read this conversation")
    latest = conversation.messages.order_by("-pk").first()
    if latest is not None:
        _mark_read(conversation, by, latest)


def _mark_read(conversation: Conversation, by, message: Message) -> None:
    """Set the reader's marker to `message`, in one statement (made or moved)."""
    ConversationRead.objects.bulk_create(
        [
            ConversationRead(
                conversation=conversation,
                user=by,
                last_read_message=message,
                read_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["conversation", "user"],
        update_fields=["last_read_message", "read_at"],
    )
