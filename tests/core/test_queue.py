"""core.queue: a publish never raises, and after a broker fault the circuit breaker stops this
process from trying again until its reset time has passed."""

import pybreaker
import pytest
import time_machine
from kombu.exceptions import OperationalError

from core import queue
from portal.celery import app


class _Publish:
    """Stands in for Task.apply_async on the registered ping task and counts its calls."""

    def __init__(self, error=None):
        self.calls = 0
        self.error = error

    def __call__(self, *args, **kwargs):
        self.calls += 1
        self.kwargs = kwargs
        if self.error:
            raise self.error


@pytest.fixture
def publish(monkeypatch):
    def _install(error=None):
        fake = _Publish(error)
        monkeypatch.setattr(app.tasks["portal.ping"], "apply_async", fake)
        return fake

    return _install


def test_a_publish_asks_for_no_result(publish):
    fake = publish()
    assert queue.send_now("portal.ping", 2) is True
    assert fake.calls == 1
    assert fake.kwargs == {"args": (2,), "ignore_result": True}


@pytest.mark.parametrize(
    "fault",
    [OperationalError("Connection refused"), ConnectionRefusedError(), TimeoutError()],
    ids=["kombu", "refused", "timeout"],
)
def test_one_broker_fault_opens_the_breaker_and_later_publishes_skip_the_broker(publish, fault):
    fake = publish(fault)
    assert queue.send_now("portal.ping", 1) is False
    assert queue.breaker.current_state == pybreaker.STATE_OPEN
    assert queue.send_now("portal.ping", 1) is False
    assert queue.send_now("portal.ping", 1) is False
    assert fake.calls == 1  # the two later publishes never reached the broker


def test_after_the_reset_time_one_publish_is_tried_and_success_closes_the_breaker(
    publish, settings
):
    failing = publish(OperationalError("down"))
    with time_machine.travel("2027-03-01 09:00:00", tick=False) as traveller:
        assert queue.send_now("portal.ping", 1) is False
        traveller.shift(settings.BROKER_BREAKER_RESET_SECONDS - 1)
        assert queue.send_now("portal.ping", 1) is False
        assert failing.calls == 1
        working = publish()
        traveller.shift(2)
        assert queue.send_now("portal.ping", 1) is True
    assert working.calls == 1
    assert queue.breaker.current_state == pybreaker.STATE_CLOSED


def test_a_trial_publish_that_fails_opens_the_breaker_again(publish, settings):
    failing = publish(OperationalError("down"))
    with time_machine.travel("2027-03-01 09:00:00", tick=False) as traveller:
        queue.send_now("portal.ping", 1)
        traveller.shift(settings.BROKER_BREAKER_RESET_SECONDS + 1)
        assert queue.send_now("portal.ping", 1) is False
        assert failing.calls == 2
        assert queue.breaker.current_state == pybreaker.STATE_OPEN
        assert queue.send_now("portal.ping", 1) is False
    assert failing.calls == 2


def test_an_error_of_the_task_itself_is_not_a_broker_fault(publish):
    """In eager mode the task runs inside apply_async: its own bug must not pause publishing."""
    fake = publish(ValueError("a bug in the task"))
    assert queue.send_now("portal.ping", 1) is False
    assert queue.breaker.current_state == pybreaker.STATE_CLOSED
    queue.send_now("portal.ping", 1)
    assert fake.calls == 2


def test_an_unknown_task_name_is_a_bug_and_raises():
    with pytest.raises(KeyError):
        queue.send_now("no.such.task")
