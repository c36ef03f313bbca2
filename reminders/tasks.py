"""Thin tasks: ids in, one service call. Late acknowledgement and reject-on-worker-lost mean a
task whose worker dies is run again; the Reminder rows make running again harmless. The
schedule is CELERY_BEAT_SCHEDULE in portal/settings/base.py."""

from celery import shared_task
from django.db import OperationalError

from core.queue import send_now
from reminders import services

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True}


def _summary(result) -> dict:
    return {"run_id": str(result.run_id), "created": result.created, "flagged": result.flagged}


@shared_task(name="reminders.dormancy_scan", **TASK_OPTIONS)
def dormancy_scan() -> dict:
    return _summary(services.dormancy_scan())


@shared_task(name="reminders.decision_reminders", **TASK_OPTIONS)
def decision_reminders() -> dict:
    return _summary(services.decision_reminders())


@shared_task(name="reminders.recertification_run", **TASK_OPTIONS)
def recertification_run() -> dict:
    return _summary(services.recertification_run())


@shared_task(name="reminders.orphan_check", **TASK_OPTIONS)
def orphan_check() -> dict:
    return _summary(services.orphan_check())


@shared_task(name="reminders.check_in_monthly", **TASK_OPTIONS)
def check_in_monthly() -> dict:
    return _summary(services.check_in_monthly())


@shared_task(
    name="reminders.deliver",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    **TASK_OPTIONS,
)
def deliver(ids: list[int]) -> int:
    return services.reminder_deliver_many(ids)


@shared_task(name="reminders.deliver_pending", **TASK_OPTIONS)
def deliver_pending() -> int:
    """Re-queue reminders still waiting (the broker was down when they were made)."""
    ids = services.unnotified_reminder_ids()
    size = services.DELIVERY_BATCH
    for batch in (ids[i : i + size] for i in range(0, len(ids), size)):
        if not send_now(deliver.name, batch):
            services.reminder_deliver_many(batch)
    return len(ids)
