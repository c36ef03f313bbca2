"""The weekly summary by mail: each supervisor's team and the press office's whole force, built
from the reports' own selectors, once per ISO week per person however often the task runs (one
after the other, or at the same time)."""

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from notifications.tasks import deliver_pending
from reports.models import WeeklySummary
from reports.services import iso_week, weekly_summaries_send
from reports.tasks import weekly_summaries

pytestmark = pytest.mark.django_db


def _summaries():
    return Notification.objects.filter(kind__startswith="weekly_summary.")


def _mail_to(address):
    """The weekly summaries e-mailed to `address` (the fixture's case sent a mail of its own)."""
    return [m for m in mail.outbox if address in m.to and "accounts: week" in m.subject]


def test_each_supervisor_and_the_press_office_get_one_summary_of_their_own(
    settings, force, supervisor, other_supervisor, press_officer, officer
):
    sent = weekly_summaries()  # the task, as beat runs it
    assert sent == {"supervisor": 2, "press_office": 1}
    deliver_pending()

    [mine] = _mail_to(supervisor.user.email)
    assert "Your team's social media accounts: week" in mine.subject
    # The supervisor's team only: their stale account, their officer's case, their overdue
    # re-certification; never the other team's.
    assert "@StaleWMP" in mine.body
    assert "@NewCaseWMP" in mine.body
    assert "Overdue re-certifications: 1" in mine.body
    assert "DormantWMP" not in mine.body
    assert "HackedTooWMP" not in mine.body
    for path in ("/reports/dormancy/", "/reports/waiting/", "/reports/recertifications/"):
        assert f"{settings.PORTAL_BASE_URL}{path}" in mine.body

    [theirs] = _mail_to(other_supervisor.user.email)
    assert "@DormantWMP" in theirs.body and "StaleWMP" not in theirs.body

    # The press office: one e-mail to its shared mailbox, the whole force, and the message in
    # each press officer's portal inbox (no second e-mail of their own).
    [press] = _mail_to(settings.PRESS_OFFICE_EMAIL)
    assert "The force's social media accounts" in press.subject
    assert "@StaleWMP" in press.body and "@DormantWMP" in press.body
    assert "Overdue re-certifications: 2" in press.body
    assert not _mail_to(press_officer.user.email)
    assert _summaries().filter(recipient=press_officer.user).count() == 1
    assert not _mail_to(officer.user.email)  # officers get no summary

    week = iso_week(timezone.localdate())
    rows = {s.key: s for s in WeeklySummary.objects.filter(week=week)}
    assert set(rows) == {
        f"supervisor:{supervisor.user.pk}",
        f"supervisor:{other_supervisor.user.pk}",
        "press_office",
    }
    assert rows["press_office"].figures == {"dormant": 2, "waiting": 2, "overdue": 2}


def test_running_twice_in_a_week_sends_nothing_more_and_next_week_sends_again(
    force, supervisor, other_supervisor, press_officer
):
    with time_machine.travel(datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC)):
        assert weekly_summaries_send() == {"supervisor": 2, "press_office": 1}
        before = _summaries().count()
        assert weekly_summaries_send() == {"supervisor": 0, "press_office": 0}
    with time_machine.travel(datetime.datetime(2026, 12, 6, 22, 0, tzinfo=datetime.UTC)):
        assert weekly_summaries_send() == {"supervisor": 0, "press_office": 0}  # same ISO week
    assert _summaries().count() == before
    with time_machine.travel(datetime.datetime(2026, 12, 7, 7, 0, tzinfo=datetime.UTC)):
        assert weekly_summaries_send() == {"supervisor": 2, "press_office": 1}
    assert sorted(set(WeeklySummary.objects.values_list("week", flat=True))) == [
        "2026-W49",
        "2026-W50",
    ]
    assert _summaries().count() == 2 * before


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_send_each_summary_once(
    supervisor, other_supervisor, press_officer
):
    """Two workers run the task at once: the second waits on the unique row of the first and
    sends nothing for that person."""
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait(timeout=10)
            results.append(weekly_summaries_send())
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert sum(r["supervisor"] for r in results) == 2
    assert sum(r["press_office"] for r in results) == 1
    assert WeeklySummary.objects.count() == 3
    # One message to each supervisor, and one to the press office's mailbox (plus each press
    # officer's inbox copy): nobody twice.
    assert _summaries().filter(recipient=supervisor.user).count() == 1
    assert _summaries().filter(recipient=other_supervisor.user).count() == 1
    assert _summaries().filter(email=press_officer.user.email).count() == 0
    assert _summaries().filter(kind="weekly_summary.press_office", recipient=None).count() == 1
