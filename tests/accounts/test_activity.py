"""Activity: owners' check-ins and the set-based latest-activity update."""

import datetime
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import ActivityObservation
from accounts.services import (
    RegisterError,
    activity_record_many,
    social_account_check_in,
)
from audit.models import AuditEvent
from tests.factories import ActivityObservationFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def _date_fields(day: datetime.date) -> dict:
    return {"last_post_on_0": day.day, "last_post_on_1": day.month, "last_post_on_2": day.year}


def test_owner_checks_in_through_the_account_page(login, officer):
    account = SocialAccountFactory(owner=officer, last_post_at=None)
    day = timezone.localdate() - timedelta(days=3)
    response = login(officer).post(
        reverse("accounts:check_in", args=[account.pk]), {**_date_fields(day), "followers": "310"}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert timezone.localtime(account.last_post_at).date() == day
    assert account.followers == 310
    observation = ActivityObservation.objects.get(account=account)
    assert observation.source == "check_in" and observation.recorded_by == officer.user
    event = AuditEvent.objects.get(action="socialaccount.checked_in", object_id=account.pk)
    assert event.actor == officer.user
    assert event.changes["last_post_at"][0] is None


def test_check_in_for_today_uses_the_current_time(officer):
    account = SocialAccountFactory(owner=officer, last_post_at=None)
    with time_machine.travel(
        datetime.datetime(2026, 11, 24, 15, 30, tzinfo=datetime.UTC), tick=False
    ):
        social_account_check_in(
            actor=officer.user, account=account, last_post_on=timezone.localdate()
        )
        account.refresh_from_db()
        assert account.last_post_at == timezone.now()


def test_check_in_date_in_the_future_is_refused(login, officer):
    account = SocialAccountFactory(owner=officer)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = login(officer).post(
        reverse("accounts:check_in", args=[account.pk]), _date_fields(tomorrow)
    )
    assert response.status_code == 400
    assert "must be today or in the past" in response.content.decode()
    with pytest.raises(RegisterError):
        social_account_check_in(actor=officer.user, account=account, last_post_on=tomorrow)
    assert not ActivityObservation.objects.exists()


def test_supervisor_sees_but_cannot_check_in_for_their_officer(login, supervisor, officer):
    account = SocialAccountFactory(owner=officer)
    client = login(supervisor)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert 'id="check-in"' not in html
    response = client.post(
        reverse("accounts:check_in", args=[account.pk]), _date_fields(timezone.localdate())
    )
    assert response.status_code == 403
    assert not ActivityObservation.objects.exists()


def test_an_older_check_in_is_kept_but_does_not_move_the_latest_back(officer):
    latest = timezone.now() - timedelta(days=1)
    account = SocialAccountFactory(owner=officer, last_post_at=latest)
    social_account_check_in(
        actor=officer.user, account=account, last_post_on=timezone.localdate() - timedelta(days=9)
    )
    account.refresh_from_db()
    assert account.last_post_at == latest
    assert account.observations.count() == 1


def test_record_many_is_set_based(officer, django_assert_max_num_queries):
    accounts = [SocialAccountFactory(owner=officer, last_post_at=None) for _ in range(50)]
    now = timezone.now()
    observations = [
        ActivityObservation(
            account=a, source="api", last_post_at=now - timedelta(hours=n), followers=n
        )
        for n, a in enumerate(accounts)
    ] + [
        ActivityObservation(account=a, source="api", last_post_at=now - timedelta(days=30))
        for a in accounts
    ]
    with django_assert_max_num_queries(4):  # one INSERT, one UPDATE (plus savepoints)
        activity_record_many(observations=observations)
    for n, account in enumerate(accounts):
        account.refresh_from_db()
        assert account.last_post_at == now - timedelta(hours=n)
        assert account.followers == n


def test_latest_followers_come_from_the_latest_observation(officer):
    account = SocialAccountFactory(owner=officer)
    ActivityObservationFactory(
        account=account, observed_at=timezone.now() - timedelta(days=2), followers=100
    )
    activity_record_many(
        observations=[ActivityObservation(account=account, source="import", followers=140)]
    )
    account.refresh_from_db()
    assert account.followers == 140
