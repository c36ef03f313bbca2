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
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from core.errors import WorkflowError
from core.queue import enqueue_on_commit
from notifications import chat
from notifications.models import ChatChannel, ChatSubscription, Notification

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
    # The team whose chat choices apply to what reaches this mailbox (ChatSubscription.team).
    team: str = ""


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
    for channel_id in _chat_channel_ids(kind, recipients, created):
        line, body = _render(
            template,
            {**context, "recipient": None, "link": link, "base_url": settings.PORTAL_BASE_URL},
        )
        created.append(
            Notification(chat_channel_id=channel_id, subject=line, body=body, link=link, kind=kind)
        )
    Notification.objects.bulk_create(created)
    ids = [n.pk for n in created if n.email or n.chat_channel_id]
    if ids:
        enqueue_on_commit("notifications.tasks.deliver", ids)
    return created


def _chat_channel_ids(kind: str, recipients, created: list[Notification]) -> list[int]:
    """The active chat channels that the people told (`created`), or the teams whose shared
    mailbox was told, chose for `kind`: one post per channel, and within a
    `notification_event` one per channel for the whole event."""
    user_ids = [n.recipient.pk for n in created if n.recipient is not None]
    teams = [r.team for r in recipients if isinstance(r, SharedMailbox) and r.team]
    if not user_ids and not teams:
        return []
    ids = (
        ChatSubscription.objects.filter(
            Q(user_id__in=user_ids) | Q(user__isnull=True, team__in=teams),
            kind=kind,
            channel__is_active=True,
        )
        .order_by("channel_id")
        .values_list("channel_id", flat=True)
        .distinct()
    )
    told = _EVENT.get()
    fresh = []
    for channel_id in ids:
        if told is not None:
            if ("chat", channel_id) in told:
                continue
            told.add(("chat", channel_id))
        fresh.append(channel_id)
    return fresh


@sensitive_variables()
def _post_to_chat(row: Notification) -> None:
    channel = ChatChannel.objects.get(pk=row.chat_channel_id)
    if not channel.is_active:
        raise chat.ChatRejected(f"The chat channel {channel.name} is switched off.")
    message = chat.teams_message(subject=row.subject, body=row.body, link=row.link)
    chat.post(chat.unseal_url(channel), message)


def _send_email(row: Notification) -> None:
    EmailMessage(
        subject=f"[{settings.PORTAL_NAME}] {row.subject}",
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.email],
    ).send()


def notification_deliver(*, notification_id: int) -> bool:
    """Send one notification's e-mail, or post its chat copy, exactly once. Returns True when
    this call sent it.

    A failure counts a try and leaves the row for the sweep after a back-off; the last of
    `MAX_ATTEMPTS` tries, or a content error (`BadHeaderError` and any other `ValueError`: no
    number of tries sends it), parks it as failed, with the reason, for an administrator."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                Notification.HAS_COPY,
                pk=notification_id,
                emailed_at__isnull=True,
                failed_at__isnull=True,
            )
            .first()
        )
        if row is None:
            return False
        attempts = row.email_attempts + 1
        try:
            if row.chat_channel_id:
                _post_to_chat(row)
            else:
                _send_email(row)
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
                "Could not deliver notification %s (try %s%s): %s",
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


# Chat channels: the data side. people/chat.py checks who may and writes the audit record.


@sensitive_variables("url")
def chat_channel_create(*, name: str, url: str) -> ChatChannel:
    """A new channel posting to the webhook at `url` (validated by the caller's form with
    `chat.validate_webhook_url`), sealed on its row."""
    channel = ChatChannel.objects.create(name=name.strip(), url_hint="")
    chat.seal_url(channel, url)
    channel.save(update_fields=["key_id", "nonce", "ciphertext", "url_hint"])
    return channel


@sensitive_variables("url")
def chat_channel_replace_url(*, channel: ChatChannel, url: str) -> dict:
    """Seal a new webhook address on `channel` (locked by the caller). Returns the changes
    (hints only)."""
    old = channel.url_hint
    chat.seal_url(channel, url)
    channel.save(update_fields=["key_id", "nonce", "ciphertext", "url_hint"])
    return {"url_hint": [old, channel.url_hint]}


@sensitive_variables()
def chat_channel_reseal(*, channel: ChatChannel) -> None:
    """Seal `channel`'s address (locked by the caller) again under the current key."""
    chat.seal_url(channel, chat.unseal_url(channel))
    channel.save(update_fields=["key_id", "nonce", "ciphertext"])


def chat_channel_set_active(*, channel: ChatChannel, active: bool) -> dict:
    if channel.is_active == active:
        raise WorkflowError(
            f"The channel {channel.name} is already {'on' if active else 'switched off'}."
        )
    channel.is_active = active
    channel.save(update_fields=["is_active"])
    return {"is_active": [not active, active]}


def chat_subscriptions_set(*, channel: ChatChannel, kinds, user=None, team: str = "") -> dict:
    """Make the kinds that `user` (or `team`) has posted to `channel` exactly `kinds`. Returns
    the changes ({} when nothing changed)."""
    if (user is None) == (not team):
        raise ValueError("A chat choice is a person's or a team's.")
    owner = {"user": user} if user is not None else {"user__isnull": True, "team": team}
    current = ChatSubscription.objects.filter(channel=channel, **owner)
    before = sorted(current.values_list("kind", flat=True))
    after = sorted(set(kinds))
    if before == after:
        return {}
    current.exclude(kind__in=after).delete()
    ChatSubscription.objects.bulk_create(
        [
            ChatSubscription(channel=channel, kind=kind, user=user, team=team)
            for kind in after
            if kind not in before
        ]
    )
    return {"kinds": [before, after]}
