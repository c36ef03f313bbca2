"""AES-256-GCM under a key ring from the environment, for every secret the portal stores (the
login details in custody/, the chat webhook addresses in notifications/).

CREDENTIAL_KEYS="kid1:base64key,kid2:base64key": the first key encrypts, every key decrypts, so
a new key can be put first and `manage.py rotate_credential_key` re-encrypts the old secrets.
Each ciphertext is stored with its key id and its own 96-bit nonce, and is bound by the
associated data (`aad`) to the row it belongs to: a ciphertext copied onto another row does not
decrypt."""

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables

NONCE_BYTES = 12


class DecryptionError(Exception):
    """The ciphertext, its key id or its row binding does not match: nothing is revealed."""


@dataclass(frozen=True)
class Sealed:
    key_id: str
    nonce: bytes
    ciphertext: bytes


def parse_key_ring(raw: str) -> dict[str, bytes]:
    """'kid:base64,kid:base64' → {kid: key}, in order (the first is the current key)."""
    ring: dict[str, bytes] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        kid, sep, encoded = item.partition(":")
        kid = kid.strip()
        if not sep or not kid or len(kid) > 20:
            raise ImproperlyConfigured(
                "CREDENTIAL_KEYS must look like 'kid:base64key,...' with key ids of at most "
                "20 characters."
            )
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured(f"CREDENTIAL_KEYS: key {kid!r} is not base64.") from exc
        if len(key) != 32:
            raise ImproperlyConfigured(
                f"CREDENTIAL_KEYS: key {kid!r} must be 32 bytes (AES-256), not {len(key)}."
            )
        if kid in ring:
            raise ImproperlyConfigured(f"CREDENTIAL_KEYS: key id {kid!r} appears twice.")
        ring[kid] = key
    if not ring:
        raise ImproperlyConfigured("Set CREDENTIAL_KEYS to at least one key.")
    return ring


@sensitive_variables()
def key_ring() -> dict[str, bytes]:
    return parse_key_ring(settings.CREDENTIAL_KEYS)


def current_key_id() -> str:
    return next(iter(key_ring()))


def _new_nonce() -> bytes:
    return os.urandom(NONCE_BYTES)


@sensitive_variables()
def seal(plaintext: bytes, *, aad: bytes) -> Sealed:
    ring = key_ring()
    kid = next(iter(ring))
    nonce = _new_nonce()
    ciphertext = AESGCM(ring[kid]).encrypt(nonce, plaintext, aad)
    return Sealed(key_id=kid, nonce=nonce, ciphertext=ciphertext)


@sensitive_variables()
def unseal(sealed: Sealed, *, aad: bytes) -> bytes:
    key = key_ring().get(sealed.key_id)
    if key is None:
        raise DecryptionError(f"Key {sealed.key_id!r} is not in CREDENTIAL_KEYS.")
    try:
        return AESGCM(key).decrypt(bytes(sealed.nonce), bytes(sealed.ciphertext), aad)
    except InvalidTag as exc:
        raise DecryptionError("The stored secret does not decrypt.") from exc
