"""Writes about API clients: creating one (its token shown once, kept only as a SHA-256),
revoking one, and applying a client's write once per key. Each in one transaction, audited."""

import hashlib
import hmac
import json
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import ApiClient, IdempotentWrite, Scope
from audit.services import acting_through, audit_record
from core.errors import DomainError
from core.workflow import lock

TOKEN_PREFIX = "smp"  # noqa: S105  # a public marker ("social media portal") for secret scanners


class ApiClientError(DomainError):
    pass


class KeyReused(DomainError):
    """The same idempotency key was sent with a different request."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    """(the token, its public prefix): smp_<prefix>_<secret>, the prefix to find the client
    by, the secret 256 random bits."""
    prefix = secrets.token_hex(6)
    return f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def _require_manager(actor) -> None:
    if not actor.has_perm("api.manage_clients"):
        raise PermissionDenied("Only an administrator manages API clients.")


@transaction.atomic
def api_client_create(
    *, actor, name: str, owner, scopes: list[str], expires_at
) -> tuple[ApiClient, str]:
    """A new client and its token (returned once; only its digest is kept)."""
    _require_manager(actor)
    name = name.strip()
    if not name:
        raise ApiClientError("Give the client a name.")
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown or not scopes:
        raise ApiClientError("Choose at least one scope from the list.")
    if expires_at <= timezone.now():
        raise ApiClientError("The expiry must be in the future.")
    if owner is None or not owner.is_active:
        raise ApiClientError("The owner must be a person who can still sign in.")
    token, prefix = _new_token()
    client = ApiClient.objects.create(
        name=name,
        owner=owner,
        scopes=[s for s in Scope.values if s in scopes],
        token_prefix=prefix,
        token_hash=token_digest(token),
        expires_at=expires_at,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="api_client.created",
        obj=client,
        changes={
            "name": [None, client.name],
            "owner": [None, str(owner)],
            "scopes": [None, client.scopes],
            "expires_at": [None, client.expires_at],
            "lookup_prefix": [None, prefix],
        },
    )
    return client, token


@transaction.atomic
def api_client_revoke(*, actor, client_id: int, reason: str) -> ApiClient:
    """Stop a client at once: its next call is refused (401)."""
    _require_manager(actor)
    if not reason.strip():
        raise ApiClientError("Say why the client is revoked.")
    try:
        client = lock(ApiClient, client_id)
    except ApiClient.DoesNotExist:
        raise ApiClientError("There is no such API client.") from None
    if client.revoked_at is not None:
        raise ApiClientError(f"{client.name} was already revoked.")
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="api_client.revoked",
        obj=client,
        changes={"revoked_at": [None, client.revoked_at]},
        reason=reason.strip(),
    )
    return client


def api_client_for_token(token: str) -> ApiClient | None:
    """The live client this token belongs to, or None (unknown, wrong, expired, revoked, or
    its owner can no longer sign in). The digest is compared in constant time."""
    parts = (token or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    client = ApiClient.objects.select_related("owner").filter(token_prefix=parts[1]).first()
    if client is None or not hmac.compare_digest(client.token_hash, token_digest(token)):
        return None
    now = timezone.now()
    if not client.is_live(now) or not client.owner.is_active:
        return None
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        # Bookkeeping for the clients page, at most once a minute: not a change anyone made.
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    # A fresh owner object each call, so the rules see roles as they are now.
    client.owner = get_user_model().objects.get(pk=client.owner_id)
    return client


def _digest(payload) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


class _Refused(Exception):
    def __init__(self, status: int, body):
        self.status, self.body = status, body


def api_write(*, client: ApiClient, operation: str, key: str, payload, address: str, run):
    """Apply `run()` (returning (status, body)) once for this client, operation and key, as the
    client: every event it records names the client, acting for its owner, and one more event
    on the client says what it wrote, with which key, from where. The same key and request
    again returns the first answer and writes nothing; the same key with another request is
    refused (KeyReused). A refused write (status 400 or more) keeps nothing, not even the key,
    so a corrected request may use it again. Returns (status, body, replayed)."""
    digest = _digest(payload)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotentWrite.objects.create(
                        client=client,
                        key=key,
                        operation=operation,
                        request_digest=digest,
                        status_code=0,
                    )
            except IntegrityError:
                # Sent before (a concurrent first try waits on the unique index until it ends).
                record = IdempotentWrite.objects.get(client=client, operation=operation, key=key)
                if record.request_digest != digest:
                    raise KeyReused(
                        "This idempotency key was used for a different request: send a new key."
                    ) from None
                return record.status_code, record.response, True
            with acting_through(f"API client {client.name} (#{client.pk})"):
                status, body = run()
                if status >= 400:
                    raise _Refused(status, body)
                audit_record(
                    actor=client.owner,
                    action="api_client.wrote",
                    obj=client,
                    changes={"operation": operation, "idempotency": key, "address": address},
                )
            record.status_code = status
            record.response = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            record.save(update_fields=["status_code", "response"])
            return status, record.response, False
    except _Refused as refused:
        return refused.status, refused.body, False


def api_act(*, client: ApiClient, operation: str, address: str, run):
    """A write with no idempotency key (reporting an incident, which joins an open incident when
    sent twice): done as the client, and the call recorded on the client."""
    with transaction.atomic(), acting_through(f"API client {client.name} (#{client.pk})"):
        result = run()
        audit_record(
            actor=client.owner,
            action="api_client.wrote",
            obj=client,
            changes={"operation": operation, "address": address},
        )
        return result
