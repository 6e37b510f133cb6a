"""Authenticated encryption of personal data (AES-256-GCM), and wrapping of data keys.

Each case (data subject) has its own random data key. Personal fields are encrypted with it,
bound by associated data to the event and field they belong to, so a ciphertext cannot be
moved to another event unnoticed. Data keys are stored wrapped with a key-encryption key
(KEK) that lives outside NATS: a copy of the key bucket alone reveals nothing.

A wrapped key says which KEK wrapped it, so that the KEK can be rotated: ``RCK1`` ‖ the KEK's
id (8 hex characters of its SHA-256) ‖ nonce ‖ ciphertext ‖ tag, the id and the key's own id
bound as associated data. Keys wrapped before this format (nonce ‖ ciphertext ‖ tag alone,
60 bytes) stay readable: they are tried with every KEK given, the current one first.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_BYTES = 32


class DecryptionFailed(ValueError):
    """A ciphertext does not match its key or associated data (tampered, or wrong key)."""


def new_data_key() -> bytes:
    """A fresh random 256-bit key."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(key: AESGCM, plaintext: bytes, associated: bytes) -> bytes:
    """nonce ‖ ciphertext ‖ tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + key.encrypt(nonce, plaintext, associated)


def open_sealed(key: AESGCM, sealed: bytes, associated: bytes) -> bytes:
    """Reverse ``seal``; raises ``DecryptionFailed`` on any mismatch."""
    try:
        return key.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed("ciphertext does not verify") from exc


def seal_text(key: AESGCM, plaintext: bytes, associated: bytes) -> str:
    """``seal`` as base64 text, for JSON."""
    return base64.b64encode(seal(key, plaintext, associated)).decode("ascii")


def open_text(key: AESGCM, sealed: str, associated: bytes) -> bytes:
    """Reverse ``seal_text``; malformed base64 fails like any other tampering."""
    try:
        raw = base64.b64decode(sealed, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionFailed("ciphertext is not base64") from exc
    return open_sealed(key, raw, associated)


WRAP_FORMAT = b"RCK1"
KEK_ID_CHARS = 8
LEGACY_WRAPPED_BYTES = NONCE_BYTES + KEY_BYTES + 16


class UnknownKek(DecryptionFailed):
    """A key was wrapped with a KEK that is neither the current nor a previous one."""


def kek_id(kek: bytes) -> str:
    """A KEK's id: the first 8 hex characters of its SHA-256 (names it, reveals nothing)."""
    return hashlib.sha256(kek).hexdigest()[:KEK_ID_CHARS]


def wrap_key(kek: bytes, data_key: bytes, key_id: str) -> bytes:
    """Encrypt a data key under the KEK, bound to its id; the result names the KEK."""
    kid = kek_id(kek).encode()
    return WRAP_FORMAT + kid + seal(AESGCM(kek), data_key, _bound(kid, key_id))


def wrapping_kek_id(wrapped: bytes) -> str | None:
    """The id of the KEK that wrapped ``wrapped``; ``None`` for the unversioned format."""
    if len(wrapped) == LEGACY_WRAPPED_BYTES or not wrapped.startswith(WRAP_FORMAT):
        return None
    return wrapped[len(WRAP_FORMAT) : len(WRAP_FORMAT) + KEK_ID_CHARS].decode("ascii", "replace")


def unwrap_key(kek: bytes | Sequence[bytes], wrapped: bytes, key_id: str) -> bytes:
    """Reverse ``wrap_key``; ``kek`` is the current KEK, or the current one and previous ones."""
    keks = [kek] if isinstance(kek, bytes) else list(kek)
    wanted = wrapping_kek_id(wrapped)
    if wanted is None:  # unversioned: whichever KEK opens it
        for candidate in keks[:-1]:
            try:
                return open_sealed(AESGCM(candidate), wrapped, key_id.encode())
            except DecryptionFailed:
                continue
        return open_sealed(AESGCM(keks[-1]), wrapped, key_id.encode())
    for candidate in keks:
        if kek_id(candidate) == wanted:
            sealed = wrapped[len(WRAP_FORMAT) + KEK_ID_CHARS :]
            return open_sealed(AESGCM(candidate), sealed, _bound(wanted.encode(), key_id))
    raise UnknownKek(f"data key {key_id} is wrapped with KEK {wanted}, which is not configured")


def _bound(kid: bytes, key_id: str) -> bytes:
    return WRAP_FORMAT + kid + b":" + key_id.encode()
