"""API clients: tokens kept only as digests, scopes (403), expiry and revocation (401), the
administrators' page, audited."""

import datetime
import hashlib

import pytest
import time_machine
from django.utils import timezone

from api.models import ApiClient, Scope
from api.services import ApiClientError, api_client_create, api_client_revoke
from audit.models import AuditEvent
from tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


def test_the_token_is_kept_only_as_its_digest_and_the_creation_is_audited(
    make_client, press_officer, administrator
):
    client, token = make_client(press_officer, [Scope.READ_REGISTER])
    client.refresh_from_db()
    assert token.startswith(f"smp_{client.token_prefix}_")
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ApiClient.objects.filter(pk=client.pk).values().get())
    event = AuditEvent.objects.get(action="api_client.created")
    assert event.actor == administrator.user
    assert event.changes["scopes"] == [None, ["register:read"]]
    assert token not in str(event.changes) and client.token_hash not in str(event.changes)


def test_only_an_administrator_creates_or_revokes_a_client(press_officer, make_client):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        api_client_create(
            actor=press_officer.user,
            name="Mine",
            owner=press_officer.user,
            scopes=[Scope.READ_REGISTER],
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )
    client, _ = make_client(press_officer)
    with pytest.raises(PermissionDenied):
        api_client_revoke(actor=press_officer.user, client_id=client.pk, reason="no")
    assert ApiClient.objects.get(pk=client.pk).revoked_at is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scopes": []}, "scope"),
        ({"scopes": ["everything"]}, "scope"),
        ({"expires_at": timezone.now() - datetime.timedelta(seconds=1)}, "future"),
        ({"name": "  "}, "name"),
    ],
)
def test_a_client_needs_a_name_known_scopes_and_a_future_expiry(
    administrator, press_officer, kwargs, message
):
    args = {
        "actor": administrator.user,
        "name": "Orlo",
        "owner": press_officer.user,
        "scopes": [Scope.READ_REGISTER],
        "expires_at": timezone.now() + datetime.timedelta(days=1),
    } | kwargs
    with pytest.raises(ApiClientError, match=message):
        api_client_create(**args)
    assert not ApiClient.objects.exists()


def test_no_token_or_a_wrong_one_is_401(call, make_client, press_officer):
    _, token = make_client(press_officer)
    assert call(None, "get", "/accounts").status_code == 401
    assert call("smp_nothing_here", "get", "/accounts").status_code == 401
    assert (
        call(token[:-1] + ("A" if token[-1] != "A" else "B"), "get", "/accounts").status_code == 401
    )
    assert call(token, "get", "/accounts").status_code == 200


def test_a_token_without_the_scope_is_403(call, make_client, press_officer):
    _, token = make_client(press_officer, [Scope.READ_CASES])
    account = SocialAccountFactory()
    for method, path, body in [
        ("get", "/accounts", None),
        ("get", f"/accounts/{account.pk}", None),
        ("get", "/incidents", None),
        ("get", "/reports/figures", None),
        ("get", "/audit/stream", None),
        (
            "post",
            "/activity",
            {
                "observations": [
                    {
                        "platform": "x",
                        "handle": account.handle,
                        "last_post_at": timezone.now().isoformat(),
                    }
                ]
            },
        ),
    ]:
        headers = {"Idempotency-Key": "key-12345678"} if method == "post" else {}
        response = call(token, method, path, body, **headers)
        assert response.status_code == 403, (path, response.content)
    assert call(token, "get", "/cases").status_code == 200
    assert not account.observations.exists()


def test_an_expired_token_is_401(call, make_client, press_officer):
    _, token = make_client(press_officer, days=1)
    assert call(token, "get", "/accounts").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, seconds=1)):
        assert call(token, "get", "/accounts").status_code == 401


def test_revoking_stops_the_client_at_once_and_is_audited(
    call, make_client, press_officer, administrator
):
    client, token = make_client(press_officer)
    assert call(token, "get", "/accounts").status_code == 200
    api_client_revoke(actor=administrator.user, client_id=client.pk, reason="Contract ended")
    assert call(token, "get", "/accounts").status_code == 401
    event = AuditEvent.objects.get(action="api_client.revoked")
    assert (event.actor, event.reason, event.object_id) == (
        administrator.user,
        "Contract ended",
        str(client.pk),
    )


def test_a_client_whose_owner_left_is_401(call, make_client, press_officer):
    _, token = make_client(press_officer)
    press_officer.user.is_active = False
    press_officer.user.save()
    assert call(token, "get", "/accounts").status_code == 401


def test_each_client_is_throttled_on_its_own(call, make_client, press_officer, monkeypatch):
    from api.v1 import THROTTLE

    monkeypatch.setattr(THROTTLE, "num_requests", 2)
    _, first = make_client(press_officer, name="One")
    _, second = make_client(press_officer, name="Two")
    assert [call(first, "get", "/cases").status_code for _ in range(3)] == [200, 200, 429]
    assert call(second, "get", "/cases").status_code == 200


# The administrators' page ----------------------------------------------------------------------


def test_the_page_creates_a_client_shows_its_token_once_and_revokes_it(
    login, administrator, press_officer
):
    client = login(administrator)
    assert client.get("/api/clients/").status_code == 200
    response = client.post(
        "/api/clients/new/",
        {
            "name": "Orlo",
            "owner": press_officer.user.username,
            "scopes": [Scope.READ_REGISTER, Scope.WRITE_ACTIVITY],
            "expires_on": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 200
    api_client = ApiClient.objects.get(name="Orlo")
    token = response.context["token"]
    assert hashlib.sha256(token.encode()).hexdigest() == api_client.token_hash
    assert token in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert token not in client.get("/api/clients/").content.decode()
    assert api_client.scopes == ["register:read", "activity:write"]

    response = client.post(f"/api/clients/{api_client.pk}/revoke/", {"reason": "Replaced"})
    assert response.status_code == 302
    api_client.refresh_from_db()
    assert api_client.revoked_at is not None
    assert list(
        AuditEvent.objects.filter(object_id=str(api_client.pk)).values_list("action", flat=True)
    ) == ["api_client.created", "api_client.revoked"]


def test_the_page_refuses_a_bad_form_and_keeps_nothing(login, administrator):
    client = login(administrator)
    response = client.post(
        "/api/clients/new/",
        {"name": "X", "owner": "nobody-at-all", "scopes": [], "expires_on": "2001-01-01"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"owner", "scopes", "expires_on"}
    assert not ApiClient.objects.exists()


def test_the_page_is_for_administrators_only(login, press_officer):
    client = login(press_officer)
    assert client.get("/api/clients/").status_code == 403
    assert client.post("/api/clients/new/", {"name": "x"}).status_code == 403
    assert not ApiClient.objects.exists()
