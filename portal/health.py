"""Health checks for the health endpoint: database, cache, the Celery broker, a worker that
answers and a scheduler (beat) that keeps its heartbeat."""

import dataclasses
import datetime
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connections
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from core.models import Heartbeat
from core.tasks import SCHEDULER
from portal.celery import app


@dataclasses.dataclass
class Broker(HealthCheck):
    """Opens a connection to the Celery broker (Redis in production, the filesystem by default)."""

    timeout = datetime.timedelta(seconds=3)

    def run(self):
        # One try, bounded like a publish (1 s to connect, 1.5 s to answer): the page answers
        # within two seconds whether the broker is down or hangs.
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=0, timeout=1.5)
                client = getattr(connection.default_channel, "client", None)
                if client is not None:  # Redis: a hung server accepts the connection, not PING
                    client.ping()
        except Exception as exc:
            raise ServiceUnavailable(f"Broker unreachable ({type(exc).__name__})") from exc

    @property
    def labels(self):
        return {"check": "Broker", "transport": settings.CELERY_BROKER_URL.split(":", 1)[0]}


@dataclasses.dataclass
class Worker(HealthCheck):
    """At least one Celery worker answers a ping within HEALTH_WORKER_PING_SECONDS. A broker
    that is up with no worker behind it leaves mail and reminders queued: this says so."""

    timeout = datetime.timedelta(seconds=4)

    def run(self):
        try:
            replies = app.control.ping(timeout=settings.HEALTH_WORKER_PING_SECONDS)
        except Exception as exc:
            raise ServiceUnavailable(f"Workers could not be asked ({type(exc).__name__})") from exc
        if not replies:
            raise ServiceUnavailable(
                f"No worker answered within {settings.HEALTH_WORKER_PING_SECONDS:g} s"
            )

    @property
    def labels(self):
        return {"check": "Worker"}


@dataclasses.dataclass
class Scheduler(HealthCheck):
    """Beat sends the heartbeat task every HEARTBEAT_SECONDS and a worker records it: a heartbeat
    older than three periods means beat (or every worker) has stopped, and with it the daily
    dormancy scan and the outbox sweeps."""

    def run(self):
        beat = Heartbeat.objects.filter(name=SCHEDULER).first()
        if beat is None:
            raise ServiceUnavailable(
                "No scheduler heartbeat yet (beat sends one every "
                f"{settings.HEARTBEAT_SECONDS} s once it runs)"
            )
        age = (timezone.now() - beat.last_at).total_seconds()
        if age > 3 * settings.HEARTBEAT_SECONDS:
            raise ServiceUnavailable(
                f"Last scheduler heartbeat {age:.0f} s ago "
                f"(expected every {settings.HEARTBEAT_SECONDS} s)"
            )

    @property
    def labels(self):
        return {"check": "Scheduler"}


def _unavailable(status: int) -> int:
    # django-health-check answers 500 when a check fails; a failing dependency is "503 Service
    # Unavailable" (the page itself worked), which is what load balancers and uptime checkers
    # expect, and the body names the check that failed.
    return 503 if status == 500 else status


class _ClosingExecutor(ThreadPoolExecutor):
    """Runs each check in a thread and closes the database connections that thread opened: left
    to the library's default executor they outlive the request, one per check and request."""

    def submit(self, fn, /, *args, **kwargs):
        def run():
            try:
                return fn(*args, **kwargs)
            finally:
                connections.close_all()

        return super().submit(run)


class PortalHealthView(HealthCheckView):
    """Database, cache and broker, each bounded in time; 200 when all answer, else 503 naming
    the failing check, as JSON (`?format=json`), plain text or a page."""

    def get_executor(self):
        return _ClosingExecutor(max_workers=5, thread_name_prefix="health")  # shut down on exit

    def render_to_response_json(self, status):
        return super().render_to_response_json(_unavailable(status))

    def render_to_response_text(self, status):
        return super().render_to_response_text(_unavailable(status))

    def render_to_response(self, context, **response_kwargs):
        if "status" in response_kwargs:
            response_kwargs["status"] = _unavailable(response_kwargs["status"])
        return super().render_to_response(context, **response_kwargs)
