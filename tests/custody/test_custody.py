"""Credential custody: who may lodge, rotate and reveal; fresh re-authentication; one audit
record per reveal; the page sent with no-store."""

import time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from custody.models import Credential
from custody.selectors import accounts_needing_credentials
from custody.services import (
    CustodyError,
    ReauthenticationRequired,
    credential_lodge,
    credential_reveal,
    credential_rotate,
)
from custody.views import REAUTH_SESSION_KEY
from tests.factories import PASSWORD, CredentialFactory, SocialAccountFactory
from tests.mfa import totp_code

pytestmark = pytest.mark.django_db


def _reveals(account):
    return AuditEvent.objects.filter(
        action="credential.revealed", object_type="accounts.socialaccount", object_id=account.pk
    )


def _confirm_password(client, account, step=0):
    """The press office confirms with their password and, having a second factor (every press
    officer does), the code their authenticator app shows."""
    return client.post(
        reverse("custody:reauth"),
        {
            "password": PASSWORD,
            "code": totp_code(step=step),
            "next": reverse("custody:reveal", args=[account.pk]),
        },
    )


# Lodging ------------------------------------------------------------------------------------


def test_owner_lodges_credentials_sealed_and_audited_without_the_secret(officer):
    account = SocialAccountFactory(owner=officer)
    credential = credential_lodge(
        actor=officer.user, account=account, login="pc@police.example", password="Hunter2-Long!"
    )
    credential.refresh_from_db()
    assert credential.key_id == "dev"
    assert b"Hunter2-Long!" not in bytes(credential.ciphertext)
    event = AuditEvent.objects.get(action="credential.lodged", object_id=account.pk)
    assert event.actor == officer.user
    assert "Hunter2" not in str(event.changes) + event.reason
    assert "credentials_lodged_at" in event.changes
    assert len(mail.outbox) == 0  # sent on commit; the press office row exists
    from notifications.models import Notification

    note = Notification.objects.get(kind="credential_lodged")
    assert "Hunter2" not in note.body


def test_lodging_again_replaces_and_is_recorded_as_a_replacement(officer):
    account = SocialAccountFactory(owner=officer)
    credential_lodge(actor=officer.user, account=account, login="a", password="first-password")
    credential_lodge(actor=officer.user, account=account, login="a", password="second-password")
    assert Credential.objects.filter(account=account).count() == 1
    assert AuditEvent.objects.filter(action="credential.replaced", object_id=account.pk).exists()


def test_another_officer_and_the_supervisor_cannot_lodge(officer, supervisor, other_officer):
    account = SocialAccountFactory(owner=officer)
    for person in (other_officer, supervisor):
        with pytest.raises(CustodyError):
            credential_lodge(actor=person.user, account=account, login="a", password="b")
    assert not Credential.objects.exists()


def test_press_office_lodges_through_the_page(login, press_officer, officer):
    account = SocialAccountFactory(owner=officer)
    client = login(press_officer)
    response = client.post(
        reverse("custody:lodge", args=[account.pk]),
        {"login": "wmp@police.example", "password": "Press-Lodged-9", "notes": ""},
    )
    assert response.status_code == 302
    assert Credential.objects.get(account=account).lodged_by == press_officer.user


