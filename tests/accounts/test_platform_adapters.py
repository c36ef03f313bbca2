"""The Facebook Pages, Instagram and YouTube adapters against fake APIs on 127.0.0.1 that the
tests start (tests/platform_fakes.py): success, pagination, each error class. Nothing here
touches the real network."""

import datetime
import email.utils
import json

import pytest
from django.test import override_settings

from accounts.platforms import (
    FacebookPageAdapter,
    InstagramAdapter,
    PlatformAccountNotFound,
    PlatformAuthError,
    PlatformRateLimited,
    PlatformUnavailable,
    YouTubeAdapter,
    adapter_for,
    adapter_state,
    configured_platforms,
)

TOKEN = "fake-graph-token-for-tests"
KEY = "fake-youtube-key-for-tests"
IG_ID = "17841400000000001"
UTC = datetime.UTC


def at(day, hour=12):
    return datetime.datetime(2026, 11, day, hour, tzinfo=UTC)


# ----------------------------------------------------------------------------- fake answers


def facebook_page(fake, *, page="StechfordWMP", page_id="555", followers=2100):
    fake.routes[f"/v21.0/{page}"] = (
        200,
        {},
        {
            "id": page_id,
            "name": "Stechford Police WMP",
            "username": page,
            "about": "Not monitored 24/7. Do not report crime here.",
            "description": "Call 101, or 999 in an emergency.",
            "website": "https://www.west-midlands.police.uk/your-area/stechford",
            "followers_count": followers,
            "fan_count": 1999,
        },
    )

    def posts(query):
        if query.get("after") == "C2":  # the second page holds the newest (out of order)
            return 200, {}, {"data": [{"id": "3", "created_time": "2026-11-24T08:15:00+0000"}]}
        next_url = f"{fake.url}/v21.0/{page_id}/posts?fields=created_time&limit=10&after=C2"
        return (
            200,
            {},
            {
                "data": [
                    {"id": "1", "created_time": "2026-11-20T09:00:00+0000"},
                    {"id": "2", "created_time": "2026-11-18T09:00:00+0000"},
                ],
                "paging": {"cursors": {"before": "C0", "after": "C2"}, "next": next_url},
            },
        )

    fake.routes[f"/v21.0/{page_id}/posts"] = posts


def instagram_user(fake, *, username="stechford_wmp", followers=830):
    def discovery(query):
        fields = query.get("fields", "")
        assert fields.startswith(f"business_discovery.username({username})")
        if "media.after(M2)" in fields:
            media = {"data": [{"id": "m3", "timestamp": "2026-11-25T19:00:00+0000"}]}
            return 200, {}, {"business_discovery": {"id": "9", "media": media}, "id": IG_ID}
        return (
            200,
            {},
            {
                "business_discovery": {
                    "id": "9",
                    "username": username,
                    "name": "Stechford Police WMP",
                    "biography": "Not monitored 24/7. Report crime on 101.",
                    "website": "https://west-midlands.police.uk",
                    "followers_count": followers,
                    "media": {
                        "data": [
                            {"id": "m1", "timestamp": "2026-11-21T10:00:00+0000"},
                            {"id": "m2", "timestamp": "2026-11-19T10:00:00+0000"},
                        ],
                        "paging": {
                            "cursors": {"after": "M2"},
                            "next": "https://graph.facebook.com/next-page",
                        },
                    },
                },
                "id": IG_ID,
            },
        )

    fake.routes[f"/v21.0/{IG_ID}"] = discovery


