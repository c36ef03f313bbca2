"""Telling people things. `notify` writes the portal message and the e-mail outbox row inside
the caller's transaction; delivery is queued only after commit."""

import contextlib
import contextvars
import dataclasses
import datetime
import logging
import re
import unicodedata

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.errors import WorkflowError
from core.queue import enqueue_on_commit
from notifications.models import Notification

logger = logging.getLogger(__name__)

# A notification's e-mail is tried at most this many times, then parked as failed for an
# administrator (`failed_at`); one whose content cannot be sent at all is parked at once.
MAX_ATTEMPTS = 10
# Between sweeps a row that failed waits 1, 2, 4 ... minutes, at most an hour.
MAX_BACKOFF = datetime.timedelta(hours=1)
# Room for the portal's "[name] " prefix within the 200 characters of `subject`.
SUBJECT_LENGTH = 150
_SPACES = re.compile(r"\s+")


def header_safe(text: str, limit: int = SUBJECT_LENGTH) -> str:
    """`text` fit for a mail header: line breaks and other control or separator characters
    (CR, LF, tab, NUL, U+2028 ...) become spaces, runs of spaces one, and it is cut to `limit`
    characters with an ellipsis. A name imported with a carriage return in it would otherwise
    make the subject, and so the send, invalid."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch for ch in text
    )
    cleaned = _SPACES.sub(" ", cleaned).strip()
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned


def _backoff(attempts: int) -> datetime.timedelta:
    return min(datetime.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def template_for(kind: str) -> str:
    """The template that words a notification of `kind`: `notifications/<kind>.txt`, its first
    line the subject, then a blank line, then the body (`{% autoescape off %}` plain text)."""
    return f"notifications/{kind}.txt"


# The blank line between the subject and the body. The subject is what comes before it, not
# the first line of the text: a name with a line break in it stays whole in the subject, where
# `header_safe` makes it one line.
_SUBJECT_END = re.compile(r"\n[ \t\r]*\n")


def _render(template: str, context: dict) -> tuple[str, str]:
    text = render_to_string(template, context).strip()
    parts = _SUBJECT_END.split(text, maxsplit=1)
    if len(parts) == 1:
        parts = text.split("\n", 1)
    first, body = parts[0], parts[1] if len(parts) > 1 else ""
    return header_safe(first), body.strip()


@dataclasses.dataclass(frozen=True)
class SharedMailbox:
    """A team's shared address and the people who read it (the press office). The address gets
    the e-mail; each member finds the message in their portal inbox, without a copy of the same
    e-mail of their own, since they read it in the mailbox."""

    email: str
    members: tuple = ()


# The people already told of the event in hand (`notification_event`): user ids and addresses.
_EVENT: contextvars.ContextVar[set | None] = contextvars.ContextVar(
    "notification_event", default=None
)


@contextlib.contextmanager
def notification_event():
    """Several `notify` calls that tell of one event (a decision that reaches the applicant and
    the press office, a handover that reaches the owner and the successor): a person gets only
    the first message meant for them, so each call should come in order of who most needs it."""
    token = _EVENT.set(set()) if _EVENT.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _EVENT.reset(token)


def _addressees(recipients, actor) -> list[tuple]:
    """(user, e-mail) pairs, one per person and per address, the acting person left out. People
    named in their own right get the e-mail; members of a shared mailbox who are not get the
    inbox message only (their e-mail is ""), since the mailbox's copy reaches them."""
    actor_id = getattr(actor, "pk", None)
    direct, readers = [], []
    for recipient in recipients:
        if recipient is None:
            continue
        if isinstance(recipient, SharedMailbox):
            direct.append((None, recipient.email))
            readers += [(member, "") for member in recipient.members]
        elif isinstance(recipient, str):
            direct.append((None, recipient))
        else:
            direct.append((recipient, recipient.email))
    told = _EVENT.get()
    seen = told if told is not None else set()
    pairs = []
    for user, email in direct + readers:
        key = ("user", user.pk) if user is not None else ("email", (email or "").lower())
        if user is not None and user.pk == actor_id:
            continue  # nobody is told of what they did themselves
        if key in seen or (user is None and not email):
            continue
        if user is not None and email and ("email", email.lower()) in seen:
            continue  # this person's address was already on the list as a plain address
        seen.add(key)
        if email:
            seen.add(("email", email.lower()))
        pairs.append((user, email))
    return pairs


