"""Reads of conversations, already scoped to the reader, with their unread counts.

A message is unread for a reader when someone else wrote it after the last message the
reader has read there (`ConversationRead`); each count is one query whatever the number
of conversations.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet

from intake.models import Couple, Partner
from kapcouples import policy
from kapcouples.models import Role
from kapcouples.prepared import PreparedCount
from messaging.models import Conversation, ConversationRead, Message

# Messages shown at once on a conversation page; earlier ones a link away.
PAGE_OF_MESSAGES = 50


def conversations_for_user(user) -> QuerySet[Conversation]:
    """The conversations `user` takes part in: a partner's own and those to both partners
    of their couple; a clinician's or prescriber's of the couples on their care team."""
    role = policy.role_of(user)
    if role not in _TAKING_PART:
        return Conversation.objects.none()
    return _conversations_of(role, **_scope(user, role))


_TAKING_PART = (Role.PARTNER, *policy.CLINICAL_ROLES)


def _scope(user, role) -> dict[str, int]:
    """The ids that pick `user`'s conversations (a role of `_TAKING_PART`)."""
    if role == Role.PARTNER:
        partner = user.partner_profile
        return {"partner_id": partner.pk, "couple_id": partner.couple_id}
    return {"member_id": user.pk, "clinic_id": policy.staff_clinic_id(user)}


def _conversations_of(role, **scope: int) -> QuerySet[Conversation]:
    if role == Role.PARTNER:
        return Conversation.objects.filter(
            Q(partner_id=scope["partner_id"]) | Q(audience=Conversation.Audience.BOTH),
            couple_id=scope["couple_id"],
        )
    couples = Couple.objects.of_clinic(scope["clinic_id"])
    return Conversation.objects.filter(
        couple__in=couples.with_care_team_member(scope["member_id"]).values("pk")
    )


def _unread_messages(role, *, reader_id: int, **scope: int) -> QuerySet[Message]:
    read_past = ConversationRead.objects.filter(
        user_id=reader_id,
        conversation=OuterRef("conversation"),
        last_read_message__gte=OuterRef("pk"),
    )
    unread = Message.objects.filter(conversation__in=_conversations_of(role, **scope).values("pk"))
    return unread.exclude(author_id=reader_id).exclude(Exists(read_past))


_UNREAD = PreparedCount(_unread_messages)


def unread_count(user) -> int:
    """Messages others wrote in `user`'s conversations that `user` has not read (one query,
    its SQL built once per process: the navigation shows it on every page)."""
    role = policy.role_of(user)
    if role not in _TAKING_PART:
        return 0
    return _UNREAD.count(role, reader_id=user.pk, **_scope(user, role))


def with_unread(conversations: QuerySet[Conversation], user) -> QuerySet[Conversation]:
    """Each conversation annotated with `unread`: messages by others past `user`'s marker."""
    return conversations.annotate(
        mine=FilteredRelation("reads", condition=Q(reads__user=user)),
        unread=Count(
            "messages",
            filter=~Q(messages__author=user)
            & (
                Q(mine__last_read_message__isnull=True)
                | Q(messages__pk__gt=F("mine__last_read_message"))
            ),
        ),
    )


def partner_conversations(user) -> QuerySet[Conversation]:
    """A partner's list: newest first, with unread counts."""
    conversations = conversations_for_user(user).select_related("partner")
    return with_unread(conversations, user).order_by("-last_message_at", "-pk")


def inbox(user, *, unread_only: bool = False) -> QuerySet[Conversation]:
    """The care team member's inbox over their couples, newest first, with unread counts."""
    conversations = conversations_for_user(user).select_related("partner", "couple")
    conversations = with_unread(conversations, user).prefetch_related("couple__partners")
    if unread_only:
        conversations = conversations.filter(unread__gt=0)
    return conversations.order_by("-last_message_at", "-pk")


def conversations_of_couple(couple, user) -> QuerySet[Conversation]:
    """Every conversation of a couple (for its care team's couple page), with `user`'s
    unread counts. `couple` and `user` may be given by their ids."""
    conversations = Conversation.objects.filter(couple=couple).select_related("partner")
    return with_unread(conversations, user).order_by("-last_message_at", "-pk")


@dataclass(frozen=True)
class MessagePage:
    messages: list[Message]
    earlier_before: int | None  # the id to ask `?before=` for the previous page, if any


def messages_page(conversation: Conversation, *, before: int | None = None) -> MessagePage:
    """The latest `PAGE_OF_MESSAGES` messages (before the id `before`), oldest first."""
    messages = conversation.messages.select_related("author__partner_profile", "author__membership")
    if before is not None:
        messages = messages.filter(pk__lt=before)
    newest = list(messages.order_by("-pk")[: PAGE_OF_MESSAGES + 1])
    shown = newest[:PAGE_OF_MESSAGES][::-1]
    earlier = shown[0].pk if len(newest) > PAGE_OF_MESSAGES else None
    return MessagePage(messages=shown, earlier_before=earlier)


def needs_crisis_help(user, messages: list[Message]) -> bool:
    """Whether to show `user` the crisis line at once: their latest message on the page
    held urgent words (the partner who wrote it, never the other partner)."""
    own = [message for message in messages if message.author_id == user.pk]
    return bool(own) and own[-1].urgent_words and policy.role_of(user) == Role.PARTNER


def addressees(conversation: Conversation) -> list[Partner]:
    """The partners a conversation is addressed to."""
    if conversation.partner_id is not None:
        return [conversation.partner]
    return list(conversation.couple.partners.all())
