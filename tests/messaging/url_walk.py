"""Objects for this app's URL parameters in the URL walk (tests/kapcouples/test_url_access.py)."""


def url_kwargs(cast) -> dict:
    """Partner A's private conversation, made the first time and reused after."""
    from messaging.models import Conversation
    from tests.messaging.helpers import private_of_a

    conversation = Conversation.objects.filter(partner=cast.partner_a).first() or private_of_a(cast)
    return {"conversation_id": conversation.pk}
