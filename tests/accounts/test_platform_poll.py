"""The scheduled poll of every configured platform, in batches, against fake APIs on
127.0.0.1; the profile checks it keeps and the owner's reminder, once per change."""

import datetime

import pytest
import time_machine
from django.test import override_settings

from accounts import tasks
from accounts.models import ActivityObservation, ProfileCheck, SocialAccount
from accounts.platforms import PlatformRateLimited, Profile
from accounts.profile_checks import check_profile
from audit.models import AuditEvent
from notifications.models import Notification
from tests.accounts.test_platform_adapters import (
    IG_ID,
    KEY,
    TOKEN,
    facebook_page,
    instagram_user,
    youtube_channel,
)
from tests.factories import OfficerFactory, SocialAccountFactory

UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.fixture
def platforms(fake_api):
    """Every adapter pointed at the fake API."""
    with override_settings(
        X_API_BEARER_TOKEN="",
        GRAPH_API_BASE_URL=fake_api.url,
        GRAPH_API_VERSION="v21.0",
        FACEBOOK_ACCESS_TOKEN=TOKEN,
        INSTAGRAM_ACCESS_TOKEN=TOKEN,
        INSTAGRAM_BUSINESS_ACCOUNT_ID=IG_ID,
        YOUTUBE_API_BASE_URL=fake_api.url,
        YOUTUBE_API_KEY=KEY,
        PLATFORM_API_TIMEOUT=5,
        PLATFORM_POLL_BATCH=2,
        PLATFORM_POLL_HOURS=6,
        FORCE_WEBSITE="https://www.west-midlands.police.uk",
    ):
        yield fake_api


@pytest.fixture
def stechford(db):
    """The owner whose name the fake profiles carry: Sam Stechford."""
    return OfficerFactory(first_name="Sam", surname="Stechford")


def account(owner, platform, handle):
    return SocialAccountFactory(
        owner=owner, platform=platform, handle=handle, kind=SocialAccount.Kind.UNIT
    )


@time_machine.travel(NOW, tick=False)
def test_poll_reads_every_platform_in_batches_and_twice_is_harmless(
    platforms, stechford, monkeypatch
):
    fb = account(stechford, "facebook", "StechfordWMP")
    ig = account(stechford, "instagram", "stechford_wmp")
    yt = account(stechford, "youtube", "StechfordWMP")
    tiktok = account(stechford, "tiktok", "StechfordWMP")
    closed = account(stechford, "facebook", "OldWMP")
    SocialAccount.objects.filter(pk=closed.pk).update(status="closed")
    facebook_page(platforms)
    instagram_user(platforms)
    youtube_channel(platforms)
    queued = []
    original = tasks.poll_activity_batch.delay
    monkeypatch.setattr(
        tasks.poll_activity_batch, "delay", lambda *a: queued.append(a) or original(*a)
    )
    assert tasks.poll_platform_activity.delay().get() == 3
    monkeypatch.undo()
    # One batch per platform here (each has one live account); all for the same slot.
    assert sorted((p, ids) for p, ids, _ in queued) == [
        ("facebook", [fb.pk]),
        ("instagram", [ig.pk]),
        ("youtube", [yt.pk]),
    ]
    assert {slot for *_, slot in queued} == {"2026-11-27T06:00:00+00:00"}
    expected = {
        fb.pk: (datetime.datetime(2026, 11, 24, 8, 15, tzinfo=UTC), 2100),
        ig.pk: (datetime.datetime(2026, 11, 25, 19, tzinfo=UTC), 830),
        yt.pk: (datetime.datetime(2026, 11, 26, 16, tzinfo=UTC), 1520),
    }
    for pk, (last_post, followers) in expected.items():
        observation = ActivityObservation.objects.get(account_id=pk)
        assert observation.source == "api"
        assert (observation.last_post_at, observation.followers) == (last_post, followers)
        refreshed = SocialAccount.objects.get(pk=pk)
        assert (refreshed.last_post_at, refreshed.followers) == (last_post, followers)
    assert not ActivityObservation.objects.filter(account__in=[tiktok, closed]).exists()

    calls = len(platforms.requests)
    assert tasks.poll_platform_activity.delay().get() == 3  # the same slot, a second time
    assert ActivityObservation.objects.count() == 3
    assert len(platforms.requests) == calls  # nobody was read again: no quota spent


