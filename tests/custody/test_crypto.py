"""AES-GCM sealing, the key ring, and re-encryption under a new key."""

import base64
import io
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from audit.models import AuditEvent
from audit.selectors import verify_chain
from custody import crypto
from custody.models import Credential
from custody.services import credential_reveal
from notifications.chat import unseal_url
from notifications.services import chat_channel_create
from tests.factories import CredentialFactory, SocialAccountFactory

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()


def test_seal_and_unseal_round_trip_with_fresh_nonces():
    first = crypto.seal(b"secret", account_id=7)
    second = crypto.seal(b"secret", account_id=7)
    assert first.nonce != second.nonce and first.ciphertext != second.ciphertext
    assert len(first.nonce) == 12
    assert b"secret" not in first.ciphertext
    assert crypto.unseal(first, account_id=7) == b"secret"


def test_ciphertext_is_bound_to_its_account():
    sealed = crypto.seal(b"secret", account_id=7)
    with pytest.raises(crypto.CredentialDecryptionError):
        crypto.unseal(sealed, account_id=8)


def test_tampered_ciphertext_does_not_decrypt():
    sealed = crypto.seal(b"secret", account_id=7)
    flipped = bytes([sealed.ciphertext[0] ^ 1]) + sealed.ciphertext[1:]
    with pytest.raises(crypto.CredentialDecryptionError):
        crypto.unseal(crypto.Sealed(sealed.key_id, sealed.nonce, flipped), account_id=7)


def test_unknown_key_id_is_reported():
    sealed = crypto.seal(b"secret", account_id=7)
    with (
        override_settings(CREDENTIAL_KEYS=NEW),
        pytest.raises(crypto.CredentialDecryptionError, match="not in CREDENTIAL_KEYS"),
    ):
        crypto.unseal(sealed, account_id=7)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "at least one key"),
        ("nokey", "kid:base64key"),
        ("k:not base64!", "not base64"),
        ("k:" + base64.b64encode(b"short").decode(), "32 bytes"),
        (f"{NEW},{NEW}", "appears twice"),
    ],
)
def test_key_ring_rejects_bad_configuration(raw, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.parse_key_ring(raw)


def test_first_key_is_current():
    with override_settings(CREDENTIAL_KEYS=f"{NEW},{OLD}"):
        assert crypto.current_key_id() == "new"
        assert crypto.seal(b"x", account_id=1).key_id == "new"


@pytest.mark.django_db
def test_rotate_command_reencrypts_everything_under_the_new_key(officer, press_officer):
    with override_settings(CREDENTIAL_KEYS=OLD):
        accounts = [SocialAccountFactory(owner=officer) for _ in range(3)]
        for n, account in enumerate(accounts):
            CredentialFactory(account=account, password=f"rotate-me-{n}")
        hook = "https://x.webhook.office.com/webhookb2/rotate-me"
        channel = chat_channel_create(name="Alerts", url=hook)
    assert set(Credential.objects.values_list("key_id", flat=True)) == {"old"}

    out = io.StringIO()
    with override_settings(CREDENTIAL_KEYS=f"{NEW},{OLD}"):
        call_command("rotate_credential_key", stdout=out)
        assert "Re-encrypted 3 credential(s) under key 'new'; 0 left" in out.getvalue()
        assert "Re-encrypted 1 chat channel address(es)" in out.getvalue()
        again = io.StringIO()
        call_command("rotate_credential_key", stdout=again)  # nothing left to do
        assert "Re-encrypted 0 credential(s)" in again.getvalue()
    assert set(Credential.objects.values_list("key_id", flat=True)) == {"new"}
    assert AuditEvent.objects.filter(action="credential.reencrypted").count() == 3
    assert verify_chain()[1] is None

    assert AuditEvent.objects.filter(action="chat_channel.reencrypted").count() == 1
    # The old key can now be retired: everything still reveals under the new key alone.
    with override_settings(CREDENTIAL_KEYS=NEW):
        channel.refresh_from_db()
        assert channel.key_id == "new" and unseal_url(channel) == hook
        for n, account in enumerate(accounts):
            secret = credential_reveal(
                actor=press_officer.user,
                account=account,
                reason="check after rotation",
                reauthenticated_at=time.time(),
            )
            assert secret["password"] == f"rotate-me-{n}"
