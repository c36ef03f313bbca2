"""Issue 14's Done-when for the broker: Redis stopped and started while a real worker and a real
beat run on it. Both are still there afterwards, pick up by themselves, and the outbox written
while Redis was away is delivered. Redis here is a server of the test's own (another port), so the
shared one is never stopped."""

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import BusinessCase
from core.models import Heartbeat
from core.tasks import SCHEDULER
from notifications.models import Notification
from tests.factories import BusinessCaseFactory, PolicyVersionFactory
from tests.workers import (
    celery_beat,
    celery_worker,
    portal_broker,
    private_redis,
    worker_database_url,
    worker_output,
)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        worker_database_url() is None,
        reason="a worker process needs the test database on PostgreSQL",
    ),
]


def _wait(predicate, *, timeout, message, tmp_path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {message}\n{worker_output(tmp_path)}")


def _heartbeat_after(moment):
    return Heartbeat.objects.filter(name=SCHEDULER, last_at__gt=moment).exists()


def test_worker_and_beat_outlive_redis_and_deliver_the_waiting_outbox(
    officer, supervisor, login, client, tmp_path
):
    policy = PolicyVersionFactory()
    case = BusinessCaseFactory(applicant=officer, handle="PriyaSharmaWMP")
    every_second = {"HEARTBEAT_SECONDS": "1"}
    with (
        private_redis(tmp_path) as redis_server,
        celery_worker(
            redis_server.url, tmp_path, database_url=worker_database_url(), env=every_second
        ) as (worker_app, queue, worker),
        celery_beat(
            redis_server.url, tmp_path, queue, database_url=worker_database_url(), env=every_second
        ) as beat,
    ):
        started = timezone.now()
        _wait(
            lambda: _heartbeat_after(started),
            timeout=60,
            message="the first heartbeat (beat → Redis → worker → database)",
            tmp_path=tmp_path,
        )

        redis_server.stop()
        # While Redis is away an officer submits a case: it is saved at once and its mail waits.
        login(officer)
        with portal_broker(redis_server.url):
            response = client.post(
                reverse("approvals:submit", args=[case.pk]),
                {"policy": policy.pk, "read_policy": "on", "read_personal_use": "on"},
            )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.state == BusinessCase.State.SUBMITTED
        waiting = Notification.objects.get(recipient=supervisor.user, kind="case.submitted")
        assert waiting.emailed_at is None

        time.sleep(8)  # main's worker and beat were gone about 2 s after Redis stopped
        assert worker.poll() is None, f"the worker exited\n{worker_output(tmp_path)}"
        assert beat.poll() is None, f"beat exited\n{worker_output(tmp_path)}"

        redis_server.start()
        restarted = timezone.now()
        _wait(
            lambda: _heartbeat_after(restarted),
            timeout=90,
            message="a heartbeat after Redis came back (beat and worker resumed by themselves)",
            tmp_path=tmp_path,
        )
        # The sweep beat runs every few minutes, sent now rather than waited for.
        worker_app.send_task("notifications.tasks.deliver_pending", queue=queue)
        _wait(
            lambda: Notification.objects.filter(pk=waiting.pk, emailed_at__isnull=False).exists(),
            timeout=60,
            message="the mail written while Redis was away",
            tmp_path=tmp_path,
        )
        assert worker.poll() is None and beat.poll() is None
    log = worker_output(tmp_path)
    assert "Unrecoverable error" not in log
    assert "Cannot connect to redis" in log  # it really was cut off, and tried again
