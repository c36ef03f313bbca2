"""Exactly-once reminders with a real worker on the real Redis and PostgreSQL: the scan run
twice at once, and a worker killed in the middle of a delivery batch."""

import datetime
import os
import signal
import subprocess
import time

import pytest
from django.db.models import Count
from django.utils import timezone

from notifications.models import Notification
from reminders.models import Reminder
from tests.factories import SocialAccountFactory
from tests.workers import celery_worker, worker_database_url, worker_output

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        worker_database_url() is None and not os.environ.get("DATABASE_URL"),
        reason="a worker process needs the test database on PostgreSQL",
    ),
]


@pytest.fixture
def dormant_accounts(officer, supervisor):
    now = timezone.now()
    return [
        SocialAccountFactory(owner=officer, last_post_at=now - datetime.timedelta(days=30 + i))
        for i in range(12)
    ]


def _wait(predicate, timeout=60, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {message}")


def _no_duplicates():
    dupes = Notification.objects.values("email", "subject").annotate(n=Count("pk")).filter(n__gt=1)
    return list(dupes)


def test_scan_run_twice_at_once_makes_each_reminder_once(redis_url, tmp_path, dormant_accounts):
    with celery_worker(
        redis_url, tmp_path, pool="prefork", concurrency=2, database_url=worker_database_url()
    ) as (client, queue, _):
        first = client.send_task("reminders.dormancy_scan", queue=queue)
        second = client.send_task("reminders.dormancy_scan", queue=queue)
        try:
            results = [first.get(timeout=60), second.get(timeout=60)]
        except Exception as exc:
            raise AssertionError(worker_output(tmp_path)) from exc
        expected = len(dormant_accounts)  # dormant each (quiet, passed over, is not written)
        _wait(
            lambda: Reminder.objects.filter(notified_at__isnull=False).count() == expected,
            message="every reminder delivered",
        )
    made = sum(sum(r["created"].values()) for r in results)
    assert made == expected, results
    assert Reminder.objects.count() == expected
    assert _no_duplicates() == []
    # Quiet and dormant reached at once: one reminder, the dormant one, whose one message tells
    # the owner and the supervisor, once each.
    assert Notification.objects.filter(kind="dormancy_warn").count() == 0
    assert Notification.objects.filter(kind="dormancy_dormant").count() == 2 * len(dormant_accounts)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_worker_killed_mid_batch_sends_no_duplicate(
    redis_url, tmp_path, dormant_accounts, monkeypatch
):
    from reminders import services

    with monkeypatch.context() as m:  # make the reminders, deliver them through the worker below
        m.setattr(services, "_deliver_after_commit", lambda ids: None)
        services.dormancy_scan()
    ids = list(Reminder.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 12
    with celery_worker(
        redis_url,
        tmp_path,
        pool="prefork",
        concurrency=1,
        database_url=worker_database_url(),
        env={"REMINDER_DELIVERY_PAUSE": "0.25"},
    ) as (client, queue, worker):
        client.send_task("reminders.deliver", args=[ids], queue=queue)
        _wait(
            lambda: Reminder.objects.filter(notified_at__isnull=False).count() >= 4,
            message="the batch to be under way",
        )
        [child] = _children(worker.pid)
        os.kill(child, signal.SIGKILL)  # the pool process dies mid-batch
        done_at_kill = Reminder.objects.filter(notified_at__isnull=False).count()
        assert done_at_kill < len(ids), "the batch finished before the kill: make it slower"
        _wait(
            lambda: not Reminder.objects.filter(notified_at__isnull=True).exists(),
            timeout=90,
            message=f"the redelivered batch to finish\n{worker_output(tmp_path)}",
        )
    log = worker_output(tmp_path)
    assert "WorkerLostError" in log or "exited prematurely" in log, log
    assert _no_duplicates() == []
    assert Notification.objects.filter(kind="dormancy_warn").count() == 0  # passed over
    assert Notification.objects.filter(kind="dormancy_dormant").count() == 24
