"""The X API v2 adapter and its Celery task, against a fake X server the test starts on
127.0.0.1. Nothing here touches the real network."""

import datetime
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from accounts import tasks
from accounts.models import ActivityObservation
from accounts.platforms import (
    PlatformAccountNotFound,
    PlatformAuthError,
    PlatformRateLimited,
    PlatformUnavailable,
    XApiAdapter,
    adapter_for,
)
from tests.factories import SocialAccountFactory

TOKEN = "fake-bearer-token-for-tests"


class FakeX:
    """Routes: {path: (status, headers, body)}; anything else is a 404 with X's error body."""

    def __init__(self):
        self.routes = {}
        self.requests = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                fake.requests.append(
                    {
                        "path": parts.path,
                        "query": parse_qs(parts.query),
                        "authorization": self.headers.get("Authorization"),
                    }
                )
                status, headers, body = fake.routes.get(
                    parts.path, (404, {}, {"title": "Not Found Error"})
                )
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def user(self, username, user_id="1001", followers=4321):
        self.routes[f"/2/users/by/username/{username}"] = (
            200,
            {},
            {
                "data": {
                    "id": user_id,
                    "name": username,
                    "username": username,
                    "public_metrics": {"followers_count": followers},
                }
            },
        )

    def posts(self, user_id, *created):
        self.routes[f"/2/users/{user_id}/tweets"] = (
            200,
            {},
            {
                "data": [
                    {"id": str(n), "text": "x", "created_at": c} for n, c in enumerate(created)
                ],
                "meta": {"result_count": len(created)},
            },
        )


@pytest.fixture
def fake_x():
    fake = FakeX()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def adapter(fake_x):
    return XApiAdapter(base_url=fake_x.url, bearer_token=TOKEN, timeout=5)


def test_reads_the_latest_post_and_followers(fake_x, adapter):
    fake_x.user("StechfordWMP", user_id="42", followers=1250)
    fake_x.posts(
        "42", "2026-11-20T09:00:00.000Z", "2026-11-22T18:30:00.000Z", "2026-11-01T07:00:00Z"
    )
    activity = adapter.fetch_activity("@StechfordWMP")
    assert activity.last_post_at == datetime.datetime(2026, 11, 22, 18, 30, tzinfo=datetime.UTC)
    assert activity.followers == 1250
    assert activity.platform_user_id == "42"
    lookup, timeline = fake_x.requests
    assert lookup["path"] == "/2/users/by/username/StechfordWMP"
    assert timeline["path"] == "/2/users/42/tweets"
    assert timeline["query"] == {"max_results": ["5"], "tweet.fields": ["created_at"]}
    assert {r["authorization"] for r in fake_x.requests} == {f"Bearer {TOKEN}"}


def test_follows_next_token_and_reads_the_profile(fake_api):
    # The generic fake (tests/platform_fakes.py) answers by query: one page per token.
    fake_api.routes["/2/users/by/username/PagedWMP"] = (
        200,
        {},
        {
            "data": {
                "id": "88",
                "name": "Paged Police WMP",
                "username": "PagedWMP",
                "description": "Not monitored 24/7. Call 101.",
                "url": "https://t.co/xyz",
                "entities": {
                    "url": {"urls": [{"expanded_url": "https://www.west-midlands.police.uk"}]}
                },
                "public_metrics": {"followers_count": 77},
            }
        },
    )
    pages = {
        None: {
            "data": [{"id": "1", "created_at": "2026-11-10T10:00:00Z"}],
            "meta": {"next_token": "T2"},
        },
        "T2": {"data": [{"id": "2", "created_at": "2026-11-12T10:00:00Z"}], "meta": {}},
    }
    fake_api.routes["/2/users/88/tweets"] = lambda q: (200, {}, pages[q.get("pagination_token")])
    adapter = XApiAdapter(base_url=fake_api.url, bearer_token=TOKEN, timeout=5)
    activity = adapter.fetch_activity("PagedWMP")
    assert activity.last_post_at == datetime.datetime(2026, 11, 12, 10, tzinfo=datetime.UTC)
    timeline = [r["query"].get("pagination_token") for r in fake_api.requests[1:]]
    assert timeline == [None, "T2"]
    assert activity.followers == 77
    assert activity.profile.link == "https://www.west-midlands.police.uk"  # not the t.co link
    assert activity.profile.display_name == "Paged Police WMP"
    assert activity.profile.bio == "Not monitored 24/7. Call 101."


