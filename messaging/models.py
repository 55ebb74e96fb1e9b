"""Conversations between a couple's partners and their care team, and their messages.

A conversation is private to one partner (that partner and the care team) or addressed
to both partners (both and the care team). Messages are append-only: never edited,
never deleted, in the application or in the database (a trigger refuses both).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from intake.models import Couple, Partner

BODY_MAX_CHARS = 5000
SUBJECT_MAX_CHARS = 120


class Conversation(models.Model):
    """One thread of a couple. `partner` is set exactly when it is private to that partner."""

    class Audience(models.TextChoices):
        PRIVATE = "private", _("Only one partner and the care team")
        BOTH = "both", _("Both partners and the care team")

    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="conversations")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="private_conversations",
    )
    subject = models.CharField(max_length=SUBJECT_MAX_CHARS)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    # Kept with each message (by a queryset update, outside the history) to sort inboxes.
    last_message_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(excluded_fields=["last_message_at"])

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience="private", partner__isnull=False)
                | Q(audience="both", partner__isnull=True),
                name="conversation_partner_iff_private",
            ),
            models.CheckConstraint(
                condition=Q(subject__regex=r"\S"), name="conversation_subject_not_blank"
            ),
        ]
        indexes = [
            models.Index(fields=["couple", "-last_message_at"], name="conversation_couple_recent"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_private(self) -> bool:
        return self.audience == self.Audience.PRIVATE


class MessageQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Messages are never edited: write a new message instead.")

    def delete(self):
        raise TypeError("Messages are never deleted.")


class Message(models.Model):
    """One message, as sent. `urgent_words` records that the screen of urgent words found
    some when it was sent (the care team was alerted)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=BODY_MAX_CHARS)
    sent_at = models.DateTimeField(default=timezone.now)
    urgent_words = models.BooleanField(default=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["sent_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), BODY_MAX_CHARS),
                name="message_body_at_most_5000_chars",
            ),
            models.CheckConstraint(condition=Q(body__regex=r"\S"), name="message_body_not_blank"),
        ]
        indexes = [models.Index(fields=["conversation", "id"], name="message_conversation_id")]

    def __str__(self) -> str:
        return f"Message {self.pk} in conversation {self.conversation_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Messages are never edited: write a new message instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Messages are never deleted.")


class ConversationRead(models.Model):
    """How far one reader has read one conversation: every message after
    `last_read_message` that someone else wrote is unread for them."""

    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    last_read_message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="conversation_read_once_per_reader"
            ),
        ]
        indexes = [models.Index(fields=["user", "conversation"], name="conversation_read_user")]

    def __str__(self) -> str:
        return f"{self.user} read {self.conversation_id} up to {self.last_read_message_id}"
