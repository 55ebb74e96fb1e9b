"""Telling the other participants that a message is waiting: one outbox row each, which
says only "You have a new message" with a link, never the message (texts and e-mails land
on lock screens and shared inboxes).

While a recipient has not read the conversation, later messages add no new row: the key
names the last message they had read, so the first unread message's notice stands for
the rest.
"""

from django.urls import reverse
from django.utils import timezone

from integration.alerts import care_team
from integration.models import Reminder
from integration.outbox import reminder_schedule
from messaging.models import ConversationRead, Message
from messaging.selectors import addressees


def notify_participants(message: Message) -> list[Reminder]:
    """Outbox rows to everyone in the conversation but the author: partners by their
    chosen channel, the care team by e-mail. Call inside the posting transaction."""
    conversation = message.conversation
    partners = [p for p in addressees(conversation) if p.user_id and p.user_id != message.author_id]
    staff = [user for user in care_team(conversation.couple) if user.pk != message.author_id]
    markers = _read_markers(conversation.pk, [p.user_id for p in partners] + [u.pk for u in staff])
    link = reverse("messaging:conversation", args=[conversation.pk])
    common = {
        "clinic_id": conversation.couple.clinic_id,
        "kind": Reminder.Kind.CONVERSATION_MESSAGE,
        "about": conversation,
        "due_at": timezone.now(),
        "link_path": link,
    }
    rows = [
        reminder_schedule(
            partner=p, idempotency_key=_key(conversation, p.user_id, markers), **common
        )
        for p in partners
    ]
    return rows + [
        reminder_schedule(staff_user=u, idempotency_key=_key(conversation, u.pk, markers), **common)
        for u in staff
    ]


def _read_markers(conversation_id: int, user_ids: list[int]) -> dict[int, int]:
    reads = ConversationRead.objects.filter(conversation_id=conversation_id, user_id__in=user_ids)
    return dict(reads.values_list("user_id", "last_read_message_id"))


def _key(conversation, user_id: int, markers: dict[int, int]) -> str:
    return f"conversation:{conversation.pk}:to:{user_id}:read-to:{markers.get(user_id, 0)}"
