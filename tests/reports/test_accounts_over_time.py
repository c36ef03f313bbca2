"""The "Accounts over time" report: live accounts at the end of each month, openings, closures
and consolidations, counted on known data, as a page with a chart and as CSV."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import SocialAccount
from reports.selectors import accounts_over_time
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC)
D = datetime.date


@pytest.fixture
def history(officer, other_officer):
    closed = SocialAccount.Status.CLOSED
    unit_account = SocialAccountFactory(
        owner=officer, handle="AWMP", kind="unit", activated_on=D(2025, 6, 10)
    )
    SocialAccountFactory(owner=officer, handle="BWMP", activated_on=D(2026, 2, 15))
    SocialAccountFactory(
        owner=officer,
        handle="CWMP",
        activated_on=D(2025, 1, 1),
        status=closed,
        closed_on=D(2026, 4, 20),
        consolidated_into=unit_account,
    )
    SocialAccountFactory(
        owner=officer,
        handle="DWMP",
        activated_on=D(2026, 3, 3),
        status=closed,
        closed_on=D(2026, 9, 9),
    )
    SocialAccountFactory(owner=officer, handle="EWMP", status="pending_setup")  # never live
    SocialAccountFactory(
        owner=officer,
        handle="FWMP",
        activated_on=D(2024, 1, 1),
        status=closed,
        closed_on=D(2025, 5, 5),
    )
    SocialAccountFactory(owner=other_officer, handle="GWMP", activated_on=D(2026, 5, 5))
    # Registered as already live without a date: live from the day it was registered (today).
    registered = SocialAccountFactory(owner=officer, handle="HWMP", activated_on=None)
    registered.created_at = datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC)
    registered.save(update_fields=["created_at"])


# month: (live at the end, opened, closed, consolidated), the whole force
FORCE = {
    "2025-12": (2, 0, 0, 0),
    "2026-01": (2, 0, 0, 0),
    "2026-02": (3, 1, 0, 0),
    "2026-03": (4, 1, 0, 0),
    "2026-04": (3, 0, 1, 1),
    "2026-05": (4, 1, 0, 0),
    "2026-06": (4, 0, 0, 0),
    "2026-07": (4, 0, 0, 0),
    "2026-08": (4, 0, 0, 0),
    "2026-09": (3, 0, 1, 0),
    "2026-10": (3, 0, 0, 0),
    "2026-11": (4, 1, 0, 0),
}


def _table(rows) -> dict:
    return {
        r["month"].strftime("%Y-%m"): (r["live"], r["opened"], r["closed"], r["consolidated"])
        for r in rows
    }


@time_machine.travel(NOW, tick=False)
def test_counts_on_known_data_for_the_force_and_for_a_team(
    history, press_officer, supervisor, django_assert_max_num_queries
):
    user = press_officer.user
    user.has_perm("reports.view_reports")  # roles loaded once
    with django_assert_max_num_queries(3):
        rows = accounts_over_time(user, months=12)
    assert _table(rows) == FORCE
    # The supervisor's reports cover their team only: not the other team's GWMP.
    team = _table(accounts_over_time(supervisor.user, months=12))
    assert team["2026-05"] == (3, 0, 0, 0)
    assert team["2026-11"] == (3, 1, 0, 0)
    assert len(accounts_over_time(user, months=36)) == 36


@time_machine.travel(NOW, tick=False)
def test_page_chart_and_csv(history, press_officer, login, client):
    login(press_officer)
    index = client.get(reverse("reports:index")).content.decode()
    url = reverse("reports:accounts_over_time")
    assert url in index
    page = client.get(url, {"months": 12}).content.decode()
    assert "<svg" in page and "Live accounts at the end of each month" in page
    assert "April 2026" in page and "December 2025" in page and "November 2025" not in page
    assert "4 opened, 2 closed, 1 of them folded" in page.replace("\n", " ")
    response = client.get(url, {"months": 12, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "Month,Live at the end of the month,Opened,Closed,Of which consolidated"
    assert lines[1:] == [f"{m},{','.join(map(str, v))}" for m, v in FORCE.items()]


def test_officers_see_no_report(officer, login, client):
    login(officer)
    assert client.get(reverse("reports:accounts_over_time")).status_code == 403
