"""Discovery-call requests made directly, as the public page would have stored them."""

from discovery.forms import CONSENT_WORDING
from discovery.models import DiscoveryRequest

VALID_POST = {
    "first_name": "Robin",
    "second_name": "Kai",
    "email": "robin.kai@example.com",
    "phone": "+1 555 0100 222",
    "preferred_contact": "phone",
    "preferred_times": "Weekday evenings after 6",
    "reason": "We keep having the same argument and would like to understand why.",
    "consent_to_contact": "on",
    "website": "",
}


def make_request(clinic, **overrides) -> DiscoveryRequest:
    values = {
        "first_name": "Robin",
        "second_name": "Kai",
        "email": "robin.kai@example.com",
        "phone": "",
        "preferred_contact": "email",
        "preferred_times": "Evenings",
        "reason": "We would like to talk.",
        "consent_to_contact": True,
        "consent_wording": str(CONSENT_WORDING),
        "language": "en",
        **overrides,
    }
    return DiscoveryRequest.objects.create(clinic=clinic, **values)
