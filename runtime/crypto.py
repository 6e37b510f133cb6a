"""Authenticated encryption of personal data (AES-256-GCM), and wrapping of data keys.

Each case (data subject) has its own random data key. Personal fields are encrypted with it,
bound by associated data to the event and field they belong to, so a ciphertext cannot be
moved to another event unnoticed. Data keys are stored wrapped with a key-encryption key
(KEK) that lives outside NATS: a copy of the key bucket alone reveals nothing.
"""

from __future__ import annotations

import base64
import binascii
import os

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


def wrap_key(kek: bytes, data_key: bytes, key_id: str) -> bytes:
    """Encrypt a data key under the KEK, bound to its id."""
    return seal(AESGCM(kek), data_key, key_id.encode())


def unwrap_key(kek: bytes, wrapped: bytes, key_id: str) -> bytes:
    """Reverse ``wrap_key``."""
    return open_sealed(AESGCM(kek), wrapped, key_id.encode())