def test_batch_of_several_accounts_is_split_by_the_batch_size(platforms, stechford, monkeypatch):
    owners = [account(stechford, "youtube", f"Team{n}WMP") for n in range(3)]
    youtube_channel(platforms)
    queued = []
    monkeypatch.setattr(tasks.poll_activity_batch, "delay", lambda *a: queued.append(a))
    assert tasks.poll_platform_activity.delay().get() == 3
    assert [ids for _, ids, _ in queued] == [[owners[0].pk, owners[1].pk], [owners[2].pk]]


def test_a_rate_limit_retries_the_rest_of_the_batch_after_the_wait(
    platforms, stechford, monkeypatch
):
    first = account(stechford, "youtube", "FirstWMP")
    second = account(stechford, "youtube", "SecondWMP")
    youtube_channel(platforms)

    def channels(query):
        if query["forHandle"] == "@SecondWMP":
            return 429, {"Retry-After": "90"}, {}
        return youtube_answer

    youtube_answer = platforms.routes["/youtube/v3/channels"]
    platforms.routes["/youtube/v3/channels"] = channels
    calls = []

    class Retry(Exception):
        pass

    def fake_retry(*, exc, countdown, args):
        calls.append((type(exc), countdown, args))
        return Retry()

    monkeypatch.setattr(tasks.poll_activity_batch, "retry", fake_retry)
    slot = "2026-11-27T06:00:00+00:00"
    with pytest.raises(Retry):
        tasks.poll_activity_batch.run("youtube", [first.pk, second.pk], slot)
    assert calls == [(PlatformRateLimited, 90, ("youtube", [second.pk], slot))]
    assert list(ActivityObservation.objects.values_list("account", flat=True)) == [first.pk]


def test_a_refused_token_stops_the_batch(platforms, stechford):
    accounts = [account(stechford, "facebook", f"Page{n}WMP") for n in range(3)]
    platforms.routes["/v21.0/Page0WMP"] = (401, {}, {"error": {"code": 190}})
    result = tasks.poll_activity_batch.delay(
        "facebook", [a.pk for a in accounts], "2026-11-27T06:00:00+00:00"
    ).get()
    assert result == {"auth error": 3}
    assert len(platforms.requests) == 1
    assert not ActivityObservation.objects.exists()


def test_an_account_the_platform_does_not_know_does_not_stop_the_batch(platforms, stechford):
    gone = account(stechford, "facebook", "GoneWMP")
    here = account(stechford, "facebook", "StechfordWMP")
    facebook_page(platforms)
    result = tasks.poll_activity_batch.delay(
        "facebook", [gone.pk, here.pk], "2026-11-27T06:00:00+00:00"
    ).get()
    assert result == {"not found": 1, "observed": 1}
    assert list(ActivityObservation.objects.values_list("account", flat=True)) == [here.pk]


# ----------------------------------------------------------------------------- profile checks


def profile(**changes):
    good = {
        "handle": "SamStechfordWMP",
        "display_name": "Sam Stechford WMP",
        "bio": "Not monitored 24/7: do not report crime here. Call 101, or 999 in an emergency.",
        "link": "https://www.west-midlands.police.uk/your-area/stechford",
    }
    return Profile(**{**good, **changes})


@pytest.fixture
def sams_account(stechford):
    return SocialAccountFactory(owner=stechford, handle="SamStechfordWMP", platform="x")


def failing(account, **changes):
    return [r.code for r in check_profile(account, profile(**changes)) if not r.ok]


def test_a_profile_that_follows_the_guidance_passes(sams_account):
    assert failing(sams_account) == []
    assert failing(sams_account, link="https://west-midlands.police.uk") == []
    assert failing(sams_account, handle="@samstechfordwmp") == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"bio": "Call 101 for anything."}, ["not_for_crime"]),
        ({"bio": "Not monitored 24/7. Do not report crime here."}, ["reporting_route"]),
        ({"bio": "Do not report crime here; ring 21012."}, ["reporting_route"]),  # not "101"
        ({"handle": "SamStechford"}, ["handle"]),  # renamed on the platform
        ({"display_name": "Sam S."}, ["display_name"]),
        ({"display_name": "Sam Smith WMP"}, ["display_name"]),  # not the owner's name
        ({"link": "https://evil.example.com/west-midlands.police.uk"}, ["link"]),
        ({"link": "https://west-midlands.police.uk.example.com"}, ["link"]),
        ({"link": None}, ["link"]),
    ],
)
def test_each_profile_check_fails_on_its_own(sams_account, changes, expected):
    assert failing(sams_account, **changes) == expected


