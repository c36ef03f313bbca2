"""The pages, end to end as named people: the press office suspends and pauses from forms, the
register, the account page and the public check show it, the people told acknowledge, and
nobody else can do any of it."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from pauses import services
from pauses.models import Pause, PauseNotice
from people.roles import Role
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

REASON = "Posted a photo of a suspect during a live trial"


def _date_fields(day: datetime.date) -> dict:
    return {"review_on_0": day.day, "review_on_1": day.month, "review_on_2": day.year}


def _suspend(press, account):
    return services.account_suspend(
        actor=press.user,
        account_id=account.pk,
        reason=REASON,
        review_on=timezone.localdate() + datetime.timedelta(days=10),
    )


def test_the_press_office_suspends_from_the_account_page(
    client, login, press, owner, suspendable, django_capture_on_commit_callbacks
):
    login(press)
    page = client.get(reverse("accounts:detail", args=[suspendable.pk])).content.decode()
    url = reverse("pauses:suspend", args=[suspendable.pk])
    assert url in page
    review = timezone.localdate() + datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": REASON, **_date_fields(review)})
    assert response.status_code == 302
    pause = Pause.objects.get(account=suspendable)
    assert pause.review_on == review and pause.reason == REASON
    assert [m.to for m in mail.outbox] == [[owner.user.email]]

    page = client.get(reverse("accounts:detail", args=[suspendable.pk])).content.decode()
    assert "Suspended" in page and url not in page  # no second suspension offered
    assert 'data-action="socialaccount.suspended"' in page  # the history shows it
    assert "suspended the account: no posting until lifted" in page
    register = client.get(reverse("accounts:list")).content.decode()
    assert 'govuk-tag--purple">Suspended</strong>' in register


@pytest.mark.parametrize("days", [0, -3])
def test_a_review_date_not_in_the_future_is_refused_next_to_the_field(
    client, login, press, suspendable, days
):
    login(press)
    response = client.post(
        reverse("pauses:suspend", args=[suspendable.pk]),
        {"reason": REASON, **_date_fields(timezone.localdate() + datetime.timedelta(days))},
    )
    assert response.status_code == 400
    assert "The review date must be in the future" in response.content.decode()
    assert not Pause.objects.exists()


def test_the_public_check_says_official_but_paused_and_nothing_more(client, press, suspendable):
    _suspend(press, suspendable)
    page = client.get(reverse("verify:page"), {"handle": "@PriyaSharmaWMP"}).content.decode()
    assert 'data-paused="true"' in page
    assert "is an official account of" in page
    assert "It is paused: do not expect posts or replies from it until further notice." in page
    assert REASON not in page and "suspend" not in page.lower()
    body = client.get(reverse("verify:accounts_json"), {"handle": "PriyaSharmaWMP"}).json()
    assert body["status"] == "official" and body["official"] and body["paused"]
    assert REASON not in str(body)
    listing = client.get(reverse("verify:accounts_json")).json()["accounts"]
    assert [a["paused"] for a in listing if a["handle"] == "PriyaSharmaWMP"] == [True]


def test_after_the_lift_the_public_check_is_plain_official(client, press, suspendable):
    pause = _suspend(press, suspendable)
    services.pause_lift(actor=press.user, pause_id=pause.pk, reason="Reviewed")
    page = client.get(reverse("verify:page"), {"handle": "PriyaSharmaWMP"}).content.decode()
    assert 'data-verdict="official"' in page and 'data-paused="true"' not in page
    body = client.get(reverse("verify:accounts_json"), {"handle": "PriyaSharmaWMP"}).json()
    assert body["paused"] is False


def test_unit_pause_then_acknowledge_and_the_press_office_sees_who_has_not(
    client, login, press, lpu, unit_accounts, django_capture_on_commit_callbacks
):
    login(press)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("pauses:start"),
            {"scope": "unit", "unit": lpu.pk, "reason": "Firearms incident in Stechford"},
        )
    pause = Pause.objects.get()
    assert response.url == reverse("pauses:detail", args=[pause.pk])
    assert len(mail.outbox) == 3
    detail = client.get(response.url).content.decode()
    assert "3 of 3 people have not acknowledged yet." in detail

    busy = unit_accounts["stechford_1"].owner
    client.logout()
    login(busy)
    mine = client.get(reverse("pauses:mine")).content.decode()
    assert "@StechfordWMP" in mine and "@StechfordCopsWMP" in mine
    assert "Firearms incident in Stechford" in mine
    response = client.post(reverse("pauses:acknowledge", args=[pause.pk]))
    assert response.url == reverse("pauses:mine")
    assert PauseNotice.objects.get(pause=pause, officer=busy).acknowledged_at is not None
    assert "Nothing to acknowledge" in client.get(reverse("pauses:mine")).content.decode()
    assert AuditEvent.objects.filter(action="pause.acknowledged", actor=busy.user).count() == 1

    client.logout()
    login(press)
    detail = client.get(reverse("pauses:detail", args=[pause.pk])).content.decode()
    assert "2 of 3 people have not acknowledged yet." in detail
    assert detail.count('data-acknowledged="no"') == 2
    assert detail.count('data-acknowledged="yes"') == 1


def test_a_unit_must_be_chosen_for_a_unit_pause(client, login, press, unit_accounts):
    login(press)
    response = client.post(reverse("pauses:start"), {"scope": "unit", "reason": "x"})
    assert response.status_code == 400
    assert "Choose the unit whose accounts are paused" in response.content.decode()
    assert not Pause.objects.exists()


@pytest.mark.parametrize("who", ["owner", "supervisor", "auditor"])
def test_nobody_but_the_press_office_suspends_pauses_or_lifts(
    client, login, press, owner, suspendable, lpu, who
):
    supervisor = OfficerFactory(roles=[Role.OFFICER, Role.SUPERVISOR])
    owner.supervisor = supervisor
    owner.save()
    person = {"owner": owner, "supervisor": supervisor, "auditor": None}[who] or OfficerFactory(
        roles=[Role.AUDITOR]
    )
    pause = _suspend(press, suspendable)
    before = AuditEvent.objects.count()
    login(person)
    review = _date_fields(timezone.localdate() + datetime.timedelta(days=5))
    other = suspendable.__class__.objects.create(
        handle="OtherWMP", display_name="x", owner=owner, unit=owner.unit, status="active"
    )
    assert (
        client.post(
            reverse("pauses:suspend", args=[other.pk]), {"reason": "x", **review}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("pauses:start"), {"scope": "force", "reason": "x"}).status_code == 403
    )
    lift = client.post(reverse("pauses:lift", args=[pause.pk]), {"reason": "x"})
    assert lift.status_code in (403, 404)
    pause.refresh_from_db()
    assert pause.is_open and Pause.objects.count() == 1
    assert AuditEvent.objects.count() == before
