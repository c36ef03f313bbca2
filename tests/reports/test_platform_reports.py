"""Profile checks and followers over time: on the account page and in the reports."""

import datetime
import re

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from accounts.models import ActivityObservation, ProfileCheck
from reports.charts import line_chart
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def observe(account, when, followers):
    return ActivityObservation.objects.create(
        account=account, source="api", observed_at=when, followers=followers
    )


def failing_check(account, codes, since=NOW):
    results = [
        {"code": c, "ok": c not in codes, "detail": f"detail of {c}"} for c in ProfileCheck.Check
    ]
    return ProfileCheck.objects.create(
        account=account,
        checked_at=since,
        handle=account.handle,
        display_name="Someone",
        results=results,
        failing=list(codes),
        failing_since=since if codes else None,
        notified=list(codes),
    )


def test_line_chart_geometry():
    chart = line_chart([("1 Nov", 1000), ("2 Nov", 1010), ("3 Nov", 1040)])
    xs = [p.x for p in chart.points]
    ys = [p.y for p in chart.points]
    assert xs == sorted(xs) and xs[0] == chart.left and xs[-1] == chart.right
    assert ys[0] > ys[1] > ys[2]  # more followers is higher up (smaller y)
    assert chart.top <= min(ys) and max(ys) <= chart.bottom
    # The value axis starts near the figures, not at zero, and is labelled.
    assert chart.y_ticks[0][1] != "0"
    assert chart.polyline.count(",") == 3


def test_line_chart_points_escape_their_labels_and_show_whole_figures_without_decimals():
    chart = line_chart([("<b>1 Nov</b>", 1000), ("2 Nov", 1010.25)])
    assert "<title>&lt;b&gt;1 Nov&lt;/b&gt;: 1000</title>" in chart.points_svg
    assert "<title>2 Nov: 1010.2</title>" in chart.points_svg  # as floatformat:"-1" showed it


@time_machine.travel(NOW, tick=False)
def test_account_page_shows_chart_checks_and_adapter_state(officer, login):
    account = SocialAccountFactory(owner=officer, platform="x", handle="ChartWMP")
    for days, followers in ((3, 980), (2, 1000), (1, 1010)):
        observe(account, NOW - datetime.timedelta(days=days), followers)
    observe(account, NOW - datetime.timedelta(days=1, hours=-2), 1015)  # later the same day
    failing_check(account, ["link"])
    with override_settings(X_API_BEARER_TOKEN="t"):
        page = login(officer).get(reverse("accounts:detail", args=[account.pk])).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Followers of @ChartWMP over time" in svg
    assert svg.count("<circle") == 3  # one point per day, the last count of the day
    assert "style=" not in svg  # the Content Security Policy allows no style attributes
    table = page[page.index("Followers per day") :]
    assert re.search(r">1015</td>", table) and ">1010<" not in table.split("</table>")[0]
    # Drawn in Python, as the template's filters drew them: each day with its date, each point
    # titled with its day and figure.
    assert '<time datetime="2026-11-26">26 Nov 2026</time>' in table
    assert '<circle cx="650.0" cy="34.5" r="4" fill="#1d70b8"><title>26 Nov: 1015</title>' in svg
    assert "The X (Twitter) API, every few hours" in page
    assert "1 profile checks fail" not in page and "One profile check fails" in page
    assert "detail of link" in page


@pytest.mark.parametrize(
    ("platform", "settings", "expected"),
    [
        ("tiktok", {}, "No platform adapter"),
        ("nextdoor", {}, "No platform adapter"),
        ("youtube", {"YOUTUBE_API_KEY": ""}, "has no credentials configured"),
    ],
)
def test_account_page_of_an_unread_platform_says_so(officer, login, platform, settings, expected):
    account = SocialAccountFactory(owner=officer, platform=platform, handle="QuietWMP")
    with override_settings(**settings):
        page = login(officer).get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert expected in page
    assert "asked to check in each month" in page
    assert "No follower counts recorded" in page


def test_profile_report_lists_failing_accounts_the_reader_covers(
    officer, other_officer, supervisor, other_supervisor, press_officer, login, client
):
    mine = SocialAccountFactory(owner=officer, handle="MineWMP")
    theirs = SocialAccountFactory(owner=other_officer, handle="TheirsWMP")
    fine = SocialAccountFactory(owner=officer, handle="FineWMP")
    failing_check(mine, ["not_for_crime", "link"])
    failing_check(theirs, ["handle"])
    failing_check(fine, [])

    page = login(press_officer).get("/reports/profiles/").content.decode()
    assert "@MineWMP" in page and "@TheirsWMP" in page and "@FineWMP" not in page
    assert "Accounts failing each profile check" in page  # the chart's title

    client.logout()
    page = login(supervisor).get("/reports/profiles/").content.decode()
    assert "@MineWMP" in page and "@TheirsWMP" not in page

    response = login(supervisor).get("/reports/profiles/?format=csv")
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert rows[0].startswith("Handle,Platform,Owner")
    assert len(rows) == 2 and rows[1].startswith("MineWMP,")
    assert "Bio says crime is not reported here; Link points to the force's website" in rows[1]

    client.logout()
    assert login(officer).get("/reports/profiles/").status_code == 403


@time_machine.travel(NOW, tick=False)
def test_followers_report_adds_up_each_accounts_count_by_month(
    officer, other_officer, press_officer, supervisor, login, client
):
    one = SocialAccountFactory(owner=officer, handle="OneWMP")
    two = SocialAccountFactory(owner=officer, handle="TwoWMP")
    other = SocialAccountFactory(owner=other_officer, handle="OtherWMP")
    observe(one, datetime.datetime(2026, 10, 5, tzinfo=UTC), 100)
    observe(one, datetime.datetime(2026, 10, 20, tzinfo=UTC), 120)
    observe(two, datetime.datetime(2026, 10, 9, tzinfo=UTC), 50)
    observe(one, datetime.datetime(2026, 11, 2, tzinfo=UTC), 130)
    observe(other, datetime.datetime(2026, 11, 3, tzinfo=UTC), 1000)
    observe(one, datetime.datetime(2025, 10, 3, tzinfo=UTC), 90)  # more than a year ago

    response = login(press_officer).get("/reports/followers/?format=csv")
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert rows == ["Month,Followers,Accounts counted", "2026-10,170,2", "2026-11,1130,2"]
    page = login(press_officer).get("/reports/followers/").content.decode()
    assert "Followers by month" in page and "<svg" in page and "<desc" in page

    client.logout()
    response = login(supervisor).get("/reports/followers/?format=csv")
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert rows[1:] == ["2026-10,170,2", "2026-11,130,1"]
