"""Lodging, rotating and revealing an account's login details. The plaintext exists only in the
arguments of `credential_lodge`/`credential_rotate` and the return value of
`credential_reveal`; each is marked sensitive so Django's error reports leave it out, and none
writes it to a log, a notification or the audit trail."""

import json
import time

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import SocialAccount
from audit.services import audit_record
from core.errors import DomainError
from custody import crypto
from custody.models import Credential
from custody.strength import weakness
from notifications.services import notify


class CustodyError(DomainError):
    """A custody action the rules do not allow (the view shows the message)."""


class WeakPassword(CustodyError):
    """The password fails the guidance's strength rule; the message says why without repeating
    it, and belongs next to the password field."""

    field = "password"


class ReauthenticationRequired(CustodyError):
    """The person has not re-entered their password within REAUTH_MAX_AGE seconds."""


def _require(actor, perm: str, obj=None) -> None:
    if not actor.has_perm(perm, obj):
        raise CustodyError("You do not have permission to do that.")


def reauth_is_fresh(reauthenticated_at: float | None, now: float | None = None) -> bool:
    if not reauthenticated_at:
        return False
    age = (now or time.time()) - float(reauthenticated_at)
    return 0 <= age <= settings.REAUTH_MAX_AGE


@sensitive_variables()
def _seal(account_id: int, login: str, password: str, notes: str) -> crypto.Sealed:
    payload = json.dumps({"login": login, "password": password, "notes": notes}).encode()
    return crypto.seal(payload, account_id=account_id)


@sensitive_variables()
def _store(
    *, actor, account: SocialAccount, login: str, password: str, notes: str, action: str, reason=""
) -> Credential:
    if not login.strip() or not password:
        raise CustodyError("Enter both the login (username or e-mail) and the password.")
    if reason_weak := weakness(password, account=account):
        raise WeakPassword(reason_weak)
    now = timezone.now()
    sealed = _seal(account.pk, login.strip(), password, notes.strip())
    credential = Credential.objects.select_for_update().filter(account=account).first()
    before = (
        {"lodged_at": credential.lodged_at.isoformat(), "key_id": credential.key_id}
        if credential
        else {"lodged_at": None, "key_id": None}
    )
    if credential is None:
        credential = Credential(account=account)
    credential.key_id = sealed.key_id
    credential.nonce = sealed.nonce
    credential.ciphertext = sealed.ciphertext
    credential.lodged_by = actor
    credential.lodged_at = now
    credential.encrypted_at = now
    credential.save()
    audit_record(
        actor=actor,
        action=action,
        obj=account,
        changes={
            "credentials_lodged_at": [before["lodged_at"], now.isoformat()],
            "credentials_key_id": [before["key_id"], sealed.key_id],
        },
        reason=reason,
    )
    return credential


@sensitive_variables("login", "password", "notes")
def credential_lodge(
    *, actor, account: SocialAccount, login: str, password: str, notes: str = ""
) -> Credential:
    """The owner or the press office lodges the account's login details (replacing any)."""
    _require(actor, "custody.lodge_credential", account)
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update().get(pk=account.pk)
        if account.status == SocialAccount.Status.CLOSED:
            raise CustodyError("This account is closed; its login details are no longer kept.")
        replacing = Credential.objects.filter(account=account).exists()
        credential = _store(
            actor=actor,
            account=account,
            login=login,
            password=password,
            notes=notes,
            action="credential.replaced" if replacing else "credential.lodged",
        )
        notify(
            actor=actor,
            recipients=[settings.PRESS_OFFICE_EMAIL],
            kind="credential_lodged",
            context={"account": account},
            link=reverse("accounts:detail", args=[account.pk]),
        )
    return credential


@sensitive_variables("login", "password", "notes")
def credential_rotate(
    *, actor, account: SocialAccount, login: str, password: str, notes: str = "", reason: str
) -> Credential:
    """The press office records new login details after changing the password on the
    platform (for example after a handover or an incident)."""
    _require(actor, "custody.rotate_credential", account)
    if not reason.strip():
        raise CustodyError("Give the reason for changing the login details.")
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update().get(pk=account.pk)
        if not Credential.objects.filter(account=account).exists():
            raise CustodyError("No login details are lodged for this account yet; lodge them.")
        credential = _store(
            actor=actor,
            account=account,
            login=login,
            password=password,
            notes=notes,
            action="credential.rotated",
            reason=reason,
        )
        notify(
            actor=actor,
            recipients=[account.owner.user],
            kind="credential_rotated",
            context={"account": account},
            link=reverse("accounts:detail", args=[account.pk]),
        )
    return credential


