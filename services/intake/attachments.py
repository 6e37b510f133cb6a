"""Attachments: checked (type, size, content), hashed, encrypted with the case key, stored.

The file's content must match its declared type — a PDF starts with ``%PDF-`` — so that a
renamed executable is refused at the door rather than opened by a clerk.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nats.js.object_store import ObjectStore

from contracts.events.intake import AttachmentRef
from runtime.crypto import seal
from runtime.ids import derived_id

SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}
ALLOWED_TYPES = ", ".join(sorted(SIGNATURES))


@dataclass(frozen=True)
class Upload:
    """One file as the citizen sent it."""

    filename: str
    content_type: str
    content_base64: str


class AttachmentRejected(ValueError):
    """A file was refused; ``field`` and the German message say which and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


MAX_FILENAME = 120


def safe_filename(name: str) -> str:
    """The file name without any path or troublesome characters, at most 120 characters.

    A long name is shortened in its stem, so that the extension survives.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or len(extension) > 10:
        stem, extension = cleaned, ""
    suffix = f".{extension}" if extension else ""
    stem = stem[: MAX_FILENAME - len(suffix)].rstrip(" .")
    return f"{stem}{suffix}" if stem else "anhang"


def size_in_words(size: int) -> str:
    """``5 MB``, ``1,5 MB``, ``512 KB`` — how a limit reads in German."""
    if size < 1024 * 1024:
        return f"{size // 1024} KB"
    megabytes = f"{size / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",")
    return f"{megabytes} MB"


def check(index: int, upload: Upload, max_bytes: int) -> bytes:
    """The decoded content, or ``AttachmentRejected`` with a German reason."""
    field = f"attachments.{index}"
    if upload.content_type not in SIGNATURES:
        raise AttachmentRejected(
            f"{field}.content_type", f"Dieser Dateityp ist nicht erlaubt. Erlaubt: {ALLOWED_TYPES}."
        )
    try:
        content = base64.b64decode(upload.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise AttachmentRejected(
            f"{field}.content_base64", "Der Dateiinhalt ist nicht gültig Base64-kodiert."
        ) from None
    if not content:
        raise AttachmentRejected(f"{field}.content_base64", "Die Datei ist leer.")
    if len(content) > max_bytes:
        raise AttachmentRejected(
            f"{field}.content_base64",
            f"Die Datei ist zu groß (höchstens {size_in_words(max_bytes)}).",
        )
    if not content.startswith(SIGNATURES[upload.content_type]):
        raise AttachmentRejected(
            f"{field}.content_base64",
            "Der Inhalt der Datei passt nicht zum angegebenen Dateityp.",
        )
    return content


async def store(
    objects: ObjectStore,
    key: AESGCM,
    application_id: str,
    index: int,
    upload: Upload,
    content: bytes,
) -> AttachmentRef:
    """Encrypt and store one checked file; returns its reference for the event.

    The object's name is fixed by application, position and content, so a retried
    submission overwrites its own upload instead of leaving an orphan behind.
    """
    digest = hashlib.sha256(content).hexdigest()
    attachment_id = str(derived_id(application_id, "attachment", index, digest))
    name = f"{application_id}/{attachment_id}"
    await objects.put(name, seal(key, content, name.encode()))
    return AttachmentRef(
        attachment_id=attachment_id,
        filename=safe_filename(upload.filename),
        content_type=upload.content_type,
        size=len(content),
        sha256=digest,
    )
