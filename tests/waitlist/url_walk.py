"""Objects for this app's URL parameters in the URL walk (tests/kapcouples/test_url_access.py)."""


def url_kwargs(cast) -> dict:
    # The walk asks more than once per test: make the objects once per cast.
    if not hasattr(cast, "_waitlist_walk"):
        cast._waitlist_walk = _objects(cast)
    return cast._waitlist_walk


def _objects(cast) -> dict:
    from tests.waitlist.helpers import cancelled_slot, wait
    from waitlist import services

    entry = wait(cast)
    offer = services.offer_send(
        appointment=cancelled_slot(cast), entries=[entry], by=cast.front_desk
    )
    return {
        "entry_id": entry.pk,
        "offer_id": offer.pk,
        "recipient_id": offer.recipients.get().pk,
    }