def youtube_channel(fake, *, handle="StechfordWMP", subscribers="1520", hidden=False):
    fake.routes["/youtube/v3/channels"] = (
        200,
        {},
        {
            "items": [
                {
                    "id": "UC123",
                    "snippet": {
                        "title": "Stechford Police WMP",
                        "description": "Not monitored 24/7. Call 101. "
                        "www.west-midlands.police.uk/stechford",
                        "customUrl": f"@{handle.lower()}",
                    },
                    "statistics": {
                        "subscriberCount": subscribers,
                        "hiddenSubscriberCount": hidden,
                    },
                    "contentDetails": {"relatedPlaylists": {"uploads": "UU123"}},
                }
            ]
        },
    )

    def uploads(query):
        assert query["playlistId"] == "UU123"
        if query.get("pageToken") == "P2":
            return (
                200,
                {},
                {"items": [{"contentDetails": {"videoPublishedAt": "2026-11-26T16:00:00Z"}}]},
            )
        return (
            200,
            {},
            {
                "items": [
                    {"contentDetails": {"videoPublishedAt": "2026-11-22T16:00:00Z"}},
                    {"contentDetails": {}},  # a private or deleted video has no time
                ],
                "nextPageToken": "P2",
            },
        )

    fake.routes["/youtube/v3/playlistItems"] = uploads


def facebook(url, timeout=5):
    return FacebookPageAdapter(
        base_url=url, version="v21.0", access_token=TOKEN, timeout=timeout, max_pages=3
    )


def instagram(url, timeout=5):
    return InstagramAdapter(
        base_url=url,
        version="v21.0",
        access_token=TOKEN,
        business_account_id=IG_ID,
        timeout=timeout,
        max_pages=3,
    )


def youtube(url, timeout=5):
    return YouTubeAdapter(base_url=url, api_key=KEY, timeout=timeout, max_pages=3)


# ----------------------------------------------------------------------------- success, paging


def test_facebook_page_reads_followers_profile_and_newest_post_across_pages(fake_api):
    facebook_page(fake_api)
    activity = facebook(fake_api.url).fetch_activity("StechfordWMP")
    assert activity.last_post_at == datetime.datetime(2026, 11, 24, 8, 15, tzinfo=UTC)
    assert activity.followers == 2100  # followers_count before fan_count
    assert activity.platform_user_id == "555"
    assert activity.profile.display_name == "Stechford Police WMP"
    assert "Do not report crime" in activity.profile.bio and "999" in activity.profile.bio
    assert activity.profile.link == "https://www.west-midlands.police.uk/your-area/stechford"
    page, first, second = fake_api.requests
    assert page["query"]["fields"] == FacebookPageAdapter.FIELDS
    assert first["path"] == second["path"] == "/v21.0/555/posts"
    assert second["query"]["after"] == "C2"
    # The token travels in the Authorization header, never in a URL.
    assert {r["headers"]["Authorization"] for r in fake_api.requests} == {f"Bearer {TOKEN}"}
    assert not any(TOKEN in json.dumps(r["query"]) for r in fake_api.requests)


def test_instagram_reads_through_business_discovery_and_pages_media(fake_api):
    instagram_user(fake_api)
    activity = instagram(fake_api.url).fetch_activity("@stechford_wmp")
    assert activity.last_post_at == datetime.datetime(2026, 11, 25, 19, tzinfo=UTC)
    assert activity.followers == 830
    assert activity.profile.handle == "stechford_wmp"
    assert activity.profile.link == "https://west-midlands.police.uk"
    first, second = fake_api.requests
    assert "media.limit(10){timestamp}" in first["query"]["fields"]
    assert "media.after(M2).limit(10){timestamp}" in second["query"]["fields"]


def test_youtube_reads_channel_and_uploads_across_page_tokens(fake_api):
    youtube_channel(fake_api)
    activity = youtube(fake_api.url).fetch_activity("StechfordWMP")
    assert activity.last_post_at == datetime.datetime(2026, 11, 26, 16, tzinfo=UTC)
    assert activity.followers == 1520
    assert activity.profile.handle == "stechfordwmp"
    assert activity.profile.link is None  # the Data API gives no channel links
    channels, first, second = fake_api.requests
    assert channels["query"] == {
        "part": "snippet,statistics,contentDetails",
        "forHandle": "@StechfordWMP",
    }
    assert "pageToken" not in first["query"] and second["query"]["pageToken"] == "P2"
    assert {r["headers"]["X-Goog-Api-Key"] for r in fake_api.requests} == {KEY}
    assert not any(KEY in json.dumps(r["query"]) for r in fake_api.requests)


