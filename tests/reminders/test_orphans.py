import datetime

import pytest
import time_machine
from django.core import mail

from accounts.services import social_account_close
from reminders.services import orphan_check
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db
MONDAY = datetime.datetime(2026, 11, 2, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def check_on(django_capture_on_commit_callbacks):
    def run(days):
        mail.outbox.clear()
        with (
            time_machine.travel(MONDAY + datetime.timedelta(days=days), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return orphan_check()

    return run


@pytest.fixture
def orphan(officer):
    account = SocialAccountFactory(owner=officer, handle="LeaverWMP")
    officer.status = officer.Status.LEFT
    officer.status_changed_on = datetime.date(2026, 10, 30)
    officer.save()
    return account


def test_orphan_chased_weekly_until_handed_over_or_closed(
    orphan, supervisor, press_officer, check_on
):
    assert check_on(0).created == {"orphan": 1}
    recipients = {m.to[0] for m in mail.outbox}
    assert {supervisor.user.email, "press-office@localhost"} <= recipients
    assert press_officer.user.email not in recipients  # the mailbox's copy reaches them
    assert "@LeaverWMP has no owner in post" in mail.outbox[0].subject
    for day in range(1, 7):  # nightly runs the rest of the week
        assert check_on(day).total == 0
    assert check_on(7).created == {"orphan": 1}  # next week
    social_account_close(
        actor=press_officer.user,
        account=orphan,
        closed_on=datetime.date(2026, 11, 9),
        reason="Closed",
    )
    assert check_on(14).total == 0


def test_serving_owner_is_no_orphan(officer, check_on):
    SocialAccountFactory(owner=officer)
    assert check_on(0).total == 0
