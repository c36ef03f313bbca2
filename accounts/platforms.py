"""Reading an account's activity and public profile from its platform. Every platform sits
behind one small interface (`PlatformAdapter.fetch_activity(handle) -> Activity`): X (API v2),
Facebook Pages and Instagram professional accounts (Graph API) and YouTube channels (Data API
v3). Errors are typed so the Celery task can tell what to retry (rate limits, outages) from what
to report (no such account, a bad token).

Every adapter talks HTTP through one httpx client with a timeout. Credentials travel in request
headers, never in a URL (so that no log line, error message or `paging.next` link carries them),
and a pagination link is only followed to the API's own origin."""

import datetime
import email.utils
import json
import logging
import re
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, urlsplit

import httpx
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

USER_AGENT = "wmp-social-media-portal"
MAX_WAIT = 60 * 60  # never ask a task to wait longer than an hour for a rate limit


@dataclass(frozen=True)
class Profile:
    """The account's public profile as the platform shows it."""

    handle: str
    display_name: str
    bio: str
    link: str | None  # the profile's website link; None where the API gives none (YouTube)


@dataclass(frozen=True)
class Activity:
    handle: str
    platform_user_id: str
    last_post_at: datetime.datetime | None
    followers: int | None
    profile: Profile | None = None


class PlatformError(Exception):
    retryable = False


class PlatformAccountNotFound(PlatformError):
    """The platform has no account with this handle (renamed, suspended or deleted)."""


class PlatformAuthError(PlatformError):
    """The platform refused our credentials (401/403): a person must fix the token."""


class PlatformRateLimited(PlatformError):
    """Too many requests (429, or the platform's own quota error). Try again after
    `retry_after` seconds."""

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

    def close(self) -> None: ...


def _parse_time(value: str) -> datetime.datetime:
    value = value.replace("Z", "+00:00")
    # Graph API writes offsets without a colon (2026-11-20T09:00:00+0000).
    value = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value)
    moment = datetime.datetime.fromisoformat(value)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


def _times(items, field: str) -> list[datetime.datetime]:
    """The `field` timestamps of a page of items, skipping items without one."""
    return [_parse_time(i[field]) for i in items or [] if isinstance(i, dict) and i.get(field)]


def _clamp_wait(seconds: float) -> int:
    return int(max(1, min(seconds, MAX_WAIT)))


def retry_after_seconds(headers: httpx.Headers, default: int = 60) -> int:
    """Seconds to wait from a `Retry-After` header (seconds or an HTTP date), else `default`."""
    value = (headers.get("retry-after") or "").strip()
    if value.isdigit():
        return _clamp_wait(int(value))
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return default
        return _clamp_wait((when - timezone.now()).total_seconds())
    return default


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class HttpAdapter:
    """What every adapter shares: one httpx client, the status-to-error mapping, pagination
    links kept to the API's own origin. A subclass names itself (`label`), sets its
    credential headers and may read its platform's own error bodies (`_platform_error`)."""

    platform = ""
    label = ""

    def __init__(self, *, base_url: str, headers: dict, timeout: float, max_pages: int = 3):
        self.base_url = base_url.rstrip("/")
        self.max_pages = max(1, max_pages)
        self._origin = urlsplit(self.base_url)[:2]
        self._client = httpx.Client(
            base_url=self.base_url,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT, **headers},
            timeout=timeout,
            follow_redirects=False,
        )

    def __repr__(self):  # never the credentials
        return f"<{type(self).__name__} {self.base_url}>"

    def close(self) -> None:
        self._client.close()

    def _get(self, path_or_url: str, params: dict | None = None) -> dict:
        # A pagination link from the answer is followed only to the API's own origin, so a
        # hostile or broken answer cannot send our credentials anywhere else.
        absolute = path_or_url.startswith(("http://", "https://"))
        if absolute and urlsplit(path_or_url)[:2] != self._origin:
            raise PlatformUnavailable(f"{self.label} gave a next-page link to another host.")
        try:
            response = self._client.get(path_or_url, params=params)
        except httpx.TimeoutException as exc:
            raise PlatformUnavailable(f"{self.label} timed out: {type(exc).__name__}") from None
        except httpx.HTTPError as exc:  # connection refused, reset, protocol errors
            raise PlatformUnavailable(f"{self.label} unreachable: {type(exc).__name__}") from None
        body = self._json(response)
        if response.is_success:
            if body is None:
                raise PlatformUnavailable(f"{self.label} answered with something that is not JSON.")
            return body
        raise self._error_for(response, body or {})

    @staticmethod
    def _json(response: httpx.Response) -> dict | None:
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError):
            return None
        return body if isinstance(body, dict) else None

    def _platform_error(self, response: httpx.Response, body: dict) -> PlatformError | None:
        return None

    def _rate_limit_wait(self, response: httpx.Response) -> int:
        return retry_after_seconds(response.headers)

    def _error_for(self, response: httpx.Response, body: dict) -> PlatformError:
        specific = self._platform_error(response, body)
        if specific is not None:
            return specific
        status = response.status_code
        if status == 404:
            return PlatformAccountNotFound(f"{self.label} has no such account.")
        if status in (401, 403):
            return PlatformAuthError(f"{self.label} refused the portal's credentials ({status}).")
        if status == 429:
            return PlatformRateLimited(
                f"{self.label} rate limit reached.", retry_after=self._rate_limit_wait(response)
            )
        if status >= 500:
            return PlatformUnavailable(f"{self.label} failed ({status}).")
        return PlatformError(f"{self.label} answered {status}.")

    def _newest(self, times: list[datetime.datetime]) -> datetime.datetime | None:
        return max(times) if times else None


