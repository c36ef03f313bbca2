"""Handing work to Celery without ever letting the broker hold up a request.

Work that must reach the worker is first written to the database (an outbox row: a
notification not yet e-mailed, a reminder not yet delivered). `enqueue_on_commit` then asks the
broker to run it once the transaction commits. If the broker is down or hangs, the publish gives
up within the timeouts in settings and the row waits for the periodic sweep that runs when the
broker is back.

A circuit breaker (pybreaker) stands in front of the broker: one failed publish opens it, and for
`BROKER_BREAKER_RESET_SECONDS` every publish in this process is skipped at once instead of
waiting on the same fault; then one publish is let through to see whether the broker is back.
Publishes go through the breaker one at a time (pybreaker holds its lock during the call), so
while the broker hangs only one request in a process waits for it. Only broker faults count:
an error raised by the task itself (eager mode in tests) is not a broker fault.

Tasks are named, never imported: a service says `enqueue_on_commit("notifications.deliver", ids)`
and the task module (which imports the service) stays above it, so no service and its tasks
import each other."""

import logging
import socket

import pybreaker
from celery import current_app
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

BROKER_FAULTS = (OperationalError, ConnectionError, TimeoutError, socket.timeout, OSError)


def _is_broker_fault(exc: BaseException) -> bool:
    if isinstance(exc, BROKER_FAULTS):
        return True
    try:
        import redis.exceptions
    except ImportError:  # pragma: no cover - redis is a dependency
        return False
    return isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError)


class _LogStateChanges(pybreaker.CircuitBreakerListener):
    def state_change(self, cb, old_state, new_state):
        if new_state.name == pybreaker.STATE_OPEN:
            logger.warning(
                "Broker circuit open: publishing paused for %ss; outbox rows wait for the sweep",
                cb.reset_timeout,
            )
        elif new_state.name == pybreaker.STATE_CLOSED and old_state.name != new_state.name:
            logger.info("Broker circuit closed: publishing again")


breaker = pybreaker.CircuitBreaker(
    fail_max=1,
    reset_timeout=settings.BROKER_BREAKER_RESET_SECONDS,
    exclude=[lambda exc: not _is_broker_fault(exc)],
    listeners=[_LogStateChanges()],
    name="broker",
    throw_new_error_on_trip=False,  # the first failure is logged with its own cause
)


def send_now(task_name: str, *args) -> bool:
    """Queue the registered task `task_name` now. False (and a log line) when the broker is
    unreachable or the breaker is open: the caller's outbox row waits for the sweep."""
    task = current_app.tasks[task_name]  # KeyError for a name no app registers: a bug, not a fault
    try:
        # No result is asked for: a result backend on the same Redis would otherwise be
        # contacted (and retried) before the message is even sent.
        breaker.call(task.apply_async, args=args, ignore_result=True)
    except pybreaker.CircuitBreakerError:
        logger.info("Broker circuit open; %s left for the sweep", task_name)
        return False
    except Exception as exc:  # kombu/redis raise many types; none may reach the caller
        logger.warning(
            "Broker unavailable for %s (%s); left for the sweep", task_name, type(exc).__name__
        )
        return False
    return True


def enqueue_on_commit(task_name: str, *args) -> None:
    transaction.on_commit(lambda: send_now(task_name, *args))
