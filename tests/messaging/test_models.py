"""The database has the last word on messages: a body of more than 5,000 characters or of
nothing but spaces cannot be written, a conversation names its partner exactly when it
is private, and a message once written is never changed or removed, even by raw SQL."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from messaging.models import Conversation, Message
from tests.messaging.helpers import private_of_a

CONVERSATIONS = Conversation._meta.db_table
MESSAGES = Message._meta.db_table


def execute(sql: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_message(conversation, author, body: str) -> None:
    execute(
        f"INSERT INTO {MESSAGES} (conversation_id, author_id, body, sent_at, urgent_words)"
        " VALUES (%s, %s, %s, %s, false)",
        [conversation.pk, author.pk, body, timezone.now()],
    )


def insert_conversation(cast, *, audience: str, partner_id, subject: str = "Hello") -> None:
    now = timezone.now()
    execute(
        f"INSERT INTO {CONVERSATIONS} (couple_id, audience, partner_id, subject, started_by_id,"
        " started_at, last_message_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [cast.couple.pk, audience, partner_id, subject, cast.clinician.pk, now, now],
    )


@pytest.fixture
def conversation(cast):
    return private_of_a(cast)


def test_a_body_of_exactly_5000_characters_is_accepted(cast, conversation):
    insert_message(conversation, cast.clinician, "x" * 5000)
    assert conversation.messages.count() == 2


def test_a_body_over_5000_characters_is_refused(cast, conversation):
    with pytest.raises(IntegrityError, match="message_body_at_most_5000_chars"):
        insert_message(conversation, cast.clinician, "x" * 5001)


@pytest.mark.parametrize("body", ["", "   ", "\n\t \n"])
def test_a_blank_body_is_refused(cast, conversation, body):
    with pytest.raises(IntegrityError, match="message_body_not_blank"):
        insert_message(conversation, cast.clinician, body)


@pytest.mark.parametrize(
    "audience,partner", [("private", None), ("both", "a"), ("secret", "a"), ("secret", None)]
)
def test_a_conversation_names_its_partner_exactly_when_private(cast, audience, partner):
    partner_id = cast.partner_a.pk if partner else None
    with pytest.raises(IntegrityError, match="conversation_partner_iff_private"):
        insert_conversation(cast, audience=audience, partner_id=partner_id)


def test_both_shapes_of_conversation_are_accepted(cast):
    insert_conversation(cast, audience="private", partner_id=cast.partner_a.pk)
    insert_conversation(cast, audience="both", partner_id=None)
    assert Conversation.objects.filter(couple=cast.couple).count() == 2


def test_a_blank_subject_is_refused(cast):
    with pytest.raises(IntegrityError, match="conversation_subject_not_blank"):
        insert_conversation(cast, audience="both", partner_id=None, subject="  ")


def test_the_database_refuses_to_edit_a_message(conversation):
    with pytest.raises(DatabaseError, match="append-only: UPDATE refused"):
        execute(
            f"UPDATE {MESSAGES} SET body = 'changed' WHERE conversation_id = %s", [conversation.pk]
        )
    assert conversation.messages.get().body == "A question for my care team"


def test_the_database_refuses_to_delete_a_message(conversation):
    with pytest.raises(DatabaseError, match="append-only: DELETE refused"):
        execute(f"DELETE FROM {MESSAGES} WHERE conversation_id = %s", [conversation.pk])
    assert conversation.messages.count() == 1


def test_the_application_has_no_path_to_edit_or_delete_a_message(conversation):
    message = conversation.messages.get()
    message.body = "changed"
    with pytest.raises(TypeError, match="never edited"):
        message.save()
    with pytest.raises(TypeError, match="never deleted"):
        message.delete()
    with pytest.raises(TypeError, match="never edited"):
        Message.objects.filter(pk=message.pk).update(body="changed")
    with pytest.raises(TypeError, match="never deleted"):
        Message.objects.filter(pk=message.pk).delete()
    assert Message.objects.get(pk=message.pk).body == "A question for my care team"
