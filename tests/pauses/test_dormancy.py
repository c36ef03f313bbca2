"""A unit pause stops the dormancy reminders of its accounts, and the lift restarts them
without a burst of stale reminders: the daily scan run before, during and after the pause at
controlled times, counting Reminder rows and mails (PostgreSQL's set-based scan and the Python
fallback both read the same rule)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection

from accounts.models import SocialAccount
from pauses import services
from reminders import services as reminders
from reminders.models import Reminder

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC)


def day(n):
    return START + datetime.timedelta(days=n)


@pytest.fixture
def quiet(unit_accounts, press):
    """Every account last posted on day 0."""
    SocialAccount.objects.update(last_post_at=START)
    return unit_accounts


@pytest.fixture
def at(django_capture_on_commit_callbacks):
    """at(n, call) runs `call` on day n (09:00 UTC) and what it queues after commit."""

    def run(n, call, hours=0):
        with (
            time_machine.travel(day(n) + datetime.timedelta(hours=hours), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return call()

    return run


def reminders_of(account):
    return sorted(Reminder.objects.filter(account=account).values_list("kind", "period_start"))


def mails_to(officer):
    return [m for m in mail.outbox if officer.user.email in m.to]


@pytest.mark.parametrize("backend", ["database", "python"])
def test_a_unit_pause_stops_reminders_and_the_lift_restarts_them_without_a_burst(
    quiet, press, lpu, at, monkeypatch, backend
):
    if backend == "python":  # the fallback the embedded SQLite runs, here on PostgreSQL
        monkeypatch.setattr(reminders, "_dormancy_steps_sql", reminders._dormancy_steps_python)
    paused = quiet["hodge"]  # its owner posts to no other account
    control = quiet["elsewhere"]
    scan = reminders.dormancy_scan

    # Before: quiet 20 days, the warning goes to both.
    assert at(20, scan).created == {"dormancy_warn": 5, "dormancy_dormant": 0, "dormancy_stale": 0}
    assert len(mails_to(paused.owner)) == 1

    pause = at(21, lambda: services.pause_start(actor=press.user, unit=lpu, reason="Incident"))
    mail.outbox.clear()

    # During: the unit's accounts reach no rung; the control account goes on up the ladder.
    for n in (28, 40, 56, 70):
        at(n, scan)
    assert reminders_of(paused) == [("dormancy_warn", START)]
    assert [k for k, _ in reminders_of(control)] == [
        "dormancy_dormant",
        "dormancy_stale",
        "dormancy_warn",
    ]
    assert mails_to(paused.owner) == []

    # The lift (day 75, 13:00): everyone is told again, and no reminder comes with it.
    lifted = at(
        75, lambda: services.pause_lift(actor=press.user, pause_id=pause.pk, reason="Over"), hours=4
    )
    assert len(mails_to(paused.owner)) == 1 and "Pause lifted" in mails_to(paused.owner)[0].subject
    mail.outbox.clear()
    for n in (75, 76, 80, 89):
        assert at(n, scan).total == 0  # the lift plus 13 days: quiet, not dormant
    assert mails_to(paused.owner) == []

    # After: a fresh spell from the lift, one rung at a time.
    at(90, scan)  # the lift plus 14 days (and a few hours): the warning, once per account
    assert reminders_of(paused) == [
        ("dormancy_warn", START),
        ("dormancy_warn", lifted.lifted_at),
    ]
    assert len(mails_to(paused.owner)) == 1
    assert "14 days" in mails_to(paused.owner)[0].subject
    assert at(90, scan).total == 0
    at(104, scan)  # the lift plus 28: dormant, not stale
    assert [k for k, _ in reminders_of(paused)] == [
        "dormancy_dormant",
        "dormancy_warn",
        "dormancy_warn",
    ]
    # The account outside the unit was never paused: its ladder was not disturbed.
    assert len(reminders_of(control)) == 3


def test_a_post_after_the_lift_counts_from_the_post(quiet, press, lpu, at):
    pause = at(21, lambda: services.pause_start(actor=press.user, unit=lpu, reason="Incident"))
    at(30, lambda: services.pause_lift(actor=press.user, pause_id=pause.pk, reason="Over"))
    account = quiet["hodge"]
    SocialAccount.objects.filter(pk=account.pk).update(last_post_at=day(35))
    assert not Reminder.objects.filter(account=account, period_start__gte=day(1)).exists()
    at(48, reminders.dormancy_scan)
    assert not Reminder.objects.filter(account=account, period_start__gte=day(1)).exists()
    at(49, reminders.dormancy_scan)
    assert Reminder.objects.get(account=account, period_start=day(35)).kind == "dormancy_warn"


def test_a_reminder_made_before_the_pause_is_not_sent_during_it(quiet, press, lpu, at):
    """The scan made it, the pause began before it was delivered: it is marked, not sent."""
    with time_machine.travel(day(20), tick=False):
        reminders.dormancy_scan()  # made, delivery queued but not run
    at(20, lambda: services.pause_start(actor=press.user, unit=lpu, reason="Incident"), hours=1)
    mail.outbox.clear()
    reminder = Reminder.objects.get(account=quiet["stechford_1"])
    with time_machine.travel(day(20) + datetime.timedelta(hours=2), tick=False):
        assert reminders.reminder_deliver(reminder_id=reminder.pk) is False
    reminder.refresh_from_db()
    assert reminder.notified_at is not None
    assert mail.outbox == []


def test_the_scan_stays_one_statement_per_step(
    quiet, press, lpu, at, django_assert_max_num_queries
):
    """The pause is one more correlated lookup inside the scan's statement, not a query per
    account."""
    at(21, lambda: services.pause_start(actor=press.user, unit=lpu, reason="Incident"))
    assert connection.vendor == "postgresql"
    with time_machine.travel(day(30), tick=False), django_assert_max_num_queries(12):
        reminders.dormancy_scan()
