"""Telling people things. `notify` writes the portal message and the e-mail outbox row inside
the caller's transaction; delivery is queued only after commit."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.queue import enqueue_on_commit
from notifications.models import Notification

logger = logging.getLogger(__name__)


def template_for(kind: str) -> str:
    """The template that words a notification of `kind`: `notifications/<kind>.txt`, its first
    line the subject, then a blank line, then the body (`{% autoescape off %}` plain text)."""
    return f"notifications/{kind}.txt"


def _render(template: str, context: dict) -> tuple[str, str]:
    first, _, body = render_to_string(template, context).strip().partition("\n")
    return first.strip(), body.strip()


def notify(
    *,
    recipients,
    kind: str,
    context: dict,
    link: str = "",
) -> list[Notification]:
    """Create one notification per recipient (users, or plain e-mail addresses for shared
    mailboxes such as the press office) and send the e-mails once the transaction commits.

    Services state facts: `kind` names the template that words them (`template_for`), and
    `context` holds the facts; no service writes the words of a message."""
    template = template_for(kind)
    created = []
    seen = set()
    for recipient in recipients:
        if recipient is None:
            continue
        if isinstance(recipient, str):
            user, email = None, recipient
        else:
            user, email = recipient, recipient.email
        if not email or email.lower() in seen:
            continue
        seen.add(email.lower())
        line, body = _render(
            template,
            {**context, "recipient": user, "link": link, "base_url": settings.PORTAL_BASE_URL},
        )
        created.append(
            Notification(
                recipient=user,
                email=email,
                subject=line,
                body=body,
                link=link,
                kind=kind,
            )
        )
    Notification.objects.bulk_create(created)
    ids = [n.pk for n in created]
    if ids:
        enqueue_on_commit("notifications.tasks.deliver", ids)
    return created


def notification_deliver(*, notification_id: int) -> bool:
    """Send one notification's e-mail exactly once. Returns True when this call sent it."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        try:
            EmailMessage(
                subject=f"[{settings.PORTAL_NAME}] {row.subject}",
                body=row.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[row.email],
            ).send()
        except Exception as exc:
            Notification.objects.filter(pk=row.pk).update(
                email_attempts=row.email_attempts + 1, last_error=type(exc).__name__[:300]
            )
            logger.warning("Could not e-mail notification %s: %s", row.pk, type(exc).__name__)
            return False
        Notification.objects.filter(pk=row.pk).update(
            emailed_at=timezone.now(), email_attempts=row.email_attempts + 1, last_error=""
        )
        return True


def notification_mark_read(*, actor, notification: Notification) -> None:
    if notification.recipient_id != actor.pk:
        raise PermissionError("That notification is someone else's.")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