# --------------------------------------------------------------------------- X


class XApiAdapter(HttpAdapter):
    """X API v2: GET /2/users/by/username/:username (profile and public metrics), then
    /2/users/:id/tweets (recent posts with their creation time, following `meta.next_token`).
    Needs an app bearer token."""

    platform = "x"
    label = "X API"
    PAGE_SIZE = 5  # X's smallest page
    RECENT = 10  # posts read, across pages, to find the newest

    def __init__(self, *, base_url: str, bearer_token: str, timeout: float = 10, max_pages=3):
        if not bearer_token:
            raise PlatformAuthError("No X API bearer token is configured (X_API_BEARER_TOKEN).")
        super().__init__(
            base_url=base_url,
            headers={"Authorization": f"Bearer {bearer_token}"},
            timeout=timeout,
            max_pages=max_pages,
        )

    def _rate_limit_wait(self, response: httpx.Response) -> int:
        reset = (response.headers.get("x-rate-limit-reset") or "").strip()
        if reset.isdigit():
            return _clamp_wait(int(reset) - int(timezone.now().timestamp()))
        return retry_after_seconds(response.headers)

    def fetch_activity(self, handle: str) -> Activity:
        handle = handle.lstrip("@")
        found = self._get(
            f"/2/users/by/username/{quote(handle, safe='')}",
            {"user.fields": "public_metrics,description,url,entities"},
        )
        user = found.get("data")
        if not user:
            # X answers 200 with an `errors` list when the user does not exist or is suspended.
            raise PlatformAccountNotFound(f"X has no user @{handle}.")
        metrics = user.get("public_metrics") or {}
        times: list[datetime.datetime] = []
        params = {"max_results": self.PAGE_SIZE, "tweet.fields": "created_at"}
        path = f"/2/users/{quote(str(user['id']), safe='')}/tweets"
        for _ in range(self.max_pages):
            posts = self._get(path, params)
            times += [
                _parse_time(p["created_at"]) for p in posts.get("data") or [] if p.get("created_at")
            ]
            next_token = (posts.get("meta") or {}).get("next_token")
            if not next_token or len(times) >= self.RECENT:
                break
            params = {**params, "pagination_token": next_token}
        urls = ((user.get("entities") or {}).get("url") or {}).get("urls") or []
        link = (urls[0].get("expanded_url") if urls else None) or user.get("url") or None
        username = user.get("username", handle)
        return Activity(
            handle=username,
            platform_user_id=str(user["id"]),
            last_post_at=self._newest(times),
            followers=_int_or_none(metrics.get("followers_count")),
            profile=Profile(
                handle=username,
                display_name=user.get("name") or "",
                bio=user.get("description") or "",
                link=link,
            ),
        )


# --------------------------------------------------------------------------- Graph API

# Graph API error codes (error.code in the body; the HTTP status is often 400 or 403).
GRAPH_RATE_LIMITED = {4, 17, 32, 613, 80001, 80002, 80004, 80005, 80006, 80008}
GRAPH_AUTH = {102, 190, 10, 200}
GRAPH_NOT_FOUND = {803, 110}
GRAPH_NOT_FOUND_SUBCODES = {33, 2207013}  # object does not exist; not a professional account