def test_account_with_no_posts_has_no_last_post(fake_x, adapter):
    fake_x.user("QuietWMP", user_id="7")
    fake_x.routes["/2/users/7/tweets"] = (200, {}, {"meta": {"result_count": 0}})
    activity = adapter.fetch_activity("QuietWMP")
    assert activity.last_post_at is None
    assert activity.followers == 4321


def test_unknown_user_404(fake_x, adapter):
    with pytest.raises(PlatformAccountNotFound):
        adapter.fetch_activity("NobodyWMP")


def test_unknown_user_answered_with_an_errors_body(fake_x, adapter):
    # X's usual answer for a missing or suspended user: 200 with only `errors`.
    fake_x.routes["/2/users/by/username/GoneWMP"] = (
        200,
        {},
        {"errors": [{"title": "Not Found Error", "type": "about:blank"}]},
    )
    with pytest.raises(PlatformAccountNotFound):
        adapter.fetch_activity("GoneWMP")


def test_bad_token_401(fake_x, adapter):
    fake_x.routes["/2/users/by/username/AnyWMP"] = (401, {}, {"title": "Unauthorized"})
    with pytest.raises(PlatformAuthError) as caught:
        adapter.fetch_activity("AnyWMP")
    assert not caught.value.retryable
    assert TOKEN not in str(caught.value) and TOKEN not in repr(adapter)


def test_rate_limit_429_honours_the_reset_time(fake_x, adapter):
    reset = int(time.time()) + 120
    fake_x.routes["/2/users/by/username/BusyWMP"] = (
        429,
        {"x-rate-limit-reset": str(reset), "x-rate-limit-remaining": "0"},
        {"title": "Too Many Requests"},
    )
    with pytest.raises(PlatformRateLimited) as caught:
        adapter.fetch_activity("BusyWMP")
    assert caught.value.retryable
    assert 115 <= caught.value.retry_after <= 121


def test_rate_limit_without_a_reset_header_waits_a_minute(fake_x, adapter):
    fake_x.routes["/2/users/by/username/BusyWMP"] = (429, {}, {"title": "Too Many Requests"})
    with pytest.raises(PlatformRateLimited) as caught:
        adapter.fetch_activity("BusyWMP")
    assert caught.value.retry_after == 60


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retryable(fake_x, adapter, status):
    fake_x.user("FlakyWMP", user_id="9")
    fake_x.routes["/2/users/9/tweets"] = (status, {}, {"title": "Service Unavailable"})
    with pytest.raises(PlatformUnavailable) as caught:
        adapter.fetch_activity("FlakyWMP")
    assert caught.value.retryable


def test_answer_that_is_not_json_is_retryable(fake_x, adapter):
    fake_x.routes["/2/users/by/username/OddWMP"] = (200, {}, b"<html>maintenance</html>")
    with pytest.raises(PlatformUnavailable):
        adapter.fetch_activity("OddWMP")


def test_unreachable_server_is_retryable():
    dead = XApiAdapter(base_url="http://127.0.0.1:9", bearer_token=TOKEN, timeout=2)
    with pytest.raises(PlatformUnavailable):
        dead.fetch_activity("AnyWMP")


def test_no_adapter_without_a_token():
    with override_settings(X_API_BEARER_TOKEN=""):
        assert adapter_for("x") is None
    with override_settings(X_API_BEARER_TOKEN=TOKEN):
        assert isinstance(adapter_for("x"), XApiAdapter)
        assert adapter_for("facebook") is None


