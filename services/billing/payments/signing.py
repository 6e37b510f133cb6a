"""HMAC-SHA256 signatures of a provider's messages, with timestamp and nonce (pure).

A message is signed as ``{timestamp}.{nonce}.{body}`` with the key the town shares with its
provider, the header reading ``t=<unix seconds>,n=<nonce>,v1=<hex digest>`` — the scheme of
the common providers' webhooks. The body is signed as the bytes sent, so nothing depends on
how JSON is spelled; ``canonical_json`` is how we write a body we sign ourselves.

Verification refuses, in this order: a missing or unreadable header (``unsigned``), a digest
that is not the key's (``forged``, compared in constant time), and a timestamp further than the
tolerance from now (``late``: a callback held back, or replayed after its window). A replay
*within* the window carries a nonce seen before; that is refused where the nonces are kept
(``ledger``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

HEADER = "X-Signature"
TOLERANCE = timedelta(minutes=5)
_HEADER = re.compile(r"^t=(\d{1,12}),n=([A-Za-z0-9_-]{16,64}),v1=([0-9a-f]{64})$")

Refusal = Literal["unsigned", "forged", "late", "replayed", "mismatch", "unknown"]


class MessageRefused(ValueError):
    """A message that must not be trusted; ``code`` says why, ``reason`` in German."""

    def __init__(self, code: Refusal, reason: str) -> None:
        super().__init__(reason)
        self.code: Refusal = code
        self.reason = reason


@dataclass(frozen=True)
class Signature:
    """What a verified header said: when it was signed and its nonce."""

    timestamp: int
    nonce: str


def canonical_json(value: Any) -> bytes:
    """``value`` as compact JSON with sorted keys, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(key: bytes, body: bytes, timestamp: int, nonce: str) -> str:
    """The hex HMAC-SHA256 of ``{timestamp}.{nonce}.{body}``."""
    signed = f"{timestamp}.{nonce}.".encode("ascii") + body
    return hmac.new(key, signed, hashlib.sha256).hexdigest()


def sign(key: bytes, body: bytes, timestamp: int, nonce: str) -> str:
    """The header value that signs ``body``."""
    return f"t={timestamp},n={nonce},v1={digest(key, body, timestamp, nonce)}"


def verify(
    key: bytes, header: str | None, body: bytes, now: datetime, tolerance: timedelta = TOLERANCE
) -> Signature:
    """The header's timestamp and nonce, if it signs ``body`` with ``key`` recently enough."""
    match = _HEADER.match((header or "").strip())
    if match is None:
        raise MessageRefused("unsigned", "Die Nachricht ist nicht (lesbar) signiert.")
    timestamp, nonce, given = int(match.group(1)), match.group(2), match.group(3)
    if not hmac.compare_digest(digest(key, body, timestamp, nonce), given):
        raise MessageRefused("forged", "Die Signatur der Nachricht ist ungültig.")
    if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
        raise MessageRefused(
            "late", "Die Nachricht ist zu alt (oder datiert in die Zukunft) und wird verworfen."
        )
    return Signature(timestamp, nonce)
