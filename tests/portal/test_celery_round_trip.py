"""A real task through the real Redis broker to a real worker process, and its result back."""

import pytest

from tests.workers import celery_worker, worker_output


@pytest.mark.redis
def test_task_round_trip_through_redis_to_a_worker(redis_url, tmp_path):
    with celery_worker(redis_url, tmp_path) as (client, queue, _worker):
        result = client.send_task("portal.ping", args=[21], queue=queue)
        try:
            answer = result.get(timeout=60)
        except Exception as exc:  # show the worker's own output, not just a timeout
            answer = exc
    assert answer == 42, f"worker said:\n{worker_output(tmp_path)}"
