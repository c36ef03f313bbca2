"""The dormancy ladder with time frozen: each rung fires once per dormant spell, and not again."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test.utils import override_settings

from accounts.models import SocialAccount
from audit.models import AuditEvent
from notifications.models import Notification
from reminders.models import Reminder
from reminders.services import dormancy_scan
from tests.factories import LeaveFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC)


def day(n):
    return START + datetime.timedelta(days=n)


@pytest.fixture
def account(officer, press_officer):
    return SocialAccountFactory(owner=officer, handle="PriyaSharmaWMP", last_post_at=START)


@pytest.fixture
def scan_on(django_capture_on_commit_callbacks):
    """scan_on(n) runs the daily scan on day n and lets what it queues after commit run."""

    def scan(n):
        with (
            time_machine.travel(day(n), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return dormancy_scan()

    return scan


def kinds(account):
    return sorted(Reminder.objects.filter(account=account).values_list("kind", flat=True))


def test_nothing_before_the_warning(account, scan_on):
    assert scan_on(13).total == 0
    assert mail.outbox == []


def test_each_rung_fires_once_and_not_again(account, officer, supervisor, press_officer, scan_on):
    result = scan_on(14)
    assert result.created["dormancy_warn"] == 1
    assert [m.to for m in mail.outbox] == [[officer.user.email]]
    assert "has not posted for 14 days" in mail.outbox[0].subject

    for n in (15, 20, 27):
        assert scan_on(n).total == 0
    assert len(mail.outbox) == 1

    assert scan_on(28).created["dormancy_dormant"] == 1
    assert sorted(m.to[0] for m in mail.outbox[1:]) == sorted(
        [officer.user.email, supervisor.user.email]
    )
    flagged = AuditEvent.objects.get(action="account.dormancy_flagged")
    assert flagged.object_id == str(account.pk)
    assert flagged.changes["dormancy"] == [None, "dormant"]

    assert scan_on(40).total == 0
    assert scan_on(56).created["dormancy_stale"] == 1
    stale_to = {m.to[0] for m in mail.outbox[3:]}
    assert press_officer.user.email not in stale_to  # they read it in the shared mailbox
    assert "press-office@localhost" in stale_to
    assert Notification.objects.filter(
        recipient=press_officer.user, kind="dormancy_stale", email=""
    ).exists()
    assert scan_on(57).total == 0
    assert scan_on(90).total == 0
    assert kinds(account) == ["dormancy_dormant", "dormancy_stale", "dormancy_warn"]
    assert not Reminder.objects.filter(notified_at__isnull=True).exists()


def test_running_the_scan_twice_the_same_day_sends_nothing_more(account, scan_on):
    scan_on(30)
    sent = len(mail.outbox)
    assert scan_on(30).total == 0
    assert len(mail.outbox) == sent
    assert Reminder.objects.count() == 1  # dormant, the highest rung reached by day 30


def test_an_account_deleted_through_django_takes_its_reminders_with_it(account, scan_on):
    """The database does not check a reminder's account (models.py says why): Django's
    on_delete does, for the one way an account could go."""
    other = SocialAccountFactory(owner=account.owner, handle="OtherWMP", last_post_at=START)
    scan_on(30)
    assert kinds(account) == kinds(other) == ["dormancy_dormant"]
    account.delete()
    assert list(Reminder.objects.values_list("account_id", flat=True)) == [other.pk]


def test_a_new_post_ends_the_spell_and_a_new_one_starts_the_ladder_again(account, scan_on):
    scan_on(20)
    assert kinds(account) == ["dormancy_warn"]
    SocialAccount.objects.filter(pk=account.pk).update(last_post_at=day(21))
    assert scan_on(30).total == 0  # nine days since the new post
    assert scan_on(35).created["dormancy_warn"] == 1  # fourteen days since it: new spell
    assert kinds(account) == ["dormancy_warn", "dormancy_warn"]


def test_an_account_never_posted_counts_from_its_creation(officer, scan_on):
    with time_machine.travel(START, tick=False):
        never = SocialAccountFactory(owner=officer, last_post_at=None)
    assert scan_on(14).created["dormancy_warn"] == 1
    assert kinds(never) == ["dormancy_warn"]


def test_only_active_accounts_are_chased(officer, scan_on):
    for status in ("pending_setup", "closed", "compromised", "handover_pending"):
        SocialAccountFactory(owner=officer, status=status, last_post_at=START)
    assert scan_on(60).total == 0


def test_owner_on_leave_is_not_chased_until_back(account, officer, scan_on):
    LeaveFactory(officer=officer, starts_on=day(10).date(), ends_on=day(30).date())
    assert scan_on(20).total == 0
    assert scan_on(30).total == 0
    result = scan_on(31)  # back from leave: the account is past 28 days
    assert result.created == {"dormancy_warn": 0, "dormancy_dormant": 1, "dormancy_stale": 0}
    assert scan_on(32).total == 0  # the quiet rung, passed over, does not follow


@override_settings(DORMANT_WARN_AFTER=7, DORMANT_AFTER=10, STALE_AFTER=20)
def test_thresholds_come_from_settings(account, scan_on):
    assert scan_on(7).created["dormancy_warn"] == 1
    assert scan_on(10).created["dormancy_dormant"] == 1
    assert scan_on(20).created["dormancy_stale"] == 1


@pytest.mark.parametrize("accounts", [5, 60])
def test_scan_runs_a_constant_number_of_queries(
    officer, accounts, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for i in range(accounts):
        SocialAccountFactory(owner=officer, last_post_at=START - datetime.timedelta(days=i))
    with (
        # a step: candidates, temporary table, COPY, insert, the chain's lock and last event,
        # the audit COPY ... the same whatever the number of accounts
        django_assert_max_num_queries(11),
        django_capture_on_commit_callbacks(execute=False),
        time_machine.travel(day(60), tick=False),
    ):
        result = dormancy_scan()
    assert result.total == accounts  # the highest rung of each, written in those few queries
    assert Notification.objects.count() == 0  # delivery waits for the commit


def test_scan_in_small_steps_writes_what_one_step_writes_and_keeps_the_chain(
    officer, monkeypatch, django_capture_on_commit_callbacks
):
    from audit.selectors import verify_chain
    from reminders import services

    for i in range(40):
        SocialAccountFactory(
            owner=officer, handle=f"Quiet{i}WMP", last_post_at=START - datetime.timedelta(days=i)
        )
    monkeypatch.setattr(services, "SCAN_BATCH", 7)
    with django_capture_on_commit_callbacks(execute=False), time_machine.travel(day(30)):
        result = dormancy_scan()
    flagged = AuditEvent.objects.filter(action="account.dormancy_flagged")
    assert result.flagged == flagged.count() > 7
    assert result.total == Reminder.objects.count()
    # Every account quiet for 28 days or more is flagged once (dormant, or stale from 56 days),
    # described as str(account) is.
    quiet = SocialAccount.objects.filter(last_post_at__lte=day(30) - datetime.timedelta(days=28))
    assert sorted(e.object_id for e in flagged) == sorted(str(a.pk) for a in quiet)
    stale = {str(a.pk) for a in quiet if a.last_post_at <= day(30) - datetime.timedelta(days=56)}
    assert {e.object_id for e in flagged if e.changes["dormancy"][1] == "stale"} == stale
    some = quiet.first()
    event = flagged.filter(object_id=str(some.pk)).first()
    assert event.object_repr == str(some)
    assert event.changes["last_post_at"][1] == some.last_post_at.isoformat()
    checked, broken, why = verify_chain()
    assert broken is None, why
    assert checked == AuditEvent.objects.count()