def test_youtube_hidden_subscriber_count_is_not_a_count(fake_api):
    youtube_channel(fake_api, hidden=True)
    assert youtube(fake_api.url).fetch_activity("StechfordWMP").followers is None


def test_pages_stop_at_the_configured_limit(fake_api):
    facebook_page(fake_api)
    adapter = FacebookPageAdapter(
        base_url=fake_api.url, version="v21.0", access_token=TOKEN, timeout=5, max_pages=1
    )
    assert adapter.fetch_activity("StechfordWMP").last_post_at == at(20, 9)
    assert len(fake_api.requests) == 2


def test_a_next_page_link_to_another_host_is_not_followed(fake_api, other_host):
    facebook_page(fake_api)
    fake_api.routes["/v21.0/555/posts"] = (
        200,
        {},
        {"data": [], "paging": {"next": f"{other_host.url}/steal?after=C2"}},
    )
    with pytest.raises(PlatformUnavailable):
        facebook(fake_api.url).fetch_activity("StechfordWMP")
    assert other_host.requests == []


# ----------------------------------------------------------------------------- errors

FIRST_PATH = {
    "facebook": "/v21.0/StechfordWMP",
    "instagram": f"/v21.0/{IG_ID}",
    "youtube": "/youtube/v3/channels",
}
MAKE = {"facebook": facebook, "instagram": instagram, "youtube": youtube}
HANDLE = {"facebook": "StechfordWMP", "instagram": "stechford_wmp", "youtube": "StechfordWMP"}
GRAPH = ("facebook", "instagram")


def graph_error(code, subcode=None):
    error = {"message": "x", "type": "OAuthException", "code": code}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


def google_error(status, reason):
    return {"error": {"code": status, "errors": [{"reason": reason, "domain": "youtube"}]}}


ERRORS = [
    # (platforms, status, headers, body, expected error, expected retry_after)
    (MAKE, 401, {}, {}, PlatformAuthError, None),
    (MAKE, 403, {}, {}, PlatformAuthError, None),
    (MAKE, 404, {}, {}, PlatformAccountNotFound, None),
    (MAKE, 429, {"Retry-After": "120"}, {}, PlatformRateLimited, 120),
    (MAKE, 500, {}, {}, PlatformUnavailable, None),
    (MAKE, 503, {}, {}, PlatformUnavailable, None),
    (MAKE, 200, {}, b"<html>maintenance</html>", PlatformUnavailable, None),
    (GRAPH, 400, {}, graph_error(190), PlatformAuthError, None),
    (GRAPH, 400, {}, graph_error(100, 33), PlatformAccountNotFound, None),
    (GRAPH, 403, {}, graph_error(4), PlatformRateLimited, 300),
    (
        GRAPH,
        400,
        {
            "X-Business-Use-Case-Usage": json.dumps(
                {"555": [{"type": "pages", "estimated_time_to_regain_access": 7}]}
            )
        },
        graph_error(80001),
        PlatformRateLimited,
        420,
    ),
    (("instagram",), 400, {}, graph_error(110), PlatformAccountNotFound, None),
    (("youtube",), 403, {}, google_error(403, "quotaExceeded"), PlatformRateLimited, 3600),
    (("youtube",), 429, {}, google_error(429, "rateLimitExceeded"), PlatformRateLimited, 3600),
    (("youtube",), 400, {}, google_error(400, "keyInvalid"), PlatformAuthError, None),
]
CASES = [
    pytest.param(p, *rest, id=f"{p}-{rest[0]}-{rest[3].__name__}-{i}")
    for i, (platforms, *rest) in enumerate(ERRORS)
    for p in platforms
]