def notify(
    *,
    recipients,
    kind: str,
    context: dict,
    link: str = "",
    actor=None,
) -> list[Notification]:
    """Create one notification per person (users, plain e-mail addresses, or a
    `SharedMailbox` such as the press office's) and send the e-mails once the transaction
    commits. A person gets one message however many roles put them on the list, and none about
    their own action (`actor`); within a `notification_event` one for the whole event.

    Services state facts: `kind` names the template that words them (`template_for`), and
    `context` holds the facts; no service writes the words of a message."""
    template = template_for(kind)
    created = []
    for user, email in _addressees(recipients, actor):
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
    ids = [n.pk for n in created if n.email]
    if ids:
        enqueue_on_commit("notifications.tasks.deliver", ids)
    return created


def notification_deliver(*, notification_id: int) -> bool:
    """Send one notification's e-mail exactly once. Returns True when this call sent it.

    A failure counts a try and leaves the row for the sweep after a back-off; the last of
    `MAX_ATTEMPTS` tries, or a content error (`BadHeaderError` and any other `ValueError`: no
    number of tries sends it), parks it as failed, with the reason, for an administrator."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, emailed_at__isnull=True, failed_at__isnull=True)
            .exclude(email="")
            .first()
        )
        if row is None:
            return False
        attempts = row.email_attempts + 1
        try:
            EmailMessage(
                subject=f"[{settings.PORTAL_NAME}] {row.subject}",
                body=row.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[row.email],
            ).send()
        except Exception as exc:
            now = timezone.now()
            park = isinstance(exc, ValueError) or attempts >= MAX_ATTEMPTS
            Notification.objects.filter(pk=row.pk).update(
                email_attempts=attempts,
                last_error=f"{type(exc).__name__}: {exc}"[:300],
                failed_at=now if park else None,
                next_attempt_at=None if park else now + _backoff(attempts),
            )
            logger.warning(
                "Could not e-mail notification %s (try %s%s): %s",
                row.pk,
                attempts,
                ", parked as failed" if park else "",
                type(exc).__name__,
            )
            return False
        Notification.objects.filter(pk=row.pk).update(
            emailed_at=timezone.now(), email_attempts=attempts, last_error="", next_attempt_at=None
        )
        return True


def notification_requeue(*, notification: Notification) -> dict:
    """Put a parked notification (`notification`, locked by the caller) back in the outbox with
    a fresh count of tries, its subject made header-safe again, and queue its delivery after
    commit. Returns the changes, for the caller's audit record. The caller checks who may."""
    if notification.emailed_at is not None or notification.failed_at is None:
        raise WorkflowError("This e-mail is not parked as failed; there is nothing to retry.")
    changes = {
        "failed_at": [notification.failed_at.isoformat(), None],
        "email_attempts": [notification.email_attempts, 0],
        "last_error": [notification.last_error, ""],
    }
    subject = header_safe(notification.subject)
    if subject != notification.subject:
        changes["subject"] = [notification.subject, subject]
    notification.subject = subject
    notification.failed_at = None
    notification.next_attempt_at = None
    notification.email_attempts = 0
    notification.last_error = ""
    notification.save(
        update_fields=["subject", "failed_at", "next_attempt_at", "email_attempts", "last_error"]
    )
    enqueue_on_commit("notifications.tasks.deliver", [notification.pk])
    return changes


def notification_mark_read(*, actor, notification: Notification) -> None:
    if notification.recipient_id != actor.pk:
        raise PermissionError("That notification is someone else's.")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
