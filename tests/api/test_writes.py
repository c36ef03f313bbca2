"""Writes: the HR feed and the activity report go through the CSV imports' services, once per
key, audited as the client; an incident report as on the report page."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import ActivityObservation
from api.models import IdempotentWrite, Scope
from audit.models import AuditEvent
from people.models import Officer
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(make_client, administrator):
    client, token = make_client(administrator, [Scope.WRITE_PEOPLE], name="HR system")
    return client, token


def _changes(*rows):
    return {"changes": [{"staff_number": n, "status": s, "date": d} for n, s, d in rows]}


def _state():
    return (
        list(Officer.objects.order_by("pk").values_list("pk", "status", "status_changed_on")),
        AuditEvent.objects.count(),
    )


def test_the_hr_feed_applied_twice_with_the_same_key_changes_nothing_the_second_time(
    call, hr, officer, other_officer
):
    client, token = hr
    today = timezone.localdate().isoformat()
    body = _changes(
        (officer.staff_number, "left", today), (other_officer.staff_number, "moved", today)
    )
    first = call(token, "post", "/people/changes", body, **{"Idempotency-Key": "hr-2026-11-29-1"})
    assert first.status_code == 200, first.content
    assert first.json()["replayed"] is False
    assert {(m["staff_number"], m["status"], m["was"]) for m in first.json()["marked"]} == {
        (officer.staff_number, "left", "serving"),
        (other_officer.staff_number, "moved", "serving"),
    }
    officer.refresh_from_db()
    assert officer.status == Officer.Status.LEFT and not officer.user.is_active
    # Audited as the client, for its owner: the two marks and the call itself.
    events = AuditEvent.objects.filter(action__startswith="officer.marked_")
    assert {e.actor_label.split(" for ")[0] for e in events} == {
        f"API client HR system (#{client.pk})"
    }
    assert {e.reason for e in events} == {"HR feed, row 1", "HR feed, row 2"}
    wrote = AuditEvent.objects.get(action="api_client.wrote")
    assert (
        wrote.changes["operation"] == "people" and wrote.changes["idempotency"] == "hr-2026-11-29-1"
    )
    assert wrote.changes["address"] == "127.0.0.1"

    before = _state()
    again = call(token, "post", "/people/changes", body, **{"Idempotency-Key": "hr-2026-11-29-1"})
    assert again.status_code == 200
    assert again.json() == {**first.json(), "replayed": True}
    assert _state() == before


def test_the_same_key_with_another_request_is_refused(call, hr, officer, other_officer):
    _, token = hr
    today = timezone.localdate().isoformat()
    key = {"Idempotency-Key": "hr-key-000001"}
    assert (
        call(
            token,
            "post",
            "/people/changes",
            _changes((officer.staff_number, "moved", today)),
            **key,
        ).status_code
        == 200
    )
    before = _state()
    response = call(
        token,
        "post",
        "/people/changes",
        _changes((other_officer.staff_number, "left", today)),
        **key,
    )
    assert response.status_code == 409
    assert _state() == before


def test_a_bad_row_refuses_the_whole_feed_and_keeps_no_key(call, hr, officer):
    _, token = hr
    today = timezone.localdate().isoformat()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    before = _state()
    body = _changes(
        (officer.staff_number, "left", today),
        ("NOSUCH", "left", today),
        (officer.staff_number, "retired", tomorrow),
    )
    response = call(token, "post", "/people/changes", body, **{"Idempotency-Key": "hr-key-000002"})
    assert response.status_code == 422
    messages = {e["line"]: e["message"] for e in response.json()["errors"]}
    assert "no officer has staff number 'NOSUCH'" in messages[2]
    assert "appears twice" in messages[3] and "the date is in the future" in messages[3]
    assert _state() == before
    assert not IdempotentWrite.objects.exists()
    # Corrected, the same key is accepted.
    fixed = call(
        token,
        "post",
        "/people/changes",
        _changes((officer.staff_number, "left", today)),
        **{"Idempotency-Key": "hr-key-000002"},
    )
    assert fixed.status_code == 200


def test_the_hr_feed_needs_an_administrator_as_owner(call, make_client, press_officer, officer):
    _, token = make_client(press_officer, [Scope.WRITE_PEOPLE])
    before = _state()
    response = call(
        token,
        "post",
        "/people/changes",
        _changes((officer.staff_number, "left", timezone.localdate().isoformat())),
        **{"Idempotency-Key": "hr-key-000003"},
    )
    assert response.status_code == 403
    assert _state() == before
    assert not IdempotentWrite.objects.exists()


def test_a_write_without_a_key_is_refused(call, hr, officer):
    _, token = hr
    response = call(
        token, "post", "/people/changes", _changes((officer.staff_number, "left", "2026-01-01"))
    )
    assert response.status_code == 422
    assert Officer.objects.get(pk=officer.pk).status == Officer.Status.SERVING


def test_a_tool_reports_activity_through_the_imports_checks(call, make_client, press_officer):
    account = SocialAccountFactory(handle="StechfordCops")
    client, token = make_client(press_officer, [Scope.WRITE_ACTIVITY], name="Orlo")
    posted = timezone.now() - datetime.timedelta(days=3)
    body = {
        "observations": [
            {
                "platform": "x",
                "handle": "@stechfordcops",
                "last_post_at": posted.isoformat(),
                "followers": 1200,
            }
        ]
    }
    response = call(token, "post", "/activity", body, **{"Idempotency-Key": "orlo-0000001"})
    assert response.status_code == 200, response.content
    assert response.json() == {"written": 1, "replayed": False}
    account.refresh_from_db()
    assert account.followers == 1200 and account.last_post_at == posted
    observation = ActivityObservation.objects.get(account=account)
    assert observation.recorded_by == press_officer.user
    event = AuditEvent.objects.get(action="socialaccount.activity_reported")
    assert event.actor_label.startswith(f"API client Orlo (#{client.pk}) for ")
    assert event.object_id == str(account.pk)
    assert call(token, "post", "/activity", body, **{"Idempotency-Key": "orlo-0000001"}).json()[
        "replayed"
    ]
    assert ActivityObservation.objects.filter(account=account).count() == 1


def test_activity_for_an_unknown_handle_keeps_nothing(call, make_client, press_officer):
    account = SocialAccountFactory(handle="Known")
    _, token = make_client(press_officer, [Scope.WRITE_ACTIVITY])
    now = timezone.now().isoformat()
    body = {
        "observations": [
            {"platform": "x", "handle": "Known", "last_post_at": now},
            {"platform": "x", "handle": "Unknown", "last_post_at": now},
        ]
    }
    response = call(token, "post", "/activity", body, **{"Idempotency-Key": "orlo-0000002"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["line"] == 2
    assert not ActivityObservation.objects.filter(account=account).exists()


def test_activity_needs_an_owner_who_may_import_activity(call, make_client, officer):
    account = SocialAccountFactory(owner=officer)
    _, token = make_client(officer, [Scope.WRITE_ACTIVITY])
    body = {
        "observations": [
            {"platform": "x", "handle": account.handle, "last_post_at": timezone.now().isoformat()}
        ]
    }
    response = call(token, "post", "/activity", body, **{"Idempotency-Key": "orlo-0000003"})
    assert response.status_code == 403
    assert not ActivityObservation.objects.exists()


def test_a_client_reports_an_incident_as_its_owner(call, make_client, officer):
    account = SocialAccountFactory(handle="HackedCops")
    client, token = make_client(officer, [Scope.REPORT_INCIDENT], name="Phish button")
    body = {
        "platform": "x",
        "handle": "hackedcops",
        "what_happened": "Odd DMs sent",
        "noticed_at": timezone.now().isoformat(),
        "link_clicked": "no",
    }
    response = call(token, "post", "/incidents", body)
    assert response.status_code == 200, response.content
    assert response.json()["opened"] is True
    incident = account.incidents.get()
    assert incident.reported_by == officer.user
    opened = AuditEvent.objects.filter(object_type="incidents.incident").first()
    assert opened.actor_label.startswith(f"API client Phish button (#{client.pk}) for ")
    assert call(token, "post", "/incidents", body).json() == {
        "incident_id": incident.pk,
        "opened": False,
    }


def test_an_auditor_owned_client_cannot_report_an_incident(call, make_client, auditor):
    SocialAccountFactory(handle="Quiet")
    _, token = make_client(auditor, [Scope.REPORT_INCIDENT])
    body = {
        "platform": "x",
        "handle": "Quiet",
        "what_happened": "x",
        "noticed_at": timezone.now().isoformat(),
        "link_clicked": "no",
    }
    assert call(token, "post", "/incidents", body).status_code == 403
    assert not AuditEvent.objects.filter(object_type="incidents.incident").exists()


def test_a_feed_takes_its_token_without_a_csrf_cookie(hr, officer):
    """Integrations send no cookies: the bearer token is the whole of their credentials."""
    from django.test import Client

    _, token = hr
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/people/changes",
        _changes((officer.staff_number, "moved", timezone.localdate().isoformat())),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "hr-key-000009"},
    )
    assert response.status_code == 200, response.content
    assert Officer.objects.get(pk=officer.pk).status == Officer.Status.MOVED
