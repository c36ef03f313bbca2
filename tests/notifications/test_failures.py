"""Notifications that cannot be sent: subjects made header-safe when written, a failing send
tried a bounded number of times (with back-off between sweeps) then parked as failed, a content
error parked at once; an administrator sees parked e-mails with the reason and retries them."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import Notification
from notifications.services import MAX_ATTEMPTS, header_safe, notification_deliver, notify
from notifications.tasks import deliver_pending
from people.roles import Role
from tests.factories import DelegationFactory, OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(db):
    return OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])


@pytest.fixture
def mail_server_down(monkeypatch):
    calls = []

    def refuse(self, messages):
        calls.append(messages)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    return calls


def _one(officer, subject="Queued"):
    [n] = notify(
        recipients=[officer.user], context={"subject": subject, "message": "m"}, kind="test"
    )
    return n


def _sweep_later(minutes=61):
    """Run the sweep as if `minutes` had passed since every back-off was set."""
    Notification.objects.filter(next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )
    return deliver_pending()


def test_header_safe_collapses_line_breaks_and_control_characters_and_bounds_length():
    assert header_safe("Priya\r\nBcc: x@example.com\tSharma\x00 \u2028end") == (
        "Priya Bcc: x@example.com Sharma end"
    )
    long = header_safe("word " * 100)
    assert len(long) == 150 and long.endswith("…")


def test_a_name_with_a_carriage_return_gives_a_clean_subject_and_the_mail_is_sent():
    delegation = DelegationFactory(supervisor=OfficerFactory(first_name="Priya\r\nBcc: x@evil"))
    [n] = notify(
        recipients=[delegation.acting.user],
        kind="delegation.created",
        context={"delegation": delegation},
    )
    n.refresh_from_db()
    assert "\r" not in n.subject and "\n" not in n.subject
    assert n.subject.startswith("You are acting supervisor for Priya Bcc: x@evil ")
    assert notification_deliver(notification_id=n.pk) is True
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"[Social media accounts] {n.subject}"
    mail.outbox[0].message()  # the headers are valid
    n.refresh_from_db()
    assert n.emailed_at is not None and n.failed_at is None


def test_a_mail_that_keeps_failing_is_tried_at_most_n_times_then_parked(officer, mail_server_down):
    n = _one(officer)
    assert notification_deliver(notification_id=n.pk) is False
    n.refresh_from_db()
    assert n.email_attempts == 1 and n.failed_at is None
    assert n.next_attempt_at > timezone.now()
    # Backed off: the next sweep leaves it alone until its time comes.
    deliver_pending()
    assert len(mail_server_down) == 1
    for _ in range(MAX_ATTEMPTS + 5):
        _sweep_later()
    assert len(mail_server_down) == MAX_ATTEMPTS
    n.refresh_from_db()
    assert n.email_attempts == MAX_ATTEMPTS
    assert n.failed_at is not None and n.emailed_at is None
    assert n.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    # Parked: neither the sweep nor a direct delivery picks it up again.
    assert _sweep_later() == 0
    assert notification_deliver(notification_id=n.pk) is False
    assert len(mail_server_down) == MAX_ATTEMPTS


def test_a_bad_header_parks_at_once(officer, monkeypatch):
    # Django 6.1's BadHeaderError is ValueError (the old name is deprecated): what the message
    # builder raises for a header with a line break in it.
    def bad_header(self, messages):
        raise ValueError("Header values can't contain newlines")

    monkeypatch.setattr(EmailBackend, "send_messages", bad_header)
    n = _one(officer)
    assert notification_deliver(notification_id=n.pk) is False
    n.refresh_from_db()
    assert n.email_attempts == 1 and n.failed_at is not None
    assert n.last_error == "ValueError: Header values can't contain newlines"
    assert _sweep_later() == 0


def test_a_row_written_with_a_bad_subject_parks_at_once_and_is_cleaned_on_retry(
    officer, administrator
):
    from people.services import failed_mail_retry

    n = _one(officer)
    Notification.objects.filter(pk=n.pk).update(subject="Before the fix\r\nBcc: x@evil")
    assert notification_deliver(notification_id=n.pk) is False
    n.refresh_from_db()
    assert n.failed_at is not None and n.email_attempts == 1
    assert "ValueError" in n.last_error or "BadHeaderError" in n.last_error
    failed_mail_retry(actor=administrator.user, notification_id=n.pk)
    n.refresh_from_db()
    assert n.subject == "Before the fix Bcc: x@evil"
    assert notification_deliver(notification_id=n.pk) is True
    assert len(mail.outbox) == 1


def test_an_administrator_sees_a_parked_mail_and_retries_it_audited(
    login, officer, administrator, mail_server_down, monkeypatch, django_capture_on_commit_callbacks
):
    n = _one(officer, subject="Parked one")
    for _ in range(MAX_ATTEMPTS):
        notification_deliver(notification_id=n.pk)
    n.refresh_from_db()
    assert n.failed_at is not None
    client = login(administrator)
    page = client.get(reverse("people:failed_mail"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Parked one" in html and officer.user.email in html
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in html
    monkeypatch.undo()  # the mail server is back
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:failed_mail_retry", args=[n.pk]), follow=True)
    assert "back in the outbox" in response.content.decode()
    n.refresh_from_db()
    assert n.failed_at is None and n.emailed_at is not None and n.email_attempts == 1
    assert [m.subject for m in mail.outbox] == ["[Social media accounts] Parked one"]
    event = AuditEvent.objects.get(action="notification.retried")
    assert event.actor == administrator.user
    assert event.object_id == str(n.pk)
    assert event.changes["email_attempts"] == [MAX_ATTEMPTS, 0]
    assert event.reason == "Failed with SMTPServerDisconnected: Connection unexpectedly closed"
    assert "Parked one" not in client.get(reverse("people:failed_mail")).content.decode()


def test_a_non_administrator_can_neither_see_nor_retry_parked_mail(
    login, officer, press_officer, mail_server_down
):
    from django.core.exceptions import PermissionDenied

    from people.services import failed_mail_retry

    n = _one(officer)
    Notification.objects.filter(pk=n.pk).update(failed_at=timezone.now(), last_error="X: y")
    for person in (officer, press_officer):
        client = login(person)
        assert client.get(reverse("people:failed_mail")).status_code == 403
        assert client.post(reverse("people:failed_mail_retry", args=[n.pk])).status_code == 403
        with pytest.raises(PermissionDenied):
            failed_mail_retry(actor=person.user, notification_id=n.pk)
    n.refresh_from_db()
    assert n.failed_at is not None
    assert not AuditEvent.objects.filter(action="notification.retried").exists()


def test_only_a_parked_mail_is_retried(officer, administrator):
    from core.errors import WorkflowError
    from people.services import failed_mail_retry

    n = _one(officer)
    with pytest.raises(WorkflowError, match="not parked as failed"):
        failed_mail_retry(actor=administrator.user, notification_id=n.pk)
