"""Health checks for the health endpoint: database, cache and the Celery broker."""

import dataclasses
import datetime

from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

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


def _unavailable(status: int) -> int:
    # django-health-check answers 500 when a check fails; a failing dependency is "503 Service
    # Unavailable" (the page itself worked), which is what load balancers and uptime checkers
    # expect, and the body names the check that failed.
    return 503 if status == 500 else status


class PortalHealthView(HealthCheckView):
    """Database, cache and broker, each bounded in time; 200 when all answer, else 503 naming
    the failing check, as JSON (`?format=json`), plain text or a page."""

    def render_to_response_json(self, status):
        return super().render_to_response_json(_unavailable(status))

    def render_to_response_text(self, status):
        return super().render_to_response_text(_unavailable(status))

    def render_to_response(self, context, **response_kwargs):
        if "status" in response_kwargs:
            response_kwargs["status"] = _unavailable(response_kwargs["status"])
        return super().render_to_response(context, **response_kwargs)
