"""The scheduler's heartbeat: beat sends it every HEARTBEAT_SECONDS, a worker runs it."""

from celery import shared_task
from django.utils import timezone

from core.models import Heartbeat

SCHEDULER = "scheduler"


@shared_task(name="core.heartbeat", ignore_result=True)
def heartbeat() -> None:
    Heartbeat.objects.update_or_create(name=SCHEDULER, defaults={"last_at": timezone.now()})
