"""Reading an account's activity from its platform. Every platform sits behind one small
interface (`PlatformAdapter.fetch_activity(handle) -> Activity`); the X API v2 adapter is the
first. Errors are typed so the Celery task can tell what to retry (rate limits, outages) from
what to report (no such user, a bad token)."""

import datetime
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Activity:
    handle: str
    platform_user_id: str
    last_post_at: datetime.datetime | None
    followers: int | None


class PlatformError(Exception):
    retryable = False


class PlatformAccountNotFound(PlatformError):
    """The platform has no account with this handle (renamed, suspended or deleted)."""


class PlatformAuthError(PlatformError):
    """The platform refused our credentials (401/403): a person must fix the token."""


class PlatformRateLimited(PlatformError):
    """Too many requests (429). Try again after `retry_after` seconds."""

    retryable = True

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class PlatformUnavailable(PlatformError):
    """The platform failed or could not be reached (5xx, timeout, bad answer). Try later."""

    retryable = True


class PlatformAdapter(Protocol):
    platform: str

    def fetch_activity(self, handle: str) -> Activity: ...


def _parse_time(value: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


class XApiAdapter:
    """X API v2: GET /2/users/by/username/:username, then /2/users/:id/tweets (the five most
    recent posts, with their creation time). Needs an app bearer token."""

    platform = "x"

    def __init__(self, *, base_url: str, bearer_token: str, timeout: float = 10):
        if not bearer_token:
            raise PlatformAuthError("No X API bearer token is configured (X_API_BEARER_TOKEN).")
        self.base_url = base_url.rstrip("/")
        self._bearer_token = bearer_token
        self.timeout = timeout

    def __repr__(self):  # never the token
        return f"<XApiAdapter {self.base_url}>"

    def _get(self, path: str, params: dict) -> dict:
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(  # noqa: S310  (base URL from settings, http/https)
            url,
            headers={
                "Authorization": f"Bearer {self._bearer_token}",
                "Accept": "application/json",
                "User-Agent": "wmp-social-media-portal",
            },
        )
        try:
            # The URL is X_API_BASE_URL (settings, https) plus a fixed path: never input.
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise self._error_for(exc) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise PlatformUnavailable(f"X API unreachable: {type(exc).__name__}") from None
        try:
            return json.loads(body)
        except ValueError:
            raise PlatformUnavailable("X API answered with something that is not JSON.") from None

    @staticmethod
    def _error_for(exc: urllib.error.HTTPError) -> PlatformError:
        status = exc.code
        if status == 404:
            return PlatformAccountNotFound("X has no such user.")
        if status in (401, 403):
            return PlatformAuthError(f"X API refused the bearer token ({status}).")
        if status == 429:
            reset = exc.headers.get("x-rate-limit-reset")
            wait = 60
            if reset and reset.strip().isdigit():
                wait = int(reset) - int(timezone.now().timestamp())
            return PlatformRateLimited(
                "X API rate limit reached.", retry_after=max(1, min(wait, 60 * 60))
            )
        if status >= 500:
            return PlatformUnavailable(f"X API failed ({status}).")
        return PlatformError(f"X API answered {status}.")

    def fetch_activity(self, handle: str) -> Activity:
        handle = handle.lstrip("@")
        found = self._get(
            f"/2/users/by/username/{urllib.parse.quote(handle, safe='')}",
            {"user.fields": "public_metrics"},
        )
        user = found.get("data")
        if not user:
            # X answers 200 with an `errors` list when the user does not exist or is suspended.
            raise PlatformAccountNotFound(f"X has no user @{handle}.")
        metrics = user.get("public_metrics") or {}
        posts = self._get(
            f"/2/users/{urllib.parse.quote(str(user['id']), safe='')}/tweets",
            {"max_results": 5, "tweet.fields": "created_at"},
        )
        times = [
            _parse_time(p["created_at"]) for p in posts.get("data") or [] if p.get("created_at")
        ]
        return Activity(
            handle=user.get("username", handle),
            platform_user_id=str(user["id"]),
            last_post_at=max(times) if times else None,
            followers=metrics.get("followers_count"),
        )


def adapter_for(platform: str) -> PlatformAdapter | None:
    """The configured adapter for a platform, or None when it has none (or no credentials)."""
    if platform == "x" and settings.X_API_BEARER_TOKEN:
        return XApiAdapter(
            base_url=settings.X_API_BASE_URL,
            bearer_token=settings.X_API_BEARER_TOKEN,
            timeout=settings.X_API_TIMEOUT,
        )
    return None