# The Celery task --------------------------------------------------------------------------------


@pytest.fixture
def x_settings(fake_x):
    with override_settings(X_API_BASE_URL=fake_x.url, X_API_BEARER_TOKEN=TOKEN, X_API_TIMEOUT=5):
        yield


@pytest.mark.django_db
def test_task_keeps_the_observation_and_updates_the_account(fake_x, x_settings, officer):
    account = SocialAccountFactory(owner=officer, handle="TaskWMP", last_post_at=None)
    fake_x.user("TaskWMP", user_id="55", followers=900)
    fake_x.posts("55", "2026-11-23T12:00:00Z")
    assert tasks.poll_account_activity.delay(account.pk).get() == "observed"
    observation = ActivityObservation.objects.get(account=account)
    assert observation.source == "api" and observation.followers == 900
    account.refresh_from_db()
    assert account.last_post_at == datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC)
    assert account.followers == 900


@pytest.mark.django_db
def test_task_retries_a_rate_limit_after_the_reset(fake_x, x_settings, officer, monkeypatch):
    account = SocialAccountFactory(owner=officer, handle="BusyWMP")
    reset = int(time.time()) + 300
    fake_x.routes["/2/users/by/username/BusyWMP"] = (
        429,
        {"x-rate-limit-reset": str(reset)},
        {"title": "Too Many Requests"},
    )
    calls = []

    class Retry(Exception):
        pass

    def fake_retry(*, exc, countdown):
        calls.append((type(exc), countdown))
        return Retry()

    monkeypatch.setattr(tasks.poll_account_activity, "retry", fake_retry)
    with pytest.raises(Retry):
        tasks.poll_account_activity.run(account.pk)
    assert len(calls) == 1
    assert calls[0][0] is PlatformRateLimited
    assert 295 <= calls[0][1] <= 301
    assert not ActivityObservation.objects.exists()


@pytest.mark.django_db
def test_task_retries_server_errors_with_backoff(fake_x, x_settings, officer, monkeypatch):
    account = SocialAccountFactory(owner=officer, handle="DownWMP")
    fake_x.routes["/2/users/by/username/DownWMP"] = (503, {}, {"title": "Down"})
    calls = []

    def fake_retry(*, exc, countdown):
        calls.append((type(exc), countdown))
        return RuntimeError("retry")

    monkeypatch.setattr(tasks.poll_account_activity, "retry", fake_retry)
    with pytest.raises(RuntimeError):
        tasks.poll_account_activity.run(account.pk)
    assert calls == [(PlatformUnavailable, 60)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "expected"),
    [((404, {}, {"title": "Not Found"}), "not found"), ((401, {}, {}), "auth error")],
)
def test_task_does_not_retry_what_a_person_must_fix(fake_x, x_settings, officer, route, expected):
    account = SocialAccountFactory(owner=officer, handle="FixWMP")
    fake_x.routes["/2/users/by/username/FixWMP"] = route
    assert tasks.poll_account_activity.delay(account.pk).get() == expected
    assert len(fake_x.requests) == 1
    assert not ActivityObservation.objects.exists()


@pytest.mark.django_db
def test_periodic_poll_queues_live_x_accounts_only(fake_x, x_settings, officer):
    live = SocialAccountFactory(owner=officer, handle="LiveWMP")
    SocialAccountFactory(owner=officer, handle="ClosedWMP", status="closed")
    SocialAccountFactory(owner=officer, handle="live_fb", platform="facebook")
    fake_x.user("LiveWMP", user_id="77")
    fake_x.posts("77", "2026-11-23T08:00:00Z")
    assert tasks.poll_platform_activity.delay().get() == 1
    assert list(ActivityObservation.objects.values_list("account", flat=True)) == [live.pk]


@pytest.mark.django_db
def test_periodic_poll_does_nothing_without_a_token(officer):
    SocialAccountFactory(owner=officer)
    with override_settings(X_API_BEARER_TOKEN=""):
        assert tasks.poll_platform_activity.delay().get() == 0
