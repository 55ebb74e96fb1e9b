"""Delivery in batches: claimed with SKIP LOCKED, sent over one connection, marked at once."""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from integration import services
from integration.models import QuestionnaireDue, Reminder
from tests.integration.helpers import due_reminder

FAILING_ADDRESS = "refuses-mail@example.test"


class RefusingOneAddressBackend(EmailBackend):
    """Django's test outbox, except that one address is refused (a bounced recipient)."""

    def send_messages(self, messages):
        if any(FAILING_ADDRESS in message.to for message in messages):
            raise ConnectionRefusedError("550 mailbox unavailable")
        return super().send_messages(messages)


class SlowBackend(EmailBackend):
    """Takes a moment per message, so two claimers really overlap."""

    def send_messages(self, messages):
        time.sleep(0.002)
        return super().send_messages(messages)


class TimeLimitOnThirdBackend(EmailBackend):
    """The soft time limit fires while the third message is being handed over."""

    calls = 0

    def send_messages(self, messages):
        TimeLimitOnThirdBackend.calls += 1
        if TimeLimitOnThirdBackend.calls == 3:
            raise SoftTimeLimitExceeded()
        return super().send_messages(messages)


def sent_ids() -> Counter:
    return Counter(int(message.extra_headers["X-KAP-Reminder"]) for message in mail.outbox)


def many_due(cast, count: int, *, prefix: str = "batch") -> list[Reminder]:
    partners = (cast.partner_a, cast.partner_b)
    return [due_reminder(partners[i % 2], key=f"{prefix}-{i}") for i in range(count)]


def test_the_sweep_drains_every_batch_due_in_one_run_with_no_cap_a_minute(cast, settings):
    settings.KAP_REMINDER_BATCH_SIZE = 10
    reminders = many_due(cast, 35)
    assert services.reminders_deliver_due() == 35
    assert services.reminders_deliver_due() == 0
    assert sent_ids() == Counter(r.pk for r in reminders)
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 35


def test_a_batch_shares_one_email_connection(cast, settings):
    settings.KAP_REMINDER_BATCH_SIZE = 50
    many_due(cast, 12)
    opened = []
    real_open = EmailBackend.open

    def counting_open(backend):
        opened.append(backend)
        return real_open(backend)

    EmailBackend.open = counting_open
    try:
        services.reminders_deliver_due()
    finally:
        EmailBackend.open = real_open
    assert len(opened) == 1 and len(mail.outbox) == 12