@sensitive_variables("plaintext", "secret", "sealed")
def credential_reveal(
    *, actor, account: SocialAccount, reason: str, reauthenticated_at: float | None
) -> dict:
    """The press office reads an account's login details. Needs a password re-entered within
    REAUTH_MAX_AGE seconds and a reason; leaves exactly one audit record (never the secret)."""
    _require(actor, "custody.reveal_credential", account)
    if not reauth_is_fresh(reauthenticated_at):
        raise ReauthenticationRequired(
            "Re-enter your password to confirm it is you, then reveal the login details."
        )
    if not reason.strip():
        raise CustodyError("Give the reason you need the login details.")
    with transaction.atomic():
        credential = Credential.objects.filter(account=account).first()
        if credential is None:
            raise CustodyError("No login details are lodged for this account.")
        sealed = crypto.Sealed(
            credential.key_id, bytes(credential.nonce), bytes(credential.ciphertext)
        )
        try:
            plaintext = crypto.unseal(sealed, account_id=account.pk)
        except crypto.CredentialDecryptionError as exc:
            raise CustodyError(
                "The stored login details cannot be decrypted with the configured keys. "
                "Tell the portal administrator."
            ) from exc
        audit_record(
            actor=actor,
            action="credential.revealed",
            obj=account,
            changes={},
            reason=reason.strip(),
        )
    secret = json.loads(plaintext)
    secret["lodged_at"] = credential.lodged_at
    secret["lodged_by"] = credential.lodged_by
    return secret


def credentials_reencrypt_all(*, batch_size: int = 200) -> int:
    """Re-seal every credential not under the current key. Safe to run again (it skips what is
    already current) and to interrupt (each credential is re-sealed in its own transaction)."""
    current = crypto.current_key_id()
    done = 0
    while True:
        ids = list(
            Credential.objects.exclude(key_id=current).values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return done
        for pk in ids:
            with transaction.atomic():
                credential = (
                    Credential.objects.select_for_update().filter(pk=pk).select_related("account")
                ).first()
                if credential is None or credential.key_id == current:
                    continue
                _reseal(credential)
                audit_record(
                    actor=None,
                    action="credential.reencrypted",
                    obj=credential.account,
                    changes={"credentials_key_id": [credential._old_key_id, credential.key_id]},
                    reason="Key rotation (rotate_credential_key)",
                )
                done += 1


@sensitive_variables()
def _reseal(credential: Credential) -> None:
    old = crypto.Sealed(credential.key_id, bytes(credential.nonce), bytes(credential.ciphertext))
    plaintext = crypto.unseal(old, account_id=credential.account_id)
    new = crypto.seal(plaintext, account_id=credential.account_id)
    credential._old_key_id = credential.key_id
    credential.key_id = new.key_id
    credential.nonce = new.nonce
    credential.ciphertext = new.ciphertext
    credential.encrypted_at = timezone.now()
    credential.save(update_fields=["key_id", "nonce", "ciphertext", "encrypted_at"])


def credentials_require_new(*, actor, account: SocialAccount, reason: str) -> SocialAccount:
    """Mark the lodged login details as out of date (after a handover or an incident): the
    account joins the press office's "login details needed" list until new ones are lodged.
    Handover and incident services call this inside their own transaction."""
    with transaction.atomic():
        account = SocialAccount.objects.select_for_update().get(pk=account.pk)
        before = account.credentials_required_since
        account.credentials_required_since = timezone.now()
        account.save(update_fields=["credentials_required_since"])
        audit_record(
            actor=actor,
            action="credential.new_lodging_required",
            obj=account,
            changes={
                "credentials_required_since": [
                    before.isoformat() if before else None,
                    account.credentials_required_since.isoformat(),
                ]
            },
            reason=reason,
        )
        notify(
            actor=actor,
            recipients=[account.owner.user],
            kind="credential_relodge",
            context={"account": account, "reason": reason.strip()},
            link=reverse("custody:lodge", args=[account.pk]),
        )
    return account


def credential_destroy(*, actor, account: SocialAccount, reason: str) -> dict | None:
    """Delete an account's sealed login details for good (when the account closes). Returns what
    may be kept about them (when lodged, which key sealed them), or None when none were lodged;
    the caller keeps that record. Runs inside the caller's transaction; one audit row."""
    with transaction.atomic():
        credential = Credential.objects.select_for_update().filter(account=account).first()
        if credential is None:
            return None
        kept = {"lodged_at": credential.lodged_at, "key_id": credential.key_id}
        credential.delete()
        audit_record(
            actor=actor,
            action="credential.destroyed",
            obj=account,
            changes={"credentials_lodged_at": [kept["lodged_at"].isoformat(), None]},
            reason=reason,
        )
    return kept
