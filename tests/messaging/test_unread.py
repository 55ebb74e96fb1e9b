"""Unread counts: per reader, never counting one's own messages, and each a fixed number
of queries however many conversations there are."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messaging import selectors, services
from tests.factories import CoupleFactory, PartnerFactory
from tests.messaging.helpers import private_of_a, to_both


def test_each_reader_counts_what_others_wrote_since_they_last_read(cast):
    private = private_of_a(cast)
    both = to_both(cast)
    assert selectors.unread_count(cast.clinician) == 2
    assert selectors.unread_count(cast.prescriber) == 2
    assert selectors.unread_count(cast.partner_a.user) == 1  # B's message to both
    assert selectors.unread_count(cast.partner_b.user) == 0  # A's private one is not B's
    services.conversation_mark_read(conversation=private, by=cast.clinician)
    assert selectors.unread_count(cast.clinician) == 1
    assert selectors.unread_count(cast.prescriber) == 2
    services.message_post(conversation=both, by=cast.clinician, body="Thursday at six works")
    assert selectors.unread_count(cast.clinician) == 0  # replying reads the conversation
    assert selectors.unread_count(cast.partner_b.user) == 1
    assert selectors.unread_count(cast.partner_a.user) == 2


def test_the_inbox_shows_each_conversations_unread_count_for_this_reader(cast):
    private = private_of_a(cast)
    services.message_post(conversation=private, by=cast.partner_a.user, body="One more thing")
    both = to_both(cast)
    services.conversation_mark_read(conversation=private, by=cast.prescriber)
    counts = {c.pk: c.unread for c in selectors.inbox(cast.clinician)}
    assert counts[private.pk] == 2
    assert {c.pk: c.unread for c in selectors.inbox(cast.prescriber)}[private.pk] == 0
    assert [c.pk for c in selectors.inbox(cast.prescriber, unread_only=True)] == [both.pk]


def test_staff_off_the_care_team_and_front_desk_have_no_conversations(cast):
    private_of_a(cast)
    for who in ("clinician_outside", "front_desk", "clinic_admin", "other_clinic_clinician"):
        assert selectors.unread_count(cast.user(who)) == 0
        assert not selectors.conversations_for_user(cast.user(who)).exists()


def _grow(cast, size: int) -> None:
    """`size` more couples of the clinician, each with an unread conversation to both."""
    for _ in range(size):
        couple = CoupleFactory(clinic=cast.clinic, primary_clinician=cast.clinician)
        partner = PartnerFactory(couple=couple, slot=1)
        services.conversation_start(
            couple=couple, by=partner.user, partner=None, subject="Hello", body="A question"
        )


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_the_unread_count_is_one_query_whatever_the_number_of_conversations(cast):
    private_of_a(cast)
    assert _queries(lambda: selectors.unread_count(cast.clinician)) == 1
    _grow(cast, 12)
    assert _queries(lambda: selectors.unread_count(cast.clinician)) == 1
    assert selectors.unread_count(cast.clinician) == 13


def test_the_inbox_and_the_navigation_count_make_the_same_queries_at_two_sizes(cast, client_for):
    client = client_for(cast.clinician)
    _grow(cast, 2)
    small = _queries(lambda: client.get(reverse("messaging:inbox")))
    _grow(cast, 20)
    response = client.get(reverse("messaging:inbox"))
    assert response.content.decode().count('data-testid="unread"') == 22
    assert _queries(lambda: client.get(reverse("messaging:inbox"))) == small


def _post_many(conversation, cast, count: int) -> None:
    for n in range(count):
        author = cast.clinician if n % 2 else cast.partner_a.user
        services.message_post(conversation=conversation, by=author, body=f"Message {n}")


def test_a_conversation_page_makes_the_same_queries_with_more_messages(cast, client_for):
    conversation = private_of_a(cast)
    url = reverse("messaging:conversation", kwargs={"conversation_id": conversation.pk})
    client = client_for(cast.prescriber)
    client.get(url)  # the first read writes its audit row and read marker
    _post_many(conversation, cast, 3)
    small = _queries(lambda: client.get(url))
    _post_many(conversation, cast, 30)
    assert _queries(lambda: client.get(url)) == small


def test_the_partner_list_makes_the_same_queries_with_more_conversations(cast, client_for):
    client = client_for(cast.partner_a.user)
    url = reverse("messaging:conversation_list")
    private_of_a(cast)
    small = _queries(lambda: client.get(url))
    for _ in range(10):
        private_of_a(cast)
        to_both(cast)
    response = client.get(url)
    assert response.content.decode().count("/conversations/") >= 21
    assert _queries(lambda: client.get(url)) == small