class GraphApiAdapter(HttpAdapter):
    """Meta's Graph API, shared by Facebook Pages and Instagram. The access token goes in the
    Authorization header (the Graph API accepts OAuth bearer tokens)."""

    def __init__(
        self, *, base_url: str, version: str, access_token: str, timeout: float, max_pages: int = 3
    ):
        if not access_token:
            raise PlatformAuthError(f"No {self.label} access token is configured.")
        super().__init__(
            base_url=base_url,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=timeout,
            max_pages=max_pages,
        )
        self.version = version.strip("/")

    def _rate_limit_wait(self, response: httpx.Response) -> int:
        """Retry-After if sent; else the business-use-case header's estimate (minutes)."""
        if response.headers.get("retry-after"):
            return retry_after_seconds(response.headers)
        usage = response.headers.get("x-business-use-case-usage")
        if usage:
            try:
                entries = [e for items in json.loads(usage).values() for e in items]
                minutes = max(int(e.get("estimated_time_to_regain_access") or 0) for e in entries)
            except (ValueError, TypeError, AttributeError):
                minutes = 0
            if minutes:
                return _clamp_wait(minutes * 60)
        return 5 * 60

    def _platform_error(self, response: httpx.Response, body: dict) -> PlatformError | None:
        error = body.get("error") if isinstance(body.get("error"), dict) else None
        if error is None:
            return None
        code = _int_or_none(error.get("code"))
        subcode = _int_or_none(error.get("error_subcode"))
        if code in GRAPH_RATE_LIMITED:
            return PlatformRateLimited(
                f"{self.label} rate limit reached (code {code}).",
                retry_after=self._rate_limit_wait(response),
            )
        if code in GRAPH_NOT_FOUND or subcode in GRAPH_NOT_FOUND_SUBCODES:
            return PlatformAccountNotFound(f"{self.label} has no such account (code {code}).")
        if code in GRAPH_AUTH or (code is not None and 200 <= code < 300):
            return PlatformAuthError(f"{self.label} refused the portal's token (code {code}).")
        return None

    def _edge_times(self, first: dict, field: str) -> list[datetime.datetime]:
        """Timestamps from an edge answer and its `paging.next` pages."""
        times: list[datetime.datetime] = []
        page = first
        for number in range(self.max_pages):
            times += [
                _parse_time(item[field]) for item in page.get("data") or [] if item.get(field)
            ]
            next_url = (page.get("paging") or {}).get("next")
            if not next_url or len(times) >= self.RECENT or number + 1 == self.max_pages:
                break
            page = self._get(next_url)
        return times


class FacebookPageAdapter(GraphApiAdapter):
    """A Facebook Page: GET /{version}/{page}?fields=id,name,username,about,description,website,
    followers_count,fan_count, then /{version}/{page-id}/posts?fields=created_time (newest
    first, following `paging.next`)."""

    platform = "facebook"
    label = "Facebook Graph API"
    RECENT = 10
    FIELDS = "id,name,username,about,description,website,followers_count,fan_count"

    def fetch_activity(self, handle: str) -> Activity:
        handle = handle.lstrip("@")
        page = self._get(f"/{self.version}/{quote(handle, safe='')}", {"fields": self.FIELDS})
        if not page.get("id"):
            raise PlatformAccountNotFound(f"Facebook has no Page {handle}.")
        posts = self._get(
            f"/{self.version}/{quote(str(page['id']), safe='')}/posts",
            {"fields": "created_time", "limit": self.RECENT},
        )
        followers = page.get("followers_count")
        if followers is None:
            followers = page.get("fan_count")
        bio = "\n".join(part for part in (page.get("about"), page.get("description")) if part)
        website = (page.get("website") or "").split()
        username = page.get("username") or handle
        return Activity(
            handle=username,
            platform_user_id=str(page["id"]),
            last_post_at=self._newest(self._edge_times(posts, "created_time")),
            followers=_int_or_none(followers),
            profile=Profile(
                handle=username,
                display_name=page.get("name") or "",
                bio=bio,
                link=website[0] if website else None,
            ),
        )


INSTAGRAM_USERNAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")