@pytest.mark.parametrize(("platform", "status", "headers", "body", "error", "wait"), CASES)
def test_each_error_class(fake_api, platform, status, headers, body, error, wait):
    fake_api.routes[FIRST_PATH[platform]] = (status, headers, body)
    adapter = MAKE[platform](fake_api.url)
    with pytest.raises(error) as caught:
        adapter.fetch_activity(HANDLE[platform])
    assert caught.value.retryable is (error in (PlatformRateLimited, PlatformUnavailable))
    if wait is not None:
        assert caught.value.retry_after == wait
    for secret in (TOKEN, KEY):
        assert secret not in str(caught.value) and secret not in repr(adapter)


def test_retry_after_as_an_http_date(fake_api):
    when = datetime.datetime.now(UTC) + datetime.timedelta(seconds=600)
    fake_api.routes[FIRST_PATH["youtube"]] = (
        429,
        {"Retry-After": email.utils.format_datetime(when, usegmt=True)},
        {},
    )
    with pytest.raises(PlatformRateLimited) as caught:
        youtube(fake_api.url).fetch_activity("StechfordWMP")
    assert 590 <= caught.value.retry_after <= 601


@pytest.mark.parametrize("platform", sorted(MAKE))
def test_timeout_is_retryable(fake_api, platform):
    fake_api.delay = 0.6
    with pytest.raises(PlatformUnavailable) as caught:
        MAKE[platform](fake_api.url, timeout=0.2).fetch_activity(HANDLE[platform])
    assert "timed out" in str(caught.value)


@pytest.mark.parametrize("platform", sorted(MAKE))
def test_unreachable_is_retryable(platform):
    with pytest.raises(PlatformUnavailable):
        MAKE[platform]("http://127.0.0.1:9", timeout=2).fetch_activity(HANDLE[platform])


def test_a_later_page_failing_fails_the_read(fake_api):
    youtube_channel(fake_api)
    fake_api.routes["/youtube/v3/playlistItems"] = (500, {}, {})
    with pytest.raises(PlatformUnavailable):
        youtube(fake_api.url).fetch_activity("StechfordWMP")


def test_not_found_answered_with_an_empty_result(fake_api):
    fake_api.routes["/youtube/v3/channels"] = (200, {}, {"pageInfo": {"totalResults": 0}})
    with pytest.raises(PlatformAccountNotFound):
        youtube(fake_api.url).fetch_activity("GoneWMP")
    fake_api.routes[f"/v21.0/{IG_ID}"] = (200, {}, {"id": IG_ID})
    with pytest.raises(PlatformAccountNotFound):
        instagram(fake_api.url).fetch_activity("gone_wmp")


def test_an_instagram_username_cannot_reach_into_the_field_expansion(fake_api):
    with pytest.raises(PlatformAccountNotFound):
        instagram(fake_api.url).fetch_activity("wmp){id},name{")
    assert fake_api.requests == []


def test_which_platforms_have_a_configured_adapter():
    empty = {
        "X_API_BEARER_TOKEN": "",
        "FACEBOOK_ACCESS_TOKEN": "",
        "INSTAGRAM_ACCESS_TOKEN": "",
        "INSTAGRAM_BUSINESS_ACCOUNT_ID": "",
        "YOUTUBE_API_KEY": "",
    }
    with override_settings(**empty):
        assert configured_platforms() == set()
        assert adapter_state("facebook") == "unconfigured"
        assert adapter_state("tiktok") == adapter_state("nextdoor") == "none"
    with override_settings(**{**empty, "INSTAGRAM_ACCESS_TOKEN": TOKEN}):
        assert adapter_for("instagram") is None  # the business account id is needed too
    with override_settings(
        **{
            **empty,
            "FACEBOOK_ACCESS_TOKEN": TOKEN,
            "INSTAGRAM_ACCESS_TOKEN": TOKEN,
            "INSTAGRAM_BUSINESS_ACCOUNT_ID": IG_ID,
            "YOUTUBE_API_KEY": KEY,
        }
    ):
        assert configured_platforms() == {"facebook", "instagram", "youtube"}
        assert isinstance(adapter_for("facebook"), FacebookPageAdapter)
        assert isinstance(adapter_for("instagram"), InstagramAdapter)
        assert isinstance(adapter_for("youtube"), YouTubeAdapter)
        assert adapter_for("tiktok") is None
