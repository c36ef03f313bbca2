"""The login details' sealing: core/crypto.py's AES-256-GCM key ring, each ciphertext bound to the
account it belongs to, so a ciphertext copied onto another account's row does not decrypt."""

from django.views.decorators.debug import sensitive_variables

from core import crypto as _core
from core.crypto import Sealed, current_key_id, key_ring, parse_key_ring

__all__ = [
    "CredentialDecryptionError",
    "Sealed",
    "current_key_id",
    "key_ring",
    "parse_key_ring",
    "seal",
    "unseal",
]

CredentialDecryptionError = _core.DecryptionError


def _aad(account_id: int) -> bytes:
    return f"social-account:{account_id}".encode()


@sensitive_variables()
def seal(plaintext: bytes, *, account_id: int) -> Sealed:
    return _core.seal(plaintext, aad=_aad(account_id))


@sensitive_variables()
def unseal(sealed: Sealed, *, account_id: int) -> bytes:
    return _core.unseal(sealed, aad=_aad(account_id))
