"""A town's daily chain head, signed with Ed25519 (pure).

Each town's files form a hash chain (``filing``); its head at the end of a (German) day — how
many files, and the chain hash of the last — is signed with archive's Ed25519 key. Whoever holds
a signed head and the public key can later prove that the chain then ended there: a file
removed or altered afterwards, or a chain rebuilt from scratch, no longer leads to a signed
head. The signed statement is a few lines of text, so it can be checked with any Ed25519 tool:

    rathauscloud-chain-head/1
    town=14729410
    day=2026-12-01
    files=17
    chain_hash=<64 hex digits>

(each line ends with a line feed). ``python -m services.archive.head_check`` checks one offline.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from contracts.calendar import GERMANY, german_date

VERSION = "rathauscloud-chain-head/1"


@dataclass(frozen=True)
class ChainHead:
    """Where a town's chain ended at the end of a day."""

    town: str
    day: date
    files: int
    chain_hash: str


def statement(head: ChainHead) -> bytes:
    """The exact bytes that are signed."""
    return (
        f"{VERSION}\ntown={head.town}\nday={head.day.isoformat()}\nfiles={head.files}\n"
        f"chain_hash={head.chain_hash}\n"
    ).encode()


def sign(key: Ed25519PrivateKey, head: ChainHead) -> str:
    """The head's signature, base64."""
    return base64.b64encode(key.sign(statement(head))).decode()


def verify(public_key: bytes, head: ChainHead, signature: str) -> bool:
    """Whether ``signature`` (base64) is the key's signature of exactly this head."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            base64.b64decode(signature, validate=True), statement(head)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    """The raw 32 bytes of the public key."""
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key: bytes) -> str:
    """A short name for a public key: the start of its SHA-256 (so a rotated key is told apart)."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def end_of(day: date) -> datetime:
    """The moment a German day ends (midnight in Germany, in UTC)."""
    return datetime.combine(day + timedelta(days=1), time(0), GERMANY).astimezone(UTC)


def days_to_sign(now: datetime, last_signed: date | None, first_filed: date) -> list[date]:
    """The finished days without a signed head: after the last signed one (or from the day of
    the town's first file) up to yesterday, German time; at most a year of catching up."""
    yesterday = german_date(now) - timedelta(days=1)
    start = max(last_signed + timedelta(days=1) if last_signed else first_filed,
                yesterday - timedelta(days=365))  # fmt: skip
    return [start + timedelta(days=n) for n in range((yesterday - start).days + 1)]
