"""Handing work to Celery without ever letting the broker hold up a request.

Work that must reach the worker is first written to the database (an outbox row: a
notification not yet e-mailed, a reminder not yet delivered). `enqueue_on_commit` then asks the
broker to run it once the transaction commits; if the broker is down or hangs (bounded by the
timeouts in settings), the row simply waits for the periodic sweep that runs when it is back.

Tasks are named, never imported: a service says `enqueue_on_commit("notifications.deliver", ids)`
and the task module (which imports the service) stays above it, so no service and its tasks
import each other."""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def send_now(task_name: str, *args) -> bool:
    """Queue the registered task `task_name` now. False (and a warning) when the broker is
    unreachable: the caller's outbox row waits for the sweep."""
    task = current_app.tasks[task_name]  # KeyError for a name no app registers: a bug, not a fault
    try:
        task.apply_async(args=args)
    except Exception as exc:  # kombu/redis raise many types; none may reach the caller
        logger.warning(
            "Broker unavailable for %s (%s); left for the sweep", task_name, type(exc).__name__
        )
        return False
    return True


def enqueue_on_commit(task_name: str, *args) -> None:
    transaction.on_commit(lambda: send_now(task_name, *args))
