"""Objects for this app's URL parameters in the URL walk (tests/kapcouples/test_url_access.py)."""


def url_kwargs(cast) -> dict:
    """The cast's clinic and a new request of it, made the first time and reused after."""
    from discovery.models import DiscoveryRequest
    from tests.discovery.helpers import make_request

    found = DiscoveryRequest.objects.filter(clinic=cast.clinic).first() or make_request(cast.clinic)
    return {"clinic_slug": cast.clinic.slug, "discovery_request_id": found.pk}
