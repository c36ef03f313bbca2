import pytest
from django.core import mail

from notifications.models import Notification
from notifications.services import notification_deliver, notify
from notifications.tasks import deliver_pending

pytestmark = pytest.mark.django_db


def test_notify_sends_only_after_commit(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            recipients=[officer.user, "press@test.wmp.example"],
            context={"subject": "Hello", "message": "A thing happened"},
            kind="test",
        )
    assert len(mail.outbox) == 0
    assert Notification.objects.count() == 2
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [officer.user.email, "press@test.wmp.example"]
    )
    assert "A thing happened" in mail.outbox[0].body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_rolled_back_transaction_leaves_no_notification(
    officer, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(
            recipients=[officer.user],
            context={"subject": "x", "message": "m"},
            kind="test",
        )
        raise RuntimeError
    assert Notification.objects.count() == 0


def test_each_notification_is_emailed_once(officer):
    [n] = notify(
        recipients=[officer.user],
        context={"subject": "Once", "message": "m"},
        kind="test",
    )
    assert notification_deliver(notification_id=n.pk) is True
    assert notification_deliver(notification_id=n.pk) is False
    assert deliver_pending() == 0
    assert len(mail.outbox) == 1


def test_broker_down_leaves_mail_in_outbox_then_sweep_sends(
    officer, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.deliver, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[officer.user],
            context={"subject": "Queued", "message": "m"},
            kind="test",
        )
    assert len(mail.outbox) == 0
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 1
    assert deliver_pending() == 1
    assert [m.subject for m in mail.outbox] == ["[Social media accounts] Queued"]


def test_inbox_shows_only_my_notifications(login, officer, other_officer):
    notify(
        recipients=[officer.user],
        context={"subject": "For officer", "message": "m"},
        kind="test",
    )
    notify(
        recipients=[other_officer.user],
        context={"subject": "For other", "message": "m"},
        kind="test",
    )
    html = login(officer).get("/notifications/").content.decode()
    assert "For officer" in html and "For other" not in html
