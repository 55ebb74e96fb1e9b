import json

import pytest
from django.urls import reverse

from kapcouples.models import WorkerHeartbeat
from tests.worker import celery_worker, wait_for


def test_health_reports_database_and_broker_without_signing_in(db, client):
    response = client.get(reverse("health") + "?format=json")
    body = json.loads(response.content)
    assert response.status_code == 200
    assert body["database"] is True
    assert body["broker"] is True
    assert body["last_heartbeat"] is None


def test_health_is_unavailable_when_the_broker_is_down(db, client, settings):
    from kapcouples.celery import app

    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get(reverse("health") + "?format=json")
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
    assert response.status_code == 503
    assert json.loads(response.content)["broker"] is False


@pytest.mark.worker
def test_a_real_worker_and_beat_record_a_heartbeat_shown_on_health(
    transactional_db, client, tmp_path
):
    with celery_worker(tmp_path, beat=True, extra_env={"KAP_HEARTBEAT_SECONDS": "1"}):
        landed = wait_for(lambda: WorkerHeartbeat.objects.filter(name="default").exists())
    assert landed, (tmp_path / "worker.log").read_text()[-3000:]
    page = client.get(reverse("health")).content.decode()
    assert "Last worker heartbeat" in page
    assert "s ago" in page
    assert "never" not in page
