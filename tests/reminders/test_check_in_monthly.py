"""Accounts on a platform the portal cannot read: the owner is asked to check in once a month."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from accounts.services import social_account_check_in
from reminders import tasks
from reminders.models import Reminder
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db
FIRST = datetime.datetime(2026, 11, 1, 7, 0, tzinfo=datetime.UTC)
NO_ADAPTERS = {
    "X_API_BEARER_TOKEN": "",
    "FACEBOOK_ACCESS_TOKEN": "",
    "INSTAGRAM_ACCESS_TOKEN": "",
    "INSTAGRAM_BUSINESS_ACCOUNT_ID": "",
    "YOUTUBE_API_KEY": "",
}


@pytest.fixture
def run_on(django_capture_on_commit_callbacks):
    def run(moment, **settings):
        mail.outbox.clear()
        with (
            time_machine.travel(moment, tick=False),
            override_settings(**{**NO_ADAPTERS, **settings}),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return tasks.check_in_monthly.delay().get()

    return run


def test_owner_asked_once_a_month_and_running_twice_asks_nobody_twice(officer, run_on):
    tiktok = SocialAccountFactory(owner=officer, platform="tiktok", handle="TikWMP")
    nextdoor = SocialAccountFactory(owner=officer, platform="nextdoor", handle="DoorWMP")
    # An adapter, but no credentials configured: nothing reads it either.
    facebook = SocialAccountFactory(owner=officer, platform="facebook", handle="BookWMP")
    # Read by the X adapter (token configured): not asked.
    SocialAccountFactory(owner=officer, platform="x", handle="ReadWMP")
    SocialAccountFactory(owner=officer, platform="tiktok", handle="ShutWMP", status="closed")
    SocialAccountFactory(owner=officer, platform="tiktok", handle="NewWMP", status="pending_setup")

    result = run_on(FIRST, X_API_BEARER_TOKEN="token")
    assert result["created"] == {"check_in_monthly": 3}
    asked = Reminder.objects.filter(kind="check_in_monthly")
    assert set(asked.values_list("account_id", flat=True)) == {
        tiktok.pk,
        nextdoor.pk,
        facebook.pk,
    }
    assert {m.to[0] for m in mail.outbox} == {officer.user.email}
    assert len(mail.outbox) == 3
    assert any("Monthly check-in for @TikWMP (TikTok)" in m.subject for m in mail.outbox)

    # The same day again, and every day of the month: nobody is asked twice.
    for day in (0, 1, 15, 29):
        again = run_on(FIRST + datetime.timedelta(days=day), X_API_BEARER_TOKEN="token")
        assert again["created"] == {"check_in_monthly": 0}
    assert asked.count() == 3 and mail.outbox == []

    # Next month, each is asked again.
    assert run_on(FIRST + datetime.timedelta(days=30))["created"] == {"check_in_monthly": 4}


def test_an_owner_who_has_checked_in_this_month_is_not_asked(officer, run_on):
    account = SocialAccountFactory(owner=officer, platform="nextdoor", handle="DoorWMP")
    with time_machine.travel(FIRST + datetime.timedelta(days=2), tick=False):
        social_account_check_in(
            actor=officer.user, account=account, last_post_on=datetime.date(2026, 11, 2)
        )
    assert run_on(FIRST + datetime.timedelta(days=3))["created"] == {"check_in_monthly": 0}
    # The check-in was in November; December asks again.
    assert run_on(FIRST + datetime.timedelta(days=31))["created"] == {"check_in_monthly": 1}


def test_a_reminder_waiting_when_the_owner_checks_in_is_not_sent(
    officer, django_capture_on_commit_callbacks
):
    from reminders.services import check_in_monthly, reminder_deliver

    account = SocialAccountFactory(owner=officer, platform="tiktok", handle="TikWMP")
    with (
        time_machine.travel(FIRST, tick=False),
        override_settings(**NO_ADAPTERS),
        django_capture_on_commit_callbacks(execute=False),  # delivery held back
    ):
        check_in_monthly()
        social_account_check_in(
            actor=officer.user, account=account, last_post_on=datetime.date(2026, 11, 1)
        )
        reminder = Reminder.objects.get(kind="check_in_monthly")
        assert reminder_deliver(reminder_id=reminder.pk) is False
    reminder.refresh_from_db()
    assert reminder.notified_at is not None
    assert mail.outbox == []