class InstagramAdapter(GraphApiAdapter):
    """An Instagram professional (business or creator) account, looked up by username through
    Business Discovery on the force's own Instagram business account:
    GET /{version}/{force-ig-user-id}?fields=business_discovery.username(handle){id,username,
    name,biography,website,followers_count,media.limit(n){timestamp}}; later pages of media by
    `media.after(cursor)`."""

    platform = "instagram"
    label = "Instagram Graph API"
    RECENT = 10
    PROFILE_FIELDS = "id,username,name,biography,website,followers_count"

    def __init__(self, *, business_account_id: str, **kwargs):
        super().__init__(**kwargs)
        if not business_account_id:
            raise PlatformAuthError(
                "No Instagram business account is configured (INSTAGRAM_BUSINESS_ACCOUNT_ID)."
            )
        self.business_account_id = business_account_id

    def _discover(self, handle: str, fields: str) -> dict:
        answer = self._get(
            f"/{self.version}/{quote(self.business_account_id, safe='')}",
            {"fields": f"business_discovery.username({handle}){{{fields}}}"},
        )
        found = answer.get("business_discovery")
        if not found:
            raise PlatformAccountNotFound(f"Instagram has no professional account {handle}.")
        return found

    def fetch_activity(self, handle: str) -> Activity:
        handle = handle.lstrip("@")
        if not INSTAGRAM_USERNAME.match(handle):
            # The username goes inside the field expansion: nothing else may.
            raise PlatformAccountNotFound(f"{handle!r} is not an Instagram username.")
        media_fields = f"media.limit({self.RECENT}){{timestamp}}"
        user = self._discover(handle, f"{self.PROFILE_FIELDS},{media_fields}")
        media = user.get("media") or {}
        times: list[datetime.datetime] = []
        for number in range(self.max_pages):
            times += [
                _parse_time(m["timestamp"]) for m in media.get("data") or [] if m.get("timestamp")
            ]
            after = ((media.get("paging") or {}).get("cursors") or {}).get("after")
            has_next = bool((media.get("paging") or {}).get("next"))
            if not after or not has_next or len(times) >= self.RECENT:
                break
            if number + 1 == self.max_pages:
                break
            media = (
                self._discover(
                    handle, f"media.after({after}).limit({self.RECENT}){{timestamp}}"
                ).get("media")
                or {}
            )
        username = user.get("username") or handle
        return Activity(
            handle=username,
            platform_user_id=str(user.get("id", "")),
            last_post_at=self._newest(times),
            followers=_int_or_none(user.get("followers_count")),
            profile=Profile(
                handle=username,
                display_name=user.get("name") or "",
                bio=user.get("biography") or "",
                link=user.get("website") or None,
            ),
        )


# --------------------------------------------------------------------------- YouTube

YOUTUBE_RATE_LIMITED = {
    "quotaExceeded",
    "rateLimitExceeded",
    "userRateLimitExceeded",
    "dailyLimitExceeded",
}
YOUTUBE_AUTH = {"keyInvalid", "keyExpired", "forbidden", "accessNotConfigured", "ipRefererBlocked"}


