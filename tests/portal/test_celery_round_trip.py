"""A real task through the real Redis broker to a real worker process, and its result back."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.redis
def test_task_round_trip_through_redis_to_a_worker(redis_url, tmp_path, monkeypatch):
    # Celery lets CELERY_BROKER_URL in the environment override any app's broker: align it.
    monkeypatch.setenv("CELERY_BROKER_URL", redis_url)
    queue = f"round-trip-{uuid.uuid4().hex[:8]}"  # no other worker on this machine takes it
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    client = Celery(broker=redis_url, backend=redis_url)
    answer = None
    try:
        result = client.send_task("portal.ping", args=[21], queue=queue)
        try:
            answer = result.get(timeout=60)
        except Exception as exc:  # show the worker's own output, not just a timeout
            answer = exc
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        client.close()
    assert answer == 42, f"worker said:\n{output}"
