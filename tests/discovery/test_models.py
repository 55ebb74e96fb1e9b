"""The database has the last word on a request: consent given with its wording, a phone for
calls and texts, a short reason, a booked call with its time, and a couple exactly when
enrolled; and a clinic keeps requests for 7 to 730 days."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from discovery.models import DiscoveryRequest, DiscoverySettings
from tests.discovery.helpers import make_request

pytestmark = pytest.mark.django_db

REQUESTS = DiscoveryRequest._meta.db_table
COLUMNS = (
    "clinic_id, first_name, second_name, email, phone, preferred_contact, preferred_times, "
    "reason, consent_to_contact, consent_wording, language, created_at, status, call_at, "
    "couple_id"
)


def insert_request(clinic, **changes) -> None:
    row = {
        "clinic_id": clinic.pk,
        "first_name": "Robin",
        "second_name": "Kai",
        "email": "robin@example.com",
        "phone": "",
        "preferred_contact": "email",
        "preferred_times": "Evenings",
        "reason": "We would like to talk.",
        "consent_to_contact": True,
        "consent_wording": "We agree.",
        "language": "en",
        "created_at": timezone.now(),
        "status": "new",
        "call_at": None,
        "couple_id": None,
        **changes,
    }
    marks = ", ".join(["%s"] * len(row))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {REQUESTS} ({COLUMNS}) VALUES ({marks})", list(row.values()))


def test_a_well_formed_row_is_accepted(cast):
    insert_request(cast.clinic)
    assert DiscoveryRequest.objects.count() == 1


@pytest.mark.parametrize(
    "changes,constraint",
    [
        ({"consent_to_contact": False}, "discovery_request_consented"),
        ({"consent_wording": ""}, "discovery_request_consented"),
        ({"preferred_contact": "text"}, "discovery_request_phone_for_calls_and_texts"),
        ({"reason": "x" * 1001}, "discovery_request_reason_short"),
        ({"status": "archived"}, "discovery_request_status_known"),
        ({"status": "call_booked"}, "discovery_request_booked_call_has_time"),
        ({"status": "enrolled"}, "discovery_request_enrolled_iff_couple"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_the_database_refuses_a_bad_row(cast, changes, constraint):
    with pytest.raises(IntegrityError, match=constraint):
        insert_request(cast.clinic, **changes)


def test_a_couple_without_enrolled_status_is_refused(cast):
    with pytest.raises(IntegrityError, match="discovery_request_enrolled_iff_couple"):
        insert_request(cast.clinic, couple_id=cast.couple.pk)


def test_a_couple_is_enrolled_from_one_request_at_most(cast):
    make_request(cast.clinic, status="enrolled", couple=cast.couple)
    with pytest.raises(IntegrityError):
        insert_request(cast.clinic, status="enrolled", couple_id=cast.couple.pk)


@pytest.mark.parametrize("days", [6, 731])
def test_retention_outside_7_to_730_days_is_refused(cast, days):
    settings_row = DiscoverySettings.for_clinic(cast.clinic.pk)
    with (
        pytest.raises(IntegrityError, match="discovery_settings_retention_in_range"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"UPDATE {DiscoverySettings._meta.db_table} SET retention_days = %s WHERE id = %s",
            [days, settings_row.pk],
        )
