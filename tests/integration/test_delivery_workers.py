"""Delivery with real workers, the real Redis and the real PostgreSQL (no eager mode)."""

import re
import time
import uuid
from collections import Counter

import pytest
from django.conf import settings

from integration import services
from integration.models import Reminder
from integration.tasks import deliver_due_reminders, deliver_reminder
from tests.integration.conftest import DEAD_BROKER
from tests.integration.helpers import due_reminder
from tests.worker import celery_worker, wait_for


def delivered_ids(mail_dir) -> Counter:
    """Reminder ids of every email the workers wrote, across processes and files."""
    found = Counter()
    for path in mail_dir.glob("*.log"):
        found.update(re.findall(r"^X-KAP-Reminder: (\d+)$", path.read_text(), re.M))
    return found


@pytest.mark.worker
def test_two_real_workers_deliver_200_due_reminders_exactly_once(transactional_db, cast, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    partners = [cast.partner_a, cast.partner_b]
    reminders = [due_reminder(partners[i % 2], key=f"load-{i}") for i in range(200)]
    queue = f"test-{uuid.uuid4().hex[:12]}"
    # Small batches, two drainers: the sweep fans the backlog out to both workers.
    env = {
        "CELERY_QUEUE": queue,
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "KAP_REMINDER_BATCH_SIZE": "20",
        "KAP_REMINDER_DRAINERS": "2",
    }
    (tmp_path / "w1").mkdir(), (tmp_path / "w2").mkdir()
    with (
        celery_worker(tmp_path / "w1", extra_env=env),
        celery_worker(tmp_path / "w2", extra_env=env),
    ):
        # Make them race: every reminder published twice, plus sweeps on both workers.
        for _ in range(2):
            deliver_due_reminders.apply_async(queue=queue)
            for reminder in reminders:
                deliver_reminder.apply_async(args=[reminder.pk], queue=queue)
        deliver_due_reminders.apply_async(queue=queue)
        finished = wait_for(
            lambda: not Reminder.objects.filter(status=Reminder.Status.PENDING).exists(),
            timeout=180,
        )
        time.sleep(2)  # let any duplicate still in flight land before counting
    logs = [(tmp_path / w / "worker.log").read_text() for w in ("w1", "w2")]
    assert finished, logs[0][-3000:]
    sent = delivered_ids(mail_dir)
    assert sorted(sent) == sorted(str(r.pk) for r in reminders)
    assert set(sent.values()) == {1}, [rid for rid, n in sent.items() if n > 1]
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 200
    assert all("deliver_reminder" in log and "succeeded" in log for log in logs)


def test_a_dead_broker_does_not_hold_up_the_event_and_the_sweep_sends_later(
    cast, broker_url, django_capture_on_commit_callbacks, mailoutbox
):
    broker_url(DEAD_BROKER)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        reminder = due_reminder(cast.partner_a, key="while-redis-is-down")
    assert time.monotonic() - started < 2.5
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.PENDING
    assert mailoutbox == []
    assert services.reminders_deliver_due() == 1
    assert services.reminders_deliver_due() == 0
    assert len(mailoutbox) == 1


@pytest.mark.worker
def test_reminders_published_together_reach_a_real_worker_as_one_message(
    transactional_db, cast, tmp_path
):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    reminders = [due_reminder(cast.partner_a, key=f"event-{n}") for n in range(3)]
    # The worker listens where this process publishes (the suite's own queue).
    env = {
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "EMAIL_URL": f"filemail:///{mail_dir}",
    }
    with celery_worker(tmp_path, extra_env=env):
        assert services.publish(*(r.pk for r in reminders))
        assert services.publish(reminders[0].pk)  # again: it is sent once all the same
        finished = wait_for(
            lambda: not Reminder.objects.filter(status=Reminder.Status.PENDING).exists(),
            timeout=60,
        )
        time.sleep(1)
    log = (tmp_path / "worker.log").read_text()
    assert finished, log[-3000:]
    assert delivered_ids(mail_dir) == Counter(str(r.pk) for r in reminders)
    assert log.count("integration.tasks.deliver_reminders[") >= 2
