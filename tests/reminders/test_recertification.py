"""Yearly re-certification: opened a month ahead, owner then supervisor confirm, chased when
overdue, and a new year opened after completion."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from reminders.models import Recertification, Reminder
from reminders.services import recertification_run
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


def day(y, m, d):
    return datetime.datetime(y, m, d, 6, 45, tzinfo=datetime.UTC)


@pytest.fixture
def run_on(django_capture_on_commit_callbacks):
    def run(moment):
        mail.outbox.clear()
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return recertification_run()

    return run


@pytest.fixture
def account(officer):
    return SocialAccountFactory(
        owner=officer, handle="PriyaSharmaWMP", activated_on=datetime.date(2025, 12, 1)
    )


def test_opened_a_month_before_the_anniversary_and_asked_once(account, officer, run_on):
    assert run_on(day(2026, 10, 31)).total == 0
    assert run_on(day(2026, 11, 1)).created == {"recert_due": 1, "recert_overdue": 0}
    recert = Recertification.objects.get()
    assert recert.due_on == datetime.date(2026, 12, 1)
    assert [m.to for m in mail.outbox] == [[officer.user.email]]
    assert run_on(day(2026, 11, 2)).total == 0
    assert Recertification.objects.count() == 1


def test_overdue_is_chased_weekly_owner_and_supervisor(account, officer, supervisor, run_on):
    run_on(day(2026, 11, 1))
    assert run_on(day(2026, 12, 1)).total == 0  # due today, not overdue
    assert run_on(day(2026, 12, 2)).created["recert_overdue"] == 1
    assert {m.to[0] for m in mail.outbox} == {officer.user.email, supervisor.user.email}
    assert run_on(day(2026, 12, 3)).total == 0  # same week
    assert run_on(day(2026, 12, 8)).created["recert_overdue"] == 1  # next week


def test_owner_then_supervisor_confirm_through_the_pages(
    account, officer, supervisor, login, client, run_on, django_capture_on_commit_callbacks
):
    run_on(day(2026, 11, 1))
    recert = Recertification.objects.get()
    url = reverse("reminders:recertify", args=[recert.pk])
    page = login(officer).get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert url in page

    response = client.post(url, {"still_needed": "yes", "statement": ""})
    assert "Say how the account still serves its purpose" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"still_needed": "yes", "statement": "Ward priorities and meeting dates."}
        )
    assert response.status_code == 302
    recert.refresh_from_db()
    assert recert.owner_confirmed_by == officer.user
    assert [m.to for m in mail.outbox][-1] == [supervisor.user.email]
    # The owner cannot also confirm as the supervisor.
    assert client.post(url, {"comment": "fine"}).status_code == 403

    client.logout()
    login(supervisor)
    assert client.post(url, {"comment": "Still well used."}).status_code == 302
    recert.refresh_from_db()
    assert recert.complete and recert.supervisor_confirmed_by == supervisor.user
    actions = list(
        AuditEvent.objects.filter(object_id=str(account.pk)).values_list("action", flat=True)
    )
    assert actions == ["recertification.owner_confirmed", "recertification.completed"]
    # Next year's cycle opens a month before the next anniversary, not before.
    assert run_on(day(2027, 10, 31)).total == 0
    assert run_on(day(2027, 11, 1)).created["recert_due"] == 1
    assert Recertification.objects.filter(due_on=datetime.date(2027, 12, 1)).exists()


def test_supervisor_cannot_confirm_before_the_owner(account, supervisor, login, run_on):
    run_on(day(2026, 11, 1))
    recert = Recertification.objects.get()
    response = login(supervisor).post(
        reverse("reminders:recertify", args=[recert.pk]), {"comment": "ok"}
    )
    assert response.status_code == 403
    recert.refresh_from_db()
    assert recert.supervisor_confirmed_at is None


def test_another_officer_cannot_open_it(account, other_officer, login, run_on):
    run_on(day(2026, 11, 1))
    recert = Recertification.objects.get()
    response = login(other_officer).get(reverse("reminders:recertify", args=[recert.pk]))
    assert response.status_code == 404


def test_owner_saying_no_is_sent_to_handover_or_closure(account, officer, login, run_on):
    run_on(day(2026, 11, 1))
    recert = Recertification.objects.get()
    response = login(officer).post(
        reverse("reminders:recertify", args=[recert.pk]),
        {"still_needed": "no", "statement": "Moving to CID."},
        follow=True,
    )
    assert "hand it over" in response.content.decode()
    recert.refresh_from_db()
    assert recert.owner_confirmed_at is None
    assert not Reminder.objects.filter(kind="recert_overdue").exists()
