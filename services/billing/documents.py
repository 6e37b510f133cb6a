"""billing's documents in the shared object store: sealed with the case's key, written once.

A fee notice is stored under ``<data key>/<file name>``, so erasing the case's key (archive)
finds it by that prefix and deletes it, like the application's attachments; until then, a
notice whose key is gone cannot be opened (crypto-shredding). billing may add objects to
the store but not purge any (``runtime.natsauth``), so a document is never replaced: a
reaction that runs again after it stored the notice (and failed before recording it) takes
the stored one as it is, with the size and SHA-256 of what it holds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nats.js.errors import NotFoundError
from nats.js.object_store import ObjectStore

from runtime.documents import decrypt, seal_document


@dataclass(frozen=True)
class Stored:
    """What was stored under a name: the plaintext's size and SHA-256."""

    size: int
    sha256: str


def object_name(data_key: str, filename: str) -> str:
    """Where a case's document lives: under its data key, for erasure by prefix."""
    return f"{data_key}/{filename}"


async def store_once(objects: ObjectStore, name: str, content: bytes, key: AESGCM) -> Stored:
    """Store ``content`` sealed under ``name`` unless a document is there already."""
    try:
        await objects.get_info(name)
    except NotFoundError:
        await objects.put(name, seal_document(content, key, name))
        return Stored(len(content), hashlib.sha256(content).hexdigest())
    existing = decrypt((await objects.get(name)).data or b"", key, name)
    return Stored(len(existing), hashlib.sha256(existing).hexdigest())
