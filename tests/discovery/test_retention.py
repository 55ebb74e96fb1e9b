"""Requests of couples who never enrol are deleted after the clinic's retention period (from
the request, or from a later booked call); enrolled couples' requests stay. The clinic
admin sets the period."""

import datetime
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from discovery import services, tasks
from discovery.models import DiscoveryRequest, DiscoverySettings, SubmissionMark
from kapcouples import policy
from tests.discovery.helpers import make_request

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - days * DAY


def test_the_purge_deletes_only_expired_requests_of_couples_who_never_enrolled(cast):
    DiscoverySettings.objects.create(clinic=cast.clinic, retention_days=30)
    expired = make_request(cast.clinic, created_at=days_ago(31))
    declined = make_request(cast.clinic, created_at=days_ago(45), status="declined")
    recent = make_request(cast.clinic, created_at=days_ago(29))
    enrolled = make_request(
        cast.clinic, created_at=days_ago(400), status="enrolled", couple=cast.couple
    )
    call_later = make_request(
        cast.clinic, created_at=days_ago(40), status="call_booked", call_at=days_ago(10)
    )
    # The other clinic keeps the default 90 days.
    other_kept = make_request(cast.other_clinic, created_at=days_ago(60))
    other_expired = make_request(cast.other_clinic, created_at=days_ago(91))

    assert services.discovery_requests_purge() == 3

    left = set(DiscoveryRequest.objects.values_list("pk", flat=True))
    assert left == {recent.pk, enrolled.pk, call_later.pk, other_kept.pk}
    assert not {expired.pk, declined.pk, other_expired.pk} & left


def test_the_purge_is_safe_to_run_twice_and_logs_counts_only(cast, caplog):
    make_request(cast.clinic, created_at=days_ago(100), email="secret@example.com")
    with caplog.at_level(logging.INFO, logger="discovery.services"):
        assert tasks.purge_expired_requests() == 1
        assert tasks.purge_expired_requests() == 0
    assert "Deleted 1 expired" in caplog.text
    assert "secret@example.com" not in caplog.text and "Robin" not in caplog.text


def test_the_purge_drops_rate_limit_marks_older_than_a_day(cast):
    old = SubmissionMark.objects.create(clinic=cast.clinic, source="a" * 64, at=days_ago(1.1))
    fresh = SubmissionMark.objects.create(clinic=cast.clinic, source="b" * 64, at=days_ago(0.5))
    services.discovery_requests_purge()
    assert list(SubmissionMark.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not SubmissionMark.objects.filter(pk=old.pk).exists()


def test_the_purge_runs_daily_from_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-discovery-requests"]
    assert entry["task"] == tasks.purge_expired_requests.name
    assert entry["schedule"] == 86400.0


def test_the_clinic_admin_sets_the_retention_period(cast, client_for):
    response = client_for(cast.clinic_admin).post(
        reverse("discovery:settings_edit"), {"retention_days": "30"}
    )
    assert response.status_code == 302
    assert DiscoverySettings.for_clinic(cast.clinic.pk).retention_days == 30
    assert DiscoverySettings.for_clinic(cast.other_clinic.pk).retention_days == 90


def test_a_retention_out_of_range_is_refused_beside_the_field(cast, client_for):
    response = client_for(cast.clinic_admin).post(
        reverse("discovery:settings_edit"), {"retention_days": "3"}
    )
    assert response.status_code == 200
    assert "retention_days" in response.context["form"].errors
    assert DiscoverySettings.for_clinic(cast.clinic.pk).retention_days == 90


def test_only_the_clinic_admin_may_change_the_retention_period(cast):
    with pytest.raises(policy.NotAllowed, match="can_manage_clinic"):
        services.discovery_settings_update(
            by=cast.front_desk, clinic_id=cast.clinic.pk, retention_days=30
        )
