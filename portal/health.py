"""Health checks for the health endpoint: database, cache and the Celery broker."""

import dataclasses
import datetime

from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from portal.celery import app


@dataclasses.dataclass
class Broker(HealthCheck):
    """Opens a connection to the Celery broker (Redis in production, the filesystem by default)."""

    timeout = datetime.timedelta(seconds=3)

    def run(self):
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            raise ServiceUnavailable(f"Broker unreachable ({type(exc).__name__})") from exc

    @property
    def labels(self):
        return {"check": "Broker", "transport": settings.CELERY_BROKER_URL.split(":", 1)[0]}
