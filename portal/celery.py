"""The Celery app. Configuration comes from Django settings (CELERY_* names); the periodic
schedule is CELERY_BEAT_SCHEDULE in portal/settings/base.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="portal.ping")
def ping(value: int) -> int:
    """A round trip to prove the broker, a worker and the result backend work together."""
    return value * 2
