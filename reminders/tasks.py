"""Thin tasks: ids in, one service call. Late acknowledgement and reject-on-worker-lost mean a
task whose worker dies is run again; the Reminder rows make running again harmless."""

from django.db import OperationalError

from portal.celery import app
from portal.queue import send_now
from reminders import services

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True}


@app.task(name="reminders.dormancy_scan", **TASK_OPTIONS)
def dormancy_scan() -> dict:
    result = services.dormancy_scan()
    return {"run_id": str(result.run_id), "created": result.created, "flagged": result.flagged}


@app.task(
    name="reminders.deliver",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    **TASK_OPTIONS,
)
def deliver(ids: list[int]) -> int:
    return services.reminder_deliver_many(ids)


@app.task(name="reminders.deliver_pending", **TASK_OPTIONS)
def deliver_pending() -> int:
    """Re-queue reminders still waiting (the broker was down when they were made)."""
    ids = services.unnotified_reminder_ids()
    batches = [
        ids[i : i + services.DELIVERY_BATCH] for i in range(0, len(ids), services.DELIVERY_BATCH)
    ]
    for batch in batches:
        if not send_now(deliver, batch):
            return services.reminder_deliver_many(batch)
    return len(ids)
