"""A message's attachments, read from the object store and opened just before it is sent.

The outbox keeps references only (``DocumentRef``: object name, file name, type, SHA-256);
the content is opened with the case's data key in memory, checked against its SHA-256 and
handed to the mail — nothing decrypted is ever written to the database. A store that cannot
be reached fails the attempt before anything is sent (a retry follows); a document that
does not open or does not match its reference will not improve, and fails for good.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from runtime.documents import DocumentUnreadable, decrypt
from runtime.service import Runtime


@dataclass(frozen=True)
class Attachment:
    """A file to attach, opened."""

    filename: str
    content_type: str
    content: bytes


class AttachmentUnreadable(Exception):
    """The attachment cannot be opened (key erased, tampered, another document)."""


PERMANENT = (AttachmentUnreadable, DocumentUnreadable)
"""Attachment failures that retrying will not cure."""


async def open_attachments(runtime: Runtime, row: Any) -> list[Attachment]:
    """The opened attachments of an outbox row (none for most messages), then the file made
    in notify itself (a forwarded XGewerbeanzeige), which the row holds until delivered."""
    made = (
        [Attachment(row["payload_name"], row["payload_type"], bytes(row["payload"]))]
        if row.get("payload") is not None
        else []
    )
    references = row["attachments"] or []
    if not references:
        return made
    key = await runtime.keys.get(row["data_key"]) if row["data_key"] else None
    if key is None:
        raise AttachmentUnreadable("the case's data key is erased")
    opened = []
    for reference in references:
        name = reference["object_name"]
        stored = await runtime.attachments.get(name)
        content = decrypt(stored.data or b"", key, name)
        if hashlib.sha256(content).hexdigest() != reference["sha256"]:
            raise AttachmentUnreadable(f"{name} differs from its reference")
        opened.append(Attachment(reference["filename"], reference["content_type"], content))
    return opened + made
