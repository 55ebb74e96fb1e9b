"""This app's part of `manage.py seed_demo` (safe to run twice): three discovery-call
requests at the demo clinic, one new, one with a call booked by the front desk, one
declined, as a prospective couple would send them from the public page."""

import datetime

from django.utils import timezone

from discovery import services
from discovery.forms import CONSENT_WORDING
from discovery.models import DiscoveryRequest
from kapcouples.demo import DemoSeed
from kapcouples.models import Role

REQUESTS = [
    {
        "first_name": "Robin",
        "second_name": "Kai",
        "email": "robin.kai@example.com",
        "phone": "",
        "preferred_contact": "email",
        "preferred_times": "Weekday evenings after 6",
        "reason": "We keep having the same argument and would like to understand why.",
    },
    {
        "first_name": "Dana",
        "second_name": "Lee",
        "email": "dana@example.com",
        "phone": "+1 555 0100 222",
        "preferred_contact": "phone",
        "preferred_times": "Saturday mornings",
        "reason": "A friend told us about your programme; we want to know if it fits us.",
    },
    {
        "first_name": "Noor",
        "second_name": "Eli",
        "email": "noor@example.com",
        "phone": "+1 555 0100 333",
        "preferred_contact": "text",
        "preferred_times": "Any weekday lunchtime",
        "reason": "We are curious about couples therapy after a hard year.",
    },
]


def seed(demo: DemoSeed) -> None:
    desk = demo.staff.get(Role.FRONT_DESK)
    if desk is None or DiscoveryRequest.objects.filter(clinic=demo.clinic).exists():
        return
    made = [
        services.discovery_request_submit(
            clinic=demo.clinic,
            source=services.source_of(f"demo-{n}", demo.clinic),
            values=values,
            consent_wording=str(CONSENT_WORDING),
            language="en",
        )
        for n, values in enumerate(REQUESTS)
    ]
    call_at = timezone.now().replace(minute=0, second=0, microsecond=0)
    call_at += datetime.timedelta(days=2)
    services.discovery_call_book(discovery_request=made[1], by=desk, call_at=call_at)
    services.discovery_request_decline(discovery_request=made[2], by=desk)
