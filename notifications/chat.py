"""Posting notifications to a chat channel: Microsoft Teams, through the address of an incoming
webhook or of a Teams Workflows "post to a channel when a webhook request is received" flow.

Both take the same message: an Adaptive Card in a `message` envelope, one JSON POST. It is sent
with httpx, the project's one HTTP client (timeouts, no redirects followed); see the README for
why not apprise.

The address is a secret: its path carries the signature that lets anyone post to the channel.
It is sealed at rest (core/crypto.py), never logged (the errors below name the host only, and
the `urllib3` logger, which would write the path at DEBUG, is held at WARNING in settings), and
never shown back in full (`url_hint`)."""

import urllib.parse

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from core import crypto


class ChatPostError(Exception):
    """The post did not go through this time (refused, timed out, 5xx, 429): try again later."""


class ChatRejected(ValueError):
    """The channel refused the post for good (404: the webhook was removed; 400; a redirect):
    no number of tries sends it, so the outbox parks it at once. A ValueError for that reason."""


def _aad(channel_id: int) -> bytes:
    return f"chat-channel:{channel_id}".encode()


@sensitive_variables()
def seal_url(channel, url: str) -> None:
    """Seal `url` onto `channel` (saved by the caller, which must already have a pk)."""
    sealed = crypto.seal(url.encode(), aad=_aad(channel.pk))
    channel.key_id, channel.nonce, channel.ciphertext = (
        sealed.key_id,
        sealed.nonce,
        sealed.ciphertext,
    )
    channel.url_hint = url_hint(url)


@sensitive_variables()
def unseal_url(channel) -> str:
    sealed = crypto.Sealed(channel.key_id, bytes(channel.nonce), bytes(channel.ciphertext))
    return crypto.unseal(sealed, aad=_aad(channel.pk)).decode()


@sensitive_variables()
def url_hint(url: str) -> str:
    """What a person may see of a webhook address: its host and its last four characters."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}/…{url[-4:]}"[:120]


def _host_allowed(host: str) -> bool:
    return any(
        host == allowed or host.endswith("." + allowed)
        for allowed in (h.lower().strip(".") for h in settings.CHAT_WEBHOOK_HOSTS)
    )


@sensitive_variables()
def validate_webhook_url(url: str) -> str:
    """The address stripped, or a ValidationError a person can act on. HTTPS only (plain HTTP
    only where CHAT_WEBHOOK_ALLOW_HTTP is set, for a local test server), to a host of
    CHAT_WEBHOOK_HOSTS (Microsoft's webhook and Workflows hosts by default), so the setting
    cannot be used to make the portal post to an arbitrary machine."""
    url = (url or "").strip()
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError("Enter the webhook address exactly as Teams gave it.") from None
    schemes = {"https", "http"} if settings.CHAT_WEBHOOK_ALLOW_HTTP else {"https"}
    if parts.scheme not in schemes or not parts.hostname:
        raise ValidationError("Enter the webhook address Teams gave you; it starts with https://.")
    if parts.username or parts.password or (port is not None and port <= 0):
        raise ValidationError("Enter the webhook address exactly as Teams gave it.")
    if not _host_allowed(parts.hostname.lower()):
        allowed = ", ".join(settings.CHAT_WEBHOOK_HOSTS)
        raise ValidationError(
            f"The portal only posts to Microsoft's webhook hosts ({allowed}); "
            f"{parts.hostname} is not one of them."
        )
    if len(url) > 2000:
        raise ValidationError("That address is too long to be a Teams webhook.")
    return url


def teams_message(*, subject: str, body: str, link: str = "") -> dict:
    """The Adaptive Card that both Teams incoming webhooks and Workflows accept. Subject and
    body are text runs of a RichTextBlock, which cards never read as Markdown: what people typed
    (a hack report's "what happened", a reason) shows as typed, never as a link with friendly
    words. The portal's own link is the card's one action."""
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "RichTextBlock",
                "inlines": [
                    {"type": "TextRun", "text": subject, "weight": "Bolder", "size": "Medium"}
                ],
            },
            {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": body}]},
        ],
    }
    if link:
        url = urllib.parse.urljoin(settings.PORTAL_BASE_URL, link)
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in the portal", "url": url}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


RETRY_STATUSES = {408, 425, 429}


@sensitive_variables()
def post(url: str, message: dict) -> None:
    """POST `message` to the webhook at `url`. Raises ChatPostError (try later) or ChatRejected
    (park), each naming the host and never the address."""
    host = urllib.parse.urlsplit(url).hostname or "the channel"
    try:
        response = httpx.post(
            url,
            json=message,
            timeout=settings.CHAT_WEBHOOK_TIMEOUT,
            follow_redirects=False,
        )
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        raise ChatRejected(f"The webhook address for {host} is not valid.") from None
    except httpx.HTTPError as exc:
        # `from None`, and only the class name: the exception's text holds the address.
        raise ChatPostError(f"{type(exc).__name__} posting to {host}") from None
    status = response.status_code
    if 200 <= status < 300:
        return
    if status >= 500 or status in RETRY_STATUSES:
        raise ChatPostError(f"HTTP {status} from {host}")
    raise ChatRejected(f"HTTP {status} from {host}: check the channel's webhook address")
