"""Handing work to Celery without ever letting the broker hold up a request.

Work that must reach the worker is first written to the database (an outbox row: a
notification not yet e-mailed, a reminder not yet delivered). `enqueue_on_commit` then asks the
broker to run it once the transaction commits; if the broker is down or hangs (bounded by the
timeouts in settings), the row simply waits for the periodic sweep that runs when it is back."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def send_now(task, *args) -> bool:
    try:
        task.apply_async(args=args)
    except Exception as exc:  # kombu/redis raise many types; none may reach the caller
        logger.warning(
            "Broker unavailable for %s (%s); left for the sweep", task.name, type(exc).__name__
        )
        return False
    return True


def enqueue_on_commit(task, *args) -> None:
    transaction.on_commit(lambda: send_now(task, *args))
