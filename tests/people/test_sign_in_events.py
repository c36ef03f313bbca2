"""Sign-in events in the hash-chained audit trail: signing in and out, wrong passwords (a name
that is no login recorded as typed, cut short), locks, slow-downs, second factors added, renewed,
removed and reset, wrong codes. Never a password or a code."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from audit.selectors import verify_chain
from people import services
from people.roles import Role
from tests.factories import PASSWORD, OfficerFactory
from tests.mfa import enrol, pass_second_factor, recovery_codes, sign_in, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.real_second_factor]


def _events(action=None):
    events = AuditEvent.objects.order_by("sequence")
    return list(events.filter(action=action) if action else events)


def _only(action):
    events = _events(action)
    assert len(events) == 1, [str(e) for e in _events()]
    return events[0]


def _about(event, user):
    return (event.object_type, event.object_id) == ("auth.user", str(user.pk))


@pytest.fixture(autouse=True)
def _chain_holds():
    yield
    _checked, broken, why = verify_chain()
    assert broken is None, why
    secrets = [PASSWORD, "wrong-Pa55word!", "Pa55word-for-nobody"]
    for event in _events():
        text = f"{event.changes} {event.reason} {event.object_repr}"
        assert not any(secret in text for secret in secrets), event


def test_signing_in_and_out_with_a_password(client, officer):
    response = client.post(
        reverse("login"),
        {"login": officer.user.username, "password": PASSWORD},
        REMOTE_ADDR="10.9.8.7",
        HTTP_USER_AGENT="Firefox on the station PC",
    )
    assert response.status_code == 302
    event = _only("sign_in.succeeded")
    assert _about(event, officer.user) and event.actor == officer.user
    assert event.changes["methods"] == ["password"]
    assert event.changes["address"] == "10.9.8.7"
    assert event.changes["user_agent"] == "Firefox on the station PC"
    client.post(reverse("logout"))
    event = _only("sign_out")
    assert _about(event, officer.user) and event.actor == officer.user


def test_signing_in_with_a_code_records_both_steps(client, press_officer):
    enrol(press_officer.user)
    sign_in(client, press_officer.user.username)
    assert _only("sign_in.succeeded").changes["methods"] == ["password", "mfa"]


def test_a_wrong_password_is_recorded_against_the_login_without_the_password(client, officer):
    client.post(reverse("login"), {"login": officer.user.username, "password": "wrong-Pa55word!"})
    event = _only("sign_in.failed")
    assert _about(event, officer.user)
    assert event.actor is None and event.actor_label == "system"  # nobody signed in yet
    assert "attempted_login" not in event.changes


def test_a_name_that_is_no_login_is_recorded_as_typed_and_cut_short(client):
    name = "chief.constable.of.somewhere.else@example.invalid.long"
    client.post(reverse("login"), {"login": name, "password": "Pa55word-for-nobody"})
    event = _only("sign_in.failed")
    assert (event.object_type, event.object_id) == ("auth.user", "0")
    assert event.changes["attempted_login"] == name[:40]
    assert event.object_repr == f"{name[:40]} (no such login)"


def test_a_lockout_and_a_slowed_address_are_recorded_once(client, officer, settings):
    for _ in range(6):
        client.post(reverse("login"), {"login": officer.user.username, "password": "x"})
    assert len(_events("sign_in.failed")) == 5  # the sixth was refused before any check
    event = _only("sign_in.locked_out")
    assert _about(event, officer.user) and "5 wrong passwords" in event.reason
    settings.LOGIN_ADDRESS_SLOW_AFTER = 8
    for n in range(4):
        client.post(reverse("login"), {"login": f"guess{n}", "password": "x"})
    event = _only("sign_in.address_slowed")
    assert event.changes["attempted_login"] == "guess2"


def test_setting_up_renewing_and_removing_a_second_factor(
    client, officer, django_capture_on_commit_callbacks
):
    sign_in(client, officer.user.username)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    added = _events("second_factor.added")
    assert [e.changes["type"] for e in added] == ["totp", "recovery_codes"]
    assert all(_about(e, officer.user) and e.actor == officer.user for e in added)
    assert secret not in str([e.changes for e in _events()])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_generate_recovery_codes"))
    assert _only("second_factor.renewed").changes["type"] == "recovery_codes"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_deactivate_totp"))
    removed = _events("second_factor.removed")
    assert sorted(e.changes["type"] for e in removed) == ["recovery_codes", "totp"]


def test_a_wrong_code_and_a_locked_code_form_are_recorded(client, press_officer):
    enrol(press_officer.user)
    client.post(reverse("login"), {"login": press_officer.user.username, "password": PASSWORD})
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    refused = _events("second_factor.code_refused")
    assert len(refused) == 5 and refused[0].changes["when"] == "sign-in"
    assert _about(_only("second_factor.locked_out"), press_officer.user)


def test_an_administrator_resets_a_second_factor_audited_and_ends_their_sessions(
    client, press_officer
):
    admin = OfficerFactory(rank="staff", roles=[Role.ADMINISTRATOR])
    enrol(press_officer.user)
    client.force_login(press_officer.user)
    pass_second_factor(client, press_officer.user)
    assert client.get("/").status_code == 200
    codes = recovery_codes(press_officer.user)
    assert services.second_factor_reset(
        actor=admin.user, user=press_officer.user, reason="Lost phone"
    ) == ["recovery_codes", "totp"]
    event = _only("second_factor.reset")
    assert _about(event, press_officer.user) and event.actor == admin.user
    assert event.changes["sessions_ended"] == [None, 1] and event.reason == "Lost phone"
    assert codes[0] not in str(event.changes)
    assert client.get("/").status_code == 302  # signed out
    with pytest.raises(PermissionDenied):
        services.second_factor_reset(actor=admin.user, user=admin.user)
    with pytest.raises(PermissionDenied):
        services.second_factor_reset(actor=press_officer.user, user=admin.user)
