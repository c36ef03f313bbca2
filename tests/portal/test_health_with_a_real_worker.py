"""/health/ asks a real worker: green while one answers on Redis, red naming the worker once it
has stopped (the broker itself still up)."""

import pytest
from django.utils import timezone

from core.models import Heartbeat
from tests.workers import celery_worker, portal_broker, private_redis, stop_process

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _health(client):
    response = client.get("/health/?format=json")
    return response.status_code, response.json()


def test_a_stopped_worker_turns_the_health_page_red(client, tmp_path, settings):
    settings.HEALTH_WORKER_PING_SECONDS = 3  # a loaded CI machine answers slower than 1.5 s
    Heartbeat.objects.create(name="scheduler", last_at=timezone.now())
    with (
        private_redis(tmp_path) as redis_server,
        portal_broker(redis_server.url),
        celery_worker(redis_server.url, tmp_path) as (_client, _queue, worker),
    ):
        deadline = timezone.now() + timezone.timedelta(seconds=180)
        status, body = _health(client)
        while status != 200 and timezone.now() < deadline:  # the worker is starting
            status, body = _health(client)
        assert status == 200, body
        assert body["Worker()"] == "OK"
        stop_process(worker)
        status, body = _health(client)
    assert status == 503
    assert body["Worker()"].startswith("Unavailable: No worker answered")
    assert body["Broker()"] == "OK"
