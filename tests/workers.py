"""Real Celery workers for tests: a separate process, on the real Redis, on a queue of its own
(so no other worker on the machine takes its tasks), seeing the test's database."""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def worker_database_url() -> str | None:
    """The URL of the database the tests run in, for a worker process; None on SQLite, whose
    test database lives in memory."""
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        return None
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _process_env(redis_url, tmp_path, queue, database_url, env):
    process_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
        "DEBUG": "false",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "PORTAL_VAR_DIR": str(tmp_path),
        **(env or {}),
    }
    process_env.pop("DATABASE_URL", None)
    if database_url:
        process_env["DATABASE_URL"] = database_url
    return process_env


def stop_process(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def celery_worker(redis_url, tmp_path, *, pool="solo", concurrency=1, database_url=None, env=None):
    """Yields (client app, queue, worker process). Output is kept for failure messages."""
    queue = f"test-{uuid.uuid4().hex[:10]}"
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=_process_env(redis_url, tmp_path, queue, database_url, env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    previous = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = redis_url  # Celery lets this override any app's broker
    client = Celery(broker=redis_url, backend=redis_url, set_as_current=False)
    client.conf.task_default_queue = queue
    try:
        yield client, queue, worker
    finally:
        stop_process(worker)
        client.close()
        if previous is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous
        log.close()


@contextlib.contextmanager
def celery_beat(redis_url, tmp_path, queue, *, database_url=None, env=None):
    """A beat scheduler process sending the portal's schedule to `queue`. Yields the process;
    its output is in beat.log."""
    log = open(tmp_path / "beat.log", "w+")  # noqa: SIM115 - closed below
    beat = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "beat",
            "--loglevel=INFO",
            f"--schedule={tmp_path / 'beat-schedule'}",
        ],
        cwd=ROOT,
        env=_process_env(redis_url, tmp_path, queue, database_url, env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield beat
    finally:
        stop_process(beat)
        log.close()


def worker_output(tmp_path) -> str:
    beat = tmp_path / "beat.log"
    return (tmp_path / "worker.log").read_text() + (
        f"\n--- beat ---\n{beat.read_text()}" if beat.exists() else ""
    )


@contextlib.contextmanager
def hanging_broker():
    """A TCP server that accepts connections and never answers: a hung Redis. Yields its URL."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        server.close()


@contextlib.contextmanager
def portal_broker(url):
    """Point the portal's own Celery app at `url`, with tasks really sent (not eager), and its
    result store there too, as production has both on one Redis."""
    import threading

    from django.conf import settings

    from portal.celery import app

    names = ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")
    saved_env = os.environ.get("CELERY_BROKER_URL")
    saved = {name: app.conf[name] for name in names}

    def forget_connections():
        # Everything that holds a connection to the broker or the result store it had before:
        # the connection pool, the producer pool publishes and pings go through, the backend.
        app.close()
        app.amqp._producer_pool = None
        app._backend_cache = None
        app._local = threading.local()

    os.environ["CELERY_BROKER_URL"] = url
    app.conf.update(
        broker_url=url,
        result_backend=url,
        task_always_eager=False,
        broker_transport_options=settings.REDIS_BROKER_TRANSPORT_OPTIONS,
    )
    forget_connections()
    try:
        yield app
    finally:
        forget_connections()
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        app.conf.update(saved)


class PrivateRedis:
    """A redis-server of the test's own, on a free port, that the test may stop and start again
    (same port) without touching the shared Redis."""

    def __init__(self, tmp_path):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.dir = tmp_path
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        import time

        import redis

        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@contextlib.contextmanager
def private_redis(tmp_path):
    import shutil

    if not shutil.which("redis-server"):
        import pytest

        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()
