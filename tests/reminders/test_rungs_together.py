"""Rungs of a ladder reached together make one message: an account first seen after 60 silent
days is quiet, dormant and stale at once, and its owner gets one e-mail, not three. The scan
writes only the highest rung; its message tells everyone the passed-over ones would have."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from notifications.models import Notification
from reminders.models import Reminder
from reminders.services import dormancy_scan
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def _scan(django_capture_on_commit_callbacks, days_silent, officer):
    SocialAccountFactory(
        owner=officer, handle="QuietWMP", last_post_at=NOW - datetime.timedelta(days=days_silent)
    )
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return dormancy_scan()


def test_quiet_and_dormant_at_once_send_the_owner_one_mail(
    officer, supervisor, django_capture_on_commit_callbacks
):
    result = _scan(django_capture_on_commit_callbacks, 30, officer)
    assert result.created == {"dormancy_warn": 0, "dormancy_dormant": 1, "dormancy_stale": 0}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [officer.user.email, supervisor.user.email]
    )
    assert all("is dormant" in m.subject for m in mail.outbox)
    # One row on the ledger, told; the quiet rung it passed over is never made or sent later.
    assert list(Reminder.objects.values_list("kind", flat=True)) == ["dormancy_dormant"]
    assert not Reminder.objects.filter(notified_at__isnull=True).exists()
    sent = len(mail.outbox)
    with (
        time_machine.travel(NOW + datetime.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert dormancy_scan().total == 0
    assert len(mail.outbox) == sent


def test_all_three_rungs_at_once_make_one_message_to_everyone_any_names(
    officer, supervisor, press_officer, django_capture_on_commit_callbacks
):
    _scan(django_capture_on_commit_callbacks, 60, officer)
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted([officer.user.email, supervisor.user.email, settings.PRESS_OFFICE_EMAIL])
    assert set(Notification.objects.values_list("kind", flat=True)) == {"dormancy_stale"}
    assert Notification.objects.filter(recipient=press_officer.user, email="").count() == 1
