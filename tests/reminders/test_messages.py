"""Every reminder is worded by its kind's template (`templates/notifications/<kind>.txt`): the
subject line, a greeting for a person (none for a shared mailbox), the body and the link."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.template.loader import get_template

from notifications.models import Notification
from notifications.services import template_for
from reminders.models import Reminder
from reminders.services import dormancy_scan
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("kind", [*Reminder.Kind.values, "recert_supervisor"])
def test_every_reminder_kind_has_its_template(kind):
    assert get_template(template_for(kind))


def test_a_dormancy_reminder_greets_the_owner_and_links_to_the_account(
    officer, supervisor, django_capture_on_commit_callbacks
):
    officer.user.first_name = "Priya"
    officer.user.save()
    account = SocialAccountFactory(owner=officer, handle="QuietWMP", last_post_at=START)
    with (
        time_machine.travel(START + datetime.timedelta(days=14), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dormancy_scan()
    [message] = mail.outbox
    assert message.subject.endswith("@QuietWMP has not posted for 14 days")
    assert message.body.startswith(
        "Dear Priya,\n\n@QuietWMP (X (Twitter)) has not posted for 14 days."
    )
    assert message.body.endswith(
        f"Open it in the portal: {settings.PORTAL_BASE_URL}/register/{account.pk}/"
    )
    assert Notification.objects.get().kind == "dormancy_warn"


def test_a_stale_account_tells_the_press_office_mailbox_without_a_greeting(
    officer, press_officer, django_capture_on_commit_callbacks
):
    SocialAccountFactory(owner=officer, handle="StaleWMP", last_post_at=START)
    with (
        time_machine.travel(START + datetime.timedelta(days=settings.STALE_AFTER), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dormancy_scan()
    [to_mailbox] = [
        m for m in mail.outbox if m.to == [settings.PRESS_OFFICE_EMAIL] and "stale" in m.subject
    ]
    assert to_mailbox.subject.endswith("@StaleWMP is stale: review for closure or handover")
    assert to_mailbox.body.startswith("@StaleWMP (")
    assert "has not posted for" in to_mailbox.body
