"""The dormancy scan in steps, as it runs over a force's register: on PostgreSQL each step is one
INSERT ... SELECT, elsewhere rows made in Python. Both must write the same reminders and the same
audit events, never a reminder twice, never lose an audit event, and keep the chain whole."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction

from accounts.models import SocialAccount
from audit.models import AuditEvent
from audit.selectors import verify_chain
from audit.services import audit_record
from notifications.models import Notification
from reminders import services
from reminders.models import Reminder
from tests.factories import LeaveFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def register(officer, supervisor, press_officer):
    """Accounts at every distance from their last post, and the cases the scan must skip or
    treat specially: never posted, closed, owner on leave, a rung already fired in this spell,
    a reminder left from an earlier spell."""
    accounts = [
        SocialAccountFactory(owner=officer, handle=f"Quiet{i}WMP", last_post_at=START - i * DAY)
        for i in range(0, 70, 3)
    ]
    with time_machine.travel(START - 40 * DAY, tick=False):
        accounts.append(SocialAccountFactory(owner=officer, handle="NeverWMP", last_post_at=None))
    SocialAccountFactory(owner=officer, status="closed", last_post_at=START - 60 * DAY)
    away = SocialAccountFactory(handle="AwayWMP", last_post_at=START - 60 * DAY)
    LeaveFactory(officer=away.owner, starts_on=START.date(), ends_on=(START + 5 * DAY).date())
    fired = accounts[6]  # quiet 18 days: its warning has gone already
    Reminder.objects.create(
        kind="dormancy_warn",
        subject_type="account",
        subject_id=fired.pk,
        account=fired,
        period_start=fired.last_post_at,
        run_id="00000000-0000-0000-0000-000000000001",
    )
    earlier = accounts[10]  # quiet 30 days; warned and flagged in a spell that has ended
    for kind in ("dormancy_warn", "dormancy_dormant"):
        Reminder.objects.create(
            kind=kind,
            subject_type="account",
            subject_id=earlier.pk,
            account=earlier,
            period_start=earlier.last_post_at - 90 * DAY,
            run_id="00000000-0000-0000-0000-000000000002",
        )
    audit_record(actor=None, action="before.the.scan", obj=officer)
    return accounts


def _scan(django_capture_on_commit_callbacks, *, execute=False):
    with django_capture_on_commit_callbacks(execute=execute):
        return services.dormancy_scan(now=START)


def _written(run_id):
    reminders = sorted(
        Reminder.objects.filter(run_id=run_id).values_list(
            "kind", "subject_type", "subject_id", "period_start", "account_id"
        )
    )
    events = sorted(
        AuditEvent.objects.filter(action="account.dormancy_flagged").values_list(
            "object_type", "object_id", "object_repr", "changes", "reason"
        ),
        key=str,
    )
    return reminders, events


def test_postgres_steps_write_what_the_python_steps_write(
    register, monkeypatch, django_capture_on_commit_callbacks
):
    assert connection.vendor == "postgresql"
    monkeypatch.setattr(services, "SCAN_BATCH", 4)
    outcomes = []
    for steps in (services._dormancy_steps_sql, services._dormancy_steps_python):
        monkeypatch.setattr(services, "_dormancy_steps_sql", steps)
        sid = transaction.savepoint_create()
        result = _scan(django_capture_on_commit_callbacks)
        outcomes.append((result.created, result.flagged, _written(result.run_id)))
        transaction.savepoint_rollback(sid)
    sql, python = outcomes
    assert sql == python
    created, flagged, (reminders, events) = sql
    # 24 accounts quiet 0, 3, ... 69 days and one never posted (created 40 days ago), each at
    # its highest rung only: quiet 15-27 days (the one quiet 18 days was warned already),
    # dormant 30-54 days and the one never posted, stale 57-69 days.
    assert created == {"dormancy_warn": 4, "dormancy_dormant": 10, "dormancy_stale": 5}
    assert flagged == len(events) == 10 + 5
    on_leave = SocialAccount.objects.get(handle="AwayWMP")
    assert on_leave.pk not in {subject for _, _, subject, _, _ in reminders}


@pytest.mark.parametrize("batch", [1, 5, 1000])
def test_the_highest_rung_once_and_one_audit_event_per_flag_whatever_the_step(
    register, batch, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "SCAN_BATCH", batch)
    monkeypatch.setattr(services, "AUDIT_BATCH", 3)  # several appends within a step, too
    result = _scan(django_capture_on_commit_callbacks)
    made = Reminder.objects.filter(run_id=result.run_id)
    assert made.count() == result.total == 19
    # No reminder twice, and one rung per account and spell.
    keys = list(made.values_list("subject_id", "period_start"))
    assert len(keys) == len(set(keys))
    # One audit event for each reminder that flags, about its account, none lost or extra.
    flags = sorted(
        (str(subject), {"dormancy_dormant": "dormant", "dormancy_stale": "stale"}[kind])
        for kind, subject in made.filter(
            kind__in=["dormancy_dormant", "dormancy_stale"]
        ).values_list("kind", "subject_id")
    )
    events = AuditEvent.objects.filter(action="account.dormancy_flagged")
    assert sorted((e.object_id, e.changes["dormancy"][1]) for e in events) == flags
    assert result.flagged == len(flags)
    some = SocialAccount.objects.get(handle="Quiet60WMP")
    event = events.filter(object_id=str(some.pk), changes__dormancy__1="stale").get()
    assert event.object_repr == str(some)
    assert event.changes == {
        "dormancy": [None, "stale"],
        "last_post_at": [None, some.last_post_at.isoformat()],
    }
    # The chain runs on from the event before the scan, through every step, to the one after.
    audit_record(actor=None, action="after.the.scan", obj=some)
    assert verify_chain() == (AuditEvent.objects.count(), None, "")
    # A second run the same day, and a retried one, find nothing new.
    again = _scan(django_capture_on_commit_callbacks)
    assert again.total == again.flagged == 0
    assert events.count() == len(flags)


def test_a_cold_scan_tells_each_person_once_per_account(
    register, officer, supervisor, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "SCAN_BATCH", 3)
    monkeypatch.setattr(services, "DELIVERY_BATCH", 4)
    result = _scan(django_capture_on_commit_callbacks, execute=True)
    assert result.total == 19
    assert not Reminder.objects.filter(run_id=result.run_id, notified_at__isnull=True).exists()
    # One message per account the run reminded (the highest rung reached speaks for the lower
    # ones it passed over): 19 of the officer's accounts.
    to_owner = Notification.objects.filter(recipient=officer.user)
    assert to_owner.count() == 19
    links = list(to_owner.values_list("link", flat=True))
    assert len(links) == len(set(links))
    sent = len(mail.outbox)
    _scan(django_capture_on_commit_callbacks, execute=True)
    assert len(mail.outbox) == sent
    assert Notification.objects.filter(recipient=officer.user).count() == 19


def test_a_broken_step_leaves_nothing_written(
    register, monkeypatch, django_capture_on_commit_callbacks
):
    """The scan is one transaction: a failure in a later step takes the earlier ones with it."""
    monkeypatch.setattr(services, "SCAN_BATCH", 5)
    calls = []
    real = services.audit_record_rows

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "audit_record_rows", failing)
    before = (Reminder.objects.count(), AuditEvent.objects.count())
    with pytest.raises(RuntimeError):
        _scan(django_capture_on_commit_callbacks)
    assert (Reminder.objects.count(), AuditEvent.objects.count()) == before
    assert verify_chain()[1] is None


def test_a_flag_records_the_last_post_as_the_account_reads_it(
    officer, django_capture_on_commit_callbacks
):
    """The flag's changes are filled into a template from the step's row: the last post with
    its microseconds, and the account as str() reads it, whatever its handle holds."""
    posted = START - 60 * DAY + datetime.timedelta(microseconds=123)
    account = SocialAccountFactory(owner=officer, handle='Odd"\\Handle', last_post_at=posted)
    result = _scan(django_capture_on_commit_callbacks)
    assert result.flagged == 1  # stale (dormant, passed over, is not flagged as well)
    account.refresh_from_db()
    for event in AuditEvent.objects.filter(action="account.dormancy_flagged"):
        assert event.object_repr == str(account)
        assert event.changes["last_post_at"] == [None, account.last_post_at.isoformat()]
    assert account.last_post_at.isoformat().endswith(".000123+00:00")
    assert verify_chain()[1] is None
