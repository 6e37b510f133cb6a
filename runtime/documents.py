"""Documents in the object store: encrypted with the case's key, in chunks, read by any service.

Attachments (and later decision letters, fee notices) are stored once, encrypted with the
data key of their case, and referenced from events by object name and SHA-256. Every service
that may read them (casework's clerks, archive's e-file) opens them itself, without asking
the service that wrote them; erasure destroys the key, and the objects become unreadable.

The format streams, so that a large file never has to be in memory whole: ``RCD1`` ‖ chunk
size (4 bytes), then chunks of ``nonce ‖ ciphertext ‖ tag``, each sealed with the object's
name, its index and whether it is the last as associated data — chunks can be neither
reordered, nor swapped with another object's, nor cut off at the end unnoticed.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nats.js.errors import NotFoundError
from nats.js.object_store import ObjectStore

MAGIC = b"RCD1"
CHUNK = 64 * 1024
NONCE = 12
TAG = 16


class DocumentUnreadable(ValueError):
    """A stored document does not verify (tampered, truncated, or another key)."""


def _associated(name: str, index: int, last: bool) -> bytes:
    return f"{name}\x1f{index}\x1f{int(last)}".encode()


class DocumentWriter:
    """Seals a document pushed to it in pieces (an upload as it arrives), chunk by chunk.

    ``feed`` returns the sealed bytes ready so far, ``finish`` the rest; meanwhile it hashes
    and counts the plaintext, so one pass stores a file and says what was stored. At most one
    chunk of plaintext is held.
    """

    def __init__(self, key: AESGCM, name: str, chunk: int = CHUNK) -> None:
        self._key = key
        self._name = name
        self._chunk = chunk
        self._index = 0
        self._buffer = bytearray()
        self._started = False
        self.digest = hashlib.sha256()
        self.size = 0
        self.head = b""
        """The document's first bytes (up to one chunk), to tell its type by its content."""

    def feed(self, data: bytes) -> bytes:
        """Take more plaintext; returns the sealed chunks it completed."""
        self.digest.update(data)
        self.size += len(data)
        self._buffer += data
        if not self.head and len(self._buffer) >= self._chunk:
            self.head = bytes(self._buffer[: self._chunk])
        out = bytearray(self._header())
        # Keep the last full chunk back: only ``finish`` knows which chunk is the last.
        while len(self._buffer) > self._chunk:
            out += self._seal(bytes(self._buffer[: self._chunk]), last=False)
            del self._buffer[: self._chunk]
        return bytes(out)

    def finish(self) -> bytes:
        """The last chunk (sealed as the last), and the header if nothing came before."""
        if not self.head:
            self.head = bytes(self._buffer)
        out = self._header() + self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        return out

    @property
    def sha256(self) -> str:
        """The plaintext's SHA-256 (complete after ``finish``)."""
        return self.digest.hexdigest()

    def _header(self) -> bytes:
        if self._started:
            return b""
        self._started = True
        return MAGIC + struct.pack(">I", self._chunk)

    def _seal(self, plaintext: bytes, *, last: bool) -> bytes:
        nonce = os.urandom(NONCE)
        sealed = self._key.encrypt(nonce, plaintext, _associated(self._name, self._index, last))
        self._index += 1
        return nonce + sealed


def seal_document(content: bytes, key: AESGCM, name: str) -> bytes:
    """A whole (small) document, sealed in the stored format."""
    writer = DocumentWriter(key, name)
    return writer.feed(content) + writer.finish()


def decrypt(stored: bytes, key: AESGCM, name: str) -> bytes:
    """The plaintext of a stored document; ``DocumentUnreadable`` if it does not verify."""
    return b"".join(decrypt_chunks(stored, key, name))


def decrypt_chunks(stored: bytes, key: AESGCM, name: str) -> Iterator[bytes]:
    """The plaintext chunk by chunk, each verified before it is given out."""
    if stored[:4] != MAGIC or len(stored) < 8:
        raise DocumentUnreadable(f"{name}: not a stored document")
    (chunk,) = struct.unpack(">I", stored[4:8])
    sealed = NONCE + chunk + TAG
    body = stored[8:]
    count = max(1, -(-len(body) // sealed))
    for index in range(count):
        part = body[index * sealed : (index + 1) * sealed]
        associated = _associated(name, index, index == count - 1)
        try:
            yield key.decrypt(part[:NONCE], part[NONCE:], associated)
        except (InvalidTag, ValueError) as exc:
            raise DocumentUnreadable(f"{name}: chunk {index} does not verify") from exc


@dataclass(frozen=True)
class Stored:
    """What was stored under a name: the plaintext's size and SHA-256."""

    size: int
    sha256: str


def object_name(data_key: str, filename: str) -> str:
    """Where a case's document lives: under its data key, so erasure deletes it by prefix."""
    return f"{data_key}/{filename}"


async def store_once(objects: ObjectStore, name: str, content: bytes, key: AESGCM) -> Stored:
    """Store ``content`` sealed under ``name`` unless a document is there already.

    A service may add objects to the store but not purge any (``runtime.natsauth``), so a
    document is never replaced: a reaction that runs again after it stored its document (a
    decision letter, a fee notice) and failed before recording it takes the stored one as
    it is, with the size and SHA-256 of what it holds.
    """
    try:
        await objects.get_info(name)
    except NotFoundError:
        await objects.put(name, seal_document(content, key, name))
        return Stored(len(content), hashlib.sha256(content).hexdigest())
    existing = decrypt((await objects.get(name)).data or b"", key, name)
    return Stored(len(existing), hashlib.sha256(existing).hexdigest())