def test_one_failing_message_is_retried_alone_and_the_rest_of_its_batch_is_sent(cast, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingOneAddressBackend"
    settings.KAP_REMINDER_RETRY_SECONDS = 60
    cast.partner_b.email = FAILING_ADDRESS
    cast.partner_b.save()
    reminders = many_due(cast, 6)
    failing = [r for r in reminders if r.partner_id == cast.partner_b.pk]
    before = timezone.now()
    assert services.deliver_batch(size=10) == 6
    assert sorted(sent_ids()) == sorted(r.pk for r in reminders if r not in failing)
    for reminder in failing:
        reminder.refresh_from_db()
        assert (reminder.status, reminder.attempts) == (Reminder.Status.PENDING, 1)
        assert reminder.next_attempt_at >= before + timedelta(seconds=60)
        assert "ConnectionRefusedError" in reminder.last_error
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 3
    assert services.reminders_deliver_due() == 0  # backing off: nothing sent twice


def test_a_claimed_message_no_longer_wanted_is_cancelled_not_sent(cast):
    now = timezone.now()
    done = QuestionnaireDue.objects.create(
        partner=cast.partner_a, code="PHQ-9", reason="Before your session", key="q-withdrawn",
        opens_at=now - timedelta(hours=1), due_at=now + timedelta(days=1), cancelled_at=now,
    )  # fmt: skip
    still_open = QuestionnaireDue.objects.create(
        partner=cast.partner_a, code="GAD-7", reason="Before your session", key="q-open",
        opens_at=now - timedelta(hours=1), due_at=now + timedelta(days=1),
    )  # fmt: skip
    kind = Reminder.Kind.QUESTIONNAIRE_DUE
    withdrawn = due_reminder(cast.partner_a, key="withdrawn", kind=kind, about=done)
    wanted = due_reminder(cast.partner_a, key="wanted", kind=kind, about=still_open)
    plain = due_reminder(cast.partner_b, key="plain")
    assert services.reminders_deliver_due() == 3
    withdrawn.refresh_from_db()
    assert withdrawn.status == Reminder.Status.CANCELLED and withdrawn.sent_at is None
    assert sorted(sent_ids()) == sorted([wanted.pk, plain.pk])


@pytest.mark.parametrize("batch", [10, 50])
def test_the_queries_of_a_batch_do_not_grow_with_its_size(
    batch, cast, settings, django_assert_max_num_queries
):
    settings.KAP_REMINDER_BATCH_SIZE = batch
    now = timezone.now()
    for i in range(batch):
        if i % 5 == 0:  # a kind with a still-wanted check, prefetched once per batch
            due = QuestionnaireDue.objects.create(
                partner=cast.partner_a, code="PHQ-9", reason="Before", key=f"q{i}",
                opens_at=now, due_at=now + timedelta(days=1),
            )  # fmt: skip
            kind = Reminder.Kind.QUESTIONNAIRE_DUE
            due_reminder(cast.partner_a, key=f"q-{i}", kind=kind, about=due)
        else:
            due_reminder((cast.partner_a, cast.partner_b)[i % 2], key=f"a-{i}")
    # Savepoint and release, claim, clinic settings, one still-wanted read, mark sent.
    with django_assert_max_num_queries(7):
        assert services.deliver_batch() == batch
    assert len(mail.outbox) == batch


def test_a_drain_past_its_deadline_stops_between_messages_and_leaves_the_rest_pending(cast):
    many_due(cast, 5)
    drained = services.reminders_drain(seconds=1e-9)
    assert drained.stopped_at_deadline and drained.handled == 0
    assert Reminder.objects.filter(status=Reminder.Status.PENDING, attempts=0).count() == 5
    assert mail.outbox == []


def test_a_soft_time_limit_mid_batch_keeps_what_was_sent_and_stops_the_drain(cast, settings):
    settings.EMAIL_BACKEND = f"{__name__}.TimeLimitOnThirdBackend"
    TimeLimitOnThirdBackend.calls = 0
    reminders = many_due(cast, 6)
    drained = services.reminders_drain(batch_size=2)  # stops in its second batch
    assert drained.stopped_at_deadline and drained.handled == 3
    statuses = Counter(Reminder.objects.values_list("status", "attempts"))
    assert statuses == {("sent", 1): 2, ("pending", 1): 1, ("pending", 0): 3}
    assert sorted(sent_ids()) == sorted(r.pk for r in reminders[:2])


def test_the_sweep_asks_for_one_drainer_per_due_batch_up_to_the_limit(cast, settings):
    settings.KAP_REMINDER_BATCH_SIZE, settings.KAP_REMINDER_DRAINERS = 10, 3
    assert services.drainers_for_backlog() == 0
    many_due(cast, 5)
    assert services.drainers_for_backlog() == 1
    many_due(cast, 40, prefix="more")
    assert services.drainers_for_backlog() == 3


def _in_thread(work, results: list, barrier: threading.Barrier) -> threading.Thread:
    def run():
        try:
            barrier.wait()
            results.append(work())
        finally:
            connection.close()  # each thread had its own connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_concurrent_claimers_send_each_row_exactly_once(transactional_db, cast, settings):
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    settings.KAP_REMINDER_BATCH_SIZE = 5
    reminders = many_due(cast, 120)
    handled, barrier = [], threading.Barrier(2)
    threads = [_in_thread(services.reminders_deliver_due, handled, barrier) for _ in range(2)]
    for thread in threads:
        thread.join(timeout=60)
    assert sum(handled) == 120 and min(handled) > 0, handled  # both took a share
    assert sent_ids() == Counter(r.pk for r in reminders)
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 120


def test_a_second_drainer_for_a_busy_slot_returns_at_once(transactional_db, cast):
    many_due(cast, 3)
    holding, release = threading.Event(), threading.Event()

    def hold_slot():
        from integration.delivery import DRAINER_LOCK_NAMESPACE

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, 7)", [DRAINER_LOCK_NAMESPACE])
            holding.set()
            release.wait(timeout=30)
            cursor.execute("SELECT pg_advisory_unlock(%s, 7)", [DRAINER_LOCK_NAMESPACE])
        return 0

    thread = _in_thread(hold_slot, [], threading.Barrier(1))
    assert holding.wait(timeout=10)
    try:
        assert services.reminders_drain(slot=7).handled == 0
        assert services.reminders_drain(slot=8).handled == 3
    finally:
        release.set()
        thread.join(timeout=30)
