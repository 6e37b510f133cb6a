"""Sealed cookies: a small JSON payload, encrypted and authenticated, with an expiry inside.

The browser holds the clerk's session, so it must neither read it (names, towns, the CSRF
token) nor change it (a role added). AES-256-GCM does both; its key comes from
``RATHAUS_SESSION_SECRET`` through HKDF, so the secret may be any long random text and is
never used as a key directly. Each kind of cookie (the session, a sign-in in progress, a
notice for the next page) is bound to its purpose as associated data: one cannot be passed
off as another. Whatever does not open — another key, a changed byte, an old format, an
expired payload — is simply no cookie: the clerk counts as signed out.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"\x01"
NONCE_BYTES = 12
KEY_INFO = b"rathauscloud desk cookies v1"
MAX_COOKIE_CHARS = 4000
"""Browsers keep cookies up to 4096 bytes, name and attributes included."""


def derive_key(secret: bytes) -> bytes:
    """The AES-256 key for sealing cookies, derived from the installation's secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(secret)


class CookieSeal:
    """Seals and opens cookie values with one key."""

    def __init__(self, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        self._aead = AESGCM(derive_key(secret))
        self._clock = clock

    def seal(self, purpose: str, payload: dict[str, Any], expires_at: int) -> str:
        """The payload as a cookie value, valid until ``expires_at`` (Unix seconds)."""
        plain = json.dumps({**payload, "exp": expires_at}, separators=(",", ":")).encode()
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plain, VERSION + purpose.encode())
        return base64.urlsafe_b64encode(VERSION + nonce + sealed).rstrip(b"=").decode()

    def open(self, purpose: str, value: str | None) -> dict[str, Any] | None:
        """The payload, or ``None`` for anything that is not a valid, current seal of ours."""
        raw = _decode(value or "")
        if raw is None or len(raw) < 1 + NONCE_BYTES + 16 or raw[:1] != VERSION:
            return None
        nonce, sealed = raw[1 : 1 + NONCE_BYTES], raw[1 + NONCE_BYTES :]
        try:
            plain = self._aead.decrypt(nonce, sealed, VERSION + purpose.encode())
            payload = json.loads(plain)
        except (InvalidTag, ValueError):
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
            return None
        if payload["exp"] <= self._clock():
            return None
        return payload


def _decode(value: str) -> bytes | None:
    if not value or len(value) > MAX_COOKIE_CHARS:
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