def test_handle_convention_for_an_officer(stechford):
    odd = SocialAccountFactory(owner=stechford, handle="CopperWMP", platform="x")
    assert failing(odd, handle="CopperWMP") == ["handle"]
    team = SocialAccountFactory(
        owner=stechford, handle="StechfordTeam", platform="x", kind=SocialAccount.Kind.TEAM
    )
    assert failing(team, handle="StechfordTeam", display_name="Stechford Police") == ["handle"]


def test_a_link_in_the_bio_counts_where_the_platform_has_no_link_field(sams_account):
    bio = "Not monitored 24/7. Call 101. More at www.west-midlands.police.uk/stechford"
    assert failing(sams_account, link=None, bio=bio) == []


@override_settings(
    PROFILE_NOT_FOR_CRIME_PHRASES=["nid ydym yn monitro"],
    PROFILE_REPORTING_ROUTE_PHRASES=["0300 123 2040"],
)
def test_the_phrases_are_the_forces_own(sams_account):
    assert failing(sams_account) == ["not_for_crime", "reporting_route"]
    bio = "Nid ydym yn monitro'r cyfrif hwn 24/7. Ffoniwch 0300 123 2040."
    assert failing(sams_account, bio=bio) == []


def poll_x(fake, account, moment, **profile_changes):
    """One poll of the X account at `moment`, the fake X serving `profile_changes`."""
    p = profile(**profile_changes)
    fake.routes["/2/users/by/username/SamStechfordWMP"] = (
        200,
        {},
        {
            "data": {
                "id": "42",
                "name": p.display_name,
                "username": p.handle,
                "description": p.bio,
                "url": "https://t.co/abc",
                "entities": {"url": {"urls": [{"expanded_url": p.link}]}} if p.link else {},
                "public_metrics": {"followers_count": 500},
            }
        },
    )
    fake.routes["/2/users/42/tweets"] = (
        200,
        {},
        {"data": [{"id": "1", "created_at": "2026-11-20T09:00:00Z"}], "meta": {}},
    )
    with (
        time_machine.travel(moment, tick=False),
        override_settings(X_API_BASE_URL=fake.url, X_API_BEARER_TOKEN=TOKEN),
    ):
        return tasks.poll_account_activity.delay(account.pk).get()


def reminders(account):
    return Notification.objects.filter(kind="profile_check_failing", recipient=account.owner.user)


def test_owner_is_reminded_once_per_change_not_every_poll(fake_api, sams_account):
    six_hours = datetime.timedelta(hours=6)
    assert poll_x(fake_api, sams_account, NOW) == "observed"
    check = ProfileCheck.objects.get(account=sams_account)
    assert check.failing == [] and check.failing_since is None
    assert not reminders(sams_account).exists()

    # The link is changed on the platform: one reminder, one audit row.
    assert poll_x(fake_api, sams_account, NOW + six_hours, link="https://example.com") == "observed"
    check.refresh_from_db()
    assert check.failing == ["link"] and check.failing_since == NOW + six_hours
    assert reminders(sams_account).count() == 1
    assert "Link points to the force's website" in reminders(sams_account).get().body

    # The next polls see the same failure: no new reminder, no new audit row.
    for n in (2, 3):
        poll_x(fake_api, sams_account, NOW + n * six_hours, link="https://example.com")
    assert reminders(sams_account).count() == 1
    assert ActivityObservation.objects.filter(account=sams_account).count() == 4

    # A second check starts failing: a change, so a second reminder naming both.
    poll_x(fake_api, sams_account, NOW + 4 * six_hours, link="https://example.com", bio="Hi")
    assert reminders(sams_account).count() == 2
    check.refresh_from_db()
    assert check.failing_since == NOW + six_hours  # failing since the first failure

    # Fixed, then broken again: each failure after a pass is a change.
    poll_x(fake_api, sams_account, NOW + 5 * six_hours)
    check.refresh_from_db()
    assert check.failing == [] and check.notified == []
    poll_x(fake_api, sams_account, NOW + 6 * six_hours, link="https://example.com")
    assert reminders(sams_account).count() == 3

    changes = list(
        AuditEvent.objects.filter(
            action="socialaccount.profile_checked", object_id=str(sams_account.pk)
        )
        .order_by("sequence")
        .values_list("changes", flat=True)
    )
    assert [c["failing_profile_checks"] for c in changes] == [
        [[], ["link"]],
        [["link"], ["link", "not_for_crime", "reporting_route"]],
        [["link", "not_for_crime", "reporting_route"], []],
        [[], ["link"]],
    ]