def test_form_errors_never_echo_what_was_typed(login, officer):
    account = SocialAccountFactory(owner=officer)
    response = login(officer).post(
        reverse("custody:lodge", args=[account.pk]),
        {"login": "echo-login-7731", "password": "", "notes": "echo-notes-7731"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "echo-login-7731" not in html and "echo-notes-7731" not in html
    assert "no-store" in response["Cache-Control"]


def test_other_team_cannot_reach_the_lodge_page(login, other_officer, officer):
    account = SocialAccountFactory(owner=officer)
    assert login(other_officer).get(reverse("custody:lodge", args=[account.pk])).status_code == 404


# Rotating -----------------------------------------------------------------------------------


def test_only_press_office_rotates(officer, press_officer):
    account = SocialAccountFactory(owner=officer)
    CredentialFactory(account=account)
    with pytest.raises(CustodyError):
        credential_rotate(
            actor=officer.user, account=account, login="a", password="b", reason="handover"
        )
    credential_rotate(
        actor=press_officer.user,
        account=account,
        login="a",
        password="Rotated-Quill-58-Zephyr",
        reason="handover",
    )
    event = AuditEvent.objects.get(action="credential.rotated", object_id=account.pk)
    assert event.reason == "handover"
    assert event.actor == press_officer.user


# Revealing ----------------------------------------------------------------------------------


def test_non_press_office_cannot_reveal(officer, supervisor, auditor):
    account = SocialAccountFactory(owner=officer)
    CredentialFactory(account=account)
    for person in (officer, supervisor, auditor):
        with pytest.raises(CustodyError):
            credential_reveal(
                actor=person.user, account=account, reason="curious", reauthenticated_at=time.time()
            )
    assert not _reveals(account).exists()


def test_owner_and_auditor_get_403_on_the_reveal_page(login, client, officer, auditor):
    account = SocialAccountFactory(owner=officer)
    CredentialFactory(account=account)
    url = reverse("custody:reveal", args=[account.pk])
    assert login(officer).post(url, {"reason": "x"}).status_code == 403
    client.logout()
    assert login(auditor).post(url, {"reason": "x"}).status_code == 403
    assert not _reveals(account).exists()


def test_reveal_without_fresh_reauthentication_is_refused(press_officer, officer):
    account = SocialAccountFactory(owner=officer)
    CredentialFactory(account=account)
    for stamp in (None, time.time() - 301, time.time() + 60):
        with pytest.raises(ReauthenticationRequired):
            credential_reveal(
                actor=press_officer.user, account=account, reason="appeal", reauthenticated_at=stamp
            )
    assert not _reveals(account).exists()


def test_reveal_page_sends_you_to_confirm_your_password_first(login, press_officer, officer):
    account = SocialAccountFactory(owner=officer)
    cred = CredentialFactory(account=account, password="Never-Shown-123")
    client = login(press_officer)
    response = client.post(reverse("custody:reveal", args=[account.pk]), {"reason": "appeal"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("custody:reauth"))
    assert not _reveals(account).exists()
    assert cred.pk  # the credential is untouched


def test_reauthentication_goes_stale_after_five_minutes(login, press_officer, officer):
    account = SocialAccountFactory(owner=officer)
    CredentialFactory(account=account)
    client = login(press_officer)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _confirm_password(client, account)
        traveller.shift(301)
        response = client.post(reverse("custody:reveal", args=[account.pk]), {"reason": "appeal"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("custody:reauth"))
    assert not _reveals(account).exists()


def test_wrong_password_does_not_confirm(login, press_officer, officer):
    account = SocialAccountFactory(owner=officer)
    client = login(press_officer)
    response = client.post(reverse("custody:reauth"), {"password": "not-my-password"})
    assert response.status_code == 200
    assert "The password is not right" in response.content.decode()
    assert REAUTH_SESSION_KEY not in client.session
    assert account.pk


def test_confirming_asks_the_press_office_for_their_code_as_well(login, press_officer, officer):
    """The re-authentication before a reveal is the password and the second factor."""
    account = SocialAccountFactory(owner=officer)
    client = login(press_officer)
    page = client.get(reverse("custody:reauth")).content.decode()
    assert 'name="password"' in page and 'name="code"' in page
    response = client.post(reverse("custody:reauth"), {"password": PASSWORD})
    assert "Enter the code from your authenticator app" in response.content.decode()
    response = client.post(reverse("custody:reauth"), {"password": PASSWORD, "code": "000000"})
    assert "The code is not right" in response.content.decode()
    response = client.post(
        reverse("custody:reauth"), {"password": "not-my-password", "code": totp_code()}
    )
    assert "The password is not right" in response.content.decode()
    assert REAUTH_SESSION_KEY not in client.session
    assert _confirm_password(client, account, step=1).status_code == 302
    assert REAUTH_SESSION_KEY in client.session
    # A code is good once: the same one cannot confirm again.
    response = _confirm_password(client, account, step=1)
    assert response.status_code == 200 and "The code is not right" in response.content.decode()


def test_a_recovery_code_confirms_a_reveal_once(login, press_officer, officer):
    from tests.mfa import recovery_codes

    account = SocialAccountFactory(owner=officer)
    CredentialFactory(account=account, password="Reveal-Me-7!")
    client = login(press_officer)
    code = recovery_codes(press_officer.user)[0]
    response = client.post(reverse("custody:reauth"), {"password": PASSWORD, "code": code})
    assert response.status_code == 302
    response = client.post(reverse("custody:reveal", args=[account.pk]), {"reason": "appeal"})
    assert "Reveal-Me-7!" in response.content.decode()
    assert code not in recovery_codes(press_officer.user)


def test_fresh_reveal_shows_the_secret_once_with_no_store_and_one_audit_record(
    login, press_officer, officer
):
    account = SocialAccountFactory(owner=officer)
    CredentialFactory(account=account, login="stechford@police.example", password="Reveal-Me-42!")
    client = login(press_officer)
    response = _confirm_password(client, account)
    assert response.status_code == 302
    assert response["Location"] == reverse("custody:reveal", args=[account.pk])
    form = client.get(reverse("custody:reveal", args=[account.pk]))
    assert "Reveal-Me-42!" not in form.content.decode()
    assert not _reveals(account).exists()

    response = client.post(
        reverse("custody:reveal", args=[account.pk]), {"reason": "Missing person appeal"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Reveal-Me-42!" in html and "stechford@police.example" in html
    assert "no-store" in response["Cache-Control"]
    events = list(_reveals(account))
    assert len(events) == 1
    event = events[0]
    assert event.actor == press_officer.user
    assert event.reason == "Missing person appeal"
    assert "Reveal-Me-42" not in str(event.changes)
    assert event.object_repr == str(account)


def test_each_reveal_is_its_own_record(press_officer, officer):
    account = SocialAccountFactory(owner=officer)
    CredentialFactory(account=account, password="Twice-Read-1")
    now = time.time()
    for reason in ("first", "second"):
        secret = credential_reveal(
            actor=press_officer.user, account=account, reason=reason, reauthenticated_at=now
        )
        assert secret["password"] == "Twice-Read-1"
    assert list(_reveals(account).values_list("reason", flat=True)) == ["first", "second"]


def test_reveal_needs_a_reason(press_officer, officer):
    account = SocialAccountFactory(owner=officer)
    CredentialFactory(account=account)
    with pytest.raises(CustodyError, match="reason"):
        credential_reveal(
            actor=press_officer.user, account=account, reason="  ", reauthenticated_at=time.time()
        )
    assert not _reveals(account).exists()


def test_ciphertext_moved_to_another_account_does_not_decrypt(press_officer, officer):
    first = SocialAccountFactory(owner=officer)
    second = SocialAccountFactory(owner=officer)
    source = CredentialFactory(account=first)
    CredentialFactory(
        account=second,
        key_id=source.key_id,
        nonce=bytes(source.nonce),
        ciphertext=bytes(source.ciphertext),
    )
    with pytest.raises(CustodyError, match="cannot be decrypted"):
        credential_reveal(
            actor=press_officer.user, account=second, reason="x", reauthenticated_at=time.time()
        )
    assert not _reveals(second).exists()


# Accounts needing credentials -----------------------------------------------------------------


def test_needing_credentials_lists_missing_and_stale_not_current_or_closed(officer):
    missing = SocialAccountFactory(owner=officer)
    current = SocialAccountFactory(owner=officer)
    CredentialFactory(account=current)
    stale = SocialAccountFactory(owner=officer)
    CredentialFactory(account=stale, lodged_at=timezone.now() - timezone.timedelta(days=3))
    stale.credentials_required_since = timezone.now() - timezone.timedelta(days=1)
    stale.save()
    SocialAccountFactory(owner=officer, status="closed")
    assert set(accounts_needing_credentials()) == {missing, stale}


def test_needing_credentials_page_is_for_the_press_office(login, client, officer, press_officer):
    account = SocialAccountFactory(owner=officer)
    assert login(officer).get(reverse("custody:needed")).status_code == 403
    client.logout()
    html = login(press_officer).get(reverse("custody:needed")).content.decode()
    assert f"@{account.handle}" in html
    assert "Never lodged" in html


def test_requiring_new_credentials_puts_the_account_on_the_list_until_relodged(
    officer, press_officer
):
    from custody.services import credentials_require_new
    from notifications.models import Notification

    account = SocialAccountFactory(owner=officer)
    with time_machine.travel(timezone.now() - timezone.timedelta(days=2)):
        credential_lodge(
            actor=officer.user, account=account, login="a", password="Old-Lantern-Orbit-31"
        )
    assert account not in accounts_needing_credentials()

    credentials_require_new(actor=press_officer.user, account=account, reason="the handover")
    assert account in accounts_needing_credentials()
    event = AuditEvent.objects.get(action="credential.new_lodging_required")
    assert event.reason == "the handover" and event.actor == press_officer.user
    assert Notification.objects.get(kind="credential_relodge").recipient == officer.user

    credential_lodge(
        actor=officer.user, account=account, login="a", password="New-Compass-Tundra-64"
    )
    assert account not in accounts_needing_credentials()
