"""The Done-when of the broker-trouble point: with the broker unreachable a case submission
succeeds at once and its notification waits in the database; when the broker is back, a real
worker on the real Redis delivers it."""

import time

import pytest
from django.urls import reverse

from approvals.models import BusinessCase
from notifications.models import Notification
from tests.factories import BusinessCaseFactory, PolicyVersionFactory
from tests.workers import (
    celery_worker,
    hanging_broker,
    portal_broker,
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


@pytest.mark.parametrize("trouble", ["hung", "down"])
def test_case_submitted_while_broker_is_out_is_notified_when_it_returns(
    trouble, officer, supervisor, login, client, redis_url, tmp_path
):
    policy = PolicyVersionFactory()
    case = BusinessCaseFactory(applicant=officer, handle="PriyaSharmaWMP")
    login(officer)
    with (
        hanging_broker() as hung,
        portal_broker(hung if trouble == "hung" else "redis://127.0.0.1:1/0"),
    ):
        started = time.monotonic()
        response = client.post(
            reverse("approvals:submit", args=[case.pk]),
            {"policy": policy.pk, "read_policy": "on", "read_personal_use": "on"},
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 6, f"the {trouble} broker held the page for {elapsed:.1f}s"
    case.refresh_from_db()
    assert case.state == BusinessCase.State.SUBMITTED
    waiting = Notification.objects.get(recipient=supervisor.user, kind="case.submitted")
    assert waiting.emailed_at is None  # kept, not lost

    # The broker is back: beat's sweep reaches a real worker through Redis and it is sent.
    with celery_worker(redis_url, tmp_path, database_url=worker_database_url()) as (
        worker_app,
        queue,
        _,
    ):
        result = worker_app.send_task("notifications.tasks.deliver_pending", queue=queue)
        try:
            sent = result.get(timeout=60)
        except Exception as exc:
            raise AssertionError(worker_output(tmp_path)) from exc
    assert sent >= 1
    waiting.refresh_from_db()
    assert waiting.emailed_at is not None
    assert waiting.email_attempts == 1
