"""With the broker hung or down, writes still succeed quickly and nothing is lost: the outbox
holds the work until the broker is back and the sweep sends it."""

import time

import pytest
from django.core import mail

from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import deliver_pending
from tests.workers import hanging_broker, portal_broker

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("trouble", ["hung", "down"])
def test_notify_with_broker_in_trouble_is_quick_and_keeps_the_mail(
    officer, trouble, django_capture_on_commit_callbacks
):
    with hanging_broker() as hung_url:
        url = hung_url if trouble == "hung" else "redis://127.0.0.1:1/0"
        with portal_broker(url):
            started = time.monotonic()
            with django_capture_on_commit_callbacks(execute=True):
                notify(
                    recipients=[officer.user],
                    context={"subject": "Waiting", "message": "m"},
                    kind="test",
                )
            elapsed = time.monotonic() - started
    assert elapsed < 6, f"a {trouble} broker held the request for {elapsed:.1f}s"
    assert mail.outbox == []
    waiting = Notification.objects.get()
    assert waiting.emailed_at is None

    # The broker is back (tests run tasks eagerly again): the periodic sweep sends it.
    assert deliver_pending() == 1
    assert [m.to for m in mail.outbox] == [[officer.user.email]]
    waiting.refresh_from_db()
    assert waiting.emailed_at is not None