class YouTubeAdapter(HttpAdapter):
    """A YouTube channel, Data API v3 with an API key (public data only):
    GET /youtube/v3/channels?part=snippet,statistics,contentDetails&forHandle=@handle, then
    /youtube/v3/playlistItems?part=contentDetails&playlistId=<uploads> (following
    `nextPageToken`). The key goes in the X-Goog-Api-Key header."""

    platform = "youtube"
    label = "YouTube Data API"
    RECENT = 10

    def __init__(self, *, base_url: str, api_key: str, timeout: float = 10, max_pages=3):
        if not api_key:
            raise PlatformAuthError("No YouTube Data API key is configured (YOUTUBE_API_KEY).")
        super().__init__(
            base_url=base_url,
            headers={"X-Goog-Api-Key": api_key},
            timeout=timeout,
            max_pages=max_pages,
        )

    def _platform_error(self, response: httpx.Response, body: dict) -> PlatformError | None:
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        reasons = {e.get("reason") for e in error.get("errors") or [] if isinstance(e, dict)}
        if reasons & YOUTUBE_RATE_LIMITED:
            # The daily quota resets at midnight Pacific time; try again within the hour cap.
            return PlatformRateLimited(
                "YouTube quota or rate limit reached.",
                retry_after=retry_after_seconds(response.headers, default=MAX_WAIT),
            )
        if reasons & YOUTUBE_AUTH or (response.status_code == 400 and "keyInvalid" in reasons):
            return PlatformAuthError("YouTube refused the portal's API key.")
        return None

    def fetch_activity(self, handle: str) -> Activity:
        handle = handle.lstrip("@")
        found = self._get(
            "/youtube/v3/channels",
            {"part": "snippet,statistics,contentDetails", "forHandle": f"@{handle}"},
        )
        items = found.get("items") or []
        if not items:
            raise PlatformAccountNotFound(f"YouTube has no channel @{handle}.")
        channel = items[0]
        snippet = channel.get("snippet") or {}
        stats = channel.get("statistics") or {}
        uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get(
            "uploads"
        )
        times: list[datetime.datetime] = []
        if uploads:
            params = {"part": "contentDetails", "playlistId": uploads, "maxResults": self.RECENT}
            for _ in range(self.max_pages):
                try:
                    page = self._get("/youtube/v3/playlistItems", params)
                except PlatformAccountNotFound:
                    break  # a channel with no uploads has no uploads playlist
                times += [
                    _parse_time(item["contentDetails"]["videoPublishedAt"])
                    for item in page.get("items") or []
                    if (item.get("contentDetails") or {}).get("videoPublishedAt")
                ]
                token = page.get("nextPageToken")
                if not token or len(times) >= self.RECENT:
                    break
                params = {**params, "pageToken": token}
        followers = None if stats.get("hiddenSubscriberCount") else stats.get("subscriberCount")
        custom = (snippet.get("customUrl") or f"@{handle}").lstrip("@")
        return Activity(
            handle=custom,
            platform_user_id=str(channel.get("id", "")),
            last_post_at=self._newest(times),
            followers=_int_or_none(followers),
            profile=Profile(
                handle=custom,
                display_name=snippet.get("title") or "",
                bio=snippet.get("description") or "",
                link=None,  # the Data API does not expose a channel's links
            ),
        )


# --------------------------------------------------------------------------- which adapter

# Every platform the portal has an adapter for; the others (TikTok, Nextdoor) are checked in by
# their owners.
ADAPTERS = {
    "x": XApiAdapter,
    "facebook": FacebookPageAdapter,
    "instagram": InstagramAdapter,
    "youtube": YouTubeAdapter,
}


def _configured() -> dict:
    """{platform: whether its credentials are set}."""
    return {
        "x": bool(settings.X_API_BEARER_TOKEN),
        "facebook": bool(settings.FACEBOOK_ACCESS_TOKEN),
        "instagram": bool(
            settings.INSTAGRAM_ACCESS_TOKEN and settings.INSTAGRAM_BUSINESS_ACCOUNT_ID
        ),
        "youtube": bool(settings.YOUTUBE_API_KEY),
    }


def configured_platforms() -> set[str]:
    """The platforms whose activity the portal reads: an adapter and its credentials."""
    return {platform for platform, ready in _configured().items() if ready}


def adapter_state(platform: str) -> str:
    """'configured', 'unconfigured' (an adapter, no credentials) or 'none' (no adapter)."""
    if platform not in ADAPTERS:
        return "none"
    return "configured" if platform in configured_platforms() else "unconfigured"


def adapter_for(platform: str) -> PlatformAdapter | None:
    """The configured adapter for a platform, or None when it has none (or no credentials).
    The caller closes it."""
    if platform not in configured_platforms():
        return None
    timeout = settings.PLATFORM_API_TIMEOUT
    pages = settings.PLATFORM_API_MAX_PAGES
    if platform == "x":
        return XApiAdapter(
            base_url=settings.X_API_BASE_URL,
            bearer_token=settings.X_API_BEARER_TOKEN,
            timeout=settings.X_API_TIMEOUT,
            max_pages=pages,
        )
    graph = {
        "base_url": settings.GRAPH_API_BASE_URL,
        "version": settings.GRAPH_API_VERSION,
        "timeout": timeout,
        "max_pages": pages,
    }
    if platform == "facebook":
        return FacebookPageAdapter(access_token=settings.FACEBOOK_ACCESS_TOKEN, **graph)
    if platform == "instagram":
        return InstagramAdapter(
            access_token=settings.INSTAGRAM_ACCESS_TOKEN,
            business_account_id=settings.INSTAGRAM_BUSINESS_ACCOUNT_ID,
            **graph,
        )
    return YouTubeAdapter(
        base_url=settings.YOUTUBE_API_BASE_URL,
        api_key=settings.YOUTUBE_API_KEY,
        timeout=timeout,
        max_pages=pages,
    )
