"""The decision letter for its applicant: opened from the object store, streamed as a download.

casework stores the letter sealed with the case's data key under ``<data key>/<name>``
(``runtime.documents``) and announces it (``DecisionDocumentIssued``); intake's read model
keeps the reference. Here it is read, every chunk verified before anything is sent (a
letter is small, and a download cut off half-way would look like a whole one), then streamed
as an attachment nobody may keep (``no-store``) or render in place (a sandbox CSP).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from urllib.parse import quote
from uuid import UUID

import structlog
from fastapi.responses import StreamingResponse
from nats.js.errors import NotFoundError

from runtime.documents import DocumentUnreadable, decrypt_chunks
from runtime.service import Runtime
from services.intake import queries

log = structlog.get_logger(__name__)


class DocumentMissing(LookupError):
    """There is no letter to give: the German reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


NOT_YET = "Der Bescheid ist noch nicht erstellt. Sobald er vorliegt, können Sie ihn hier laden."
ERASED = "Die Daten dieses Antrags sind gelöscht; der Bescheid kann nicht mehr geladen werden."
UNREADABLE = (
    "Der Bescheid kann gerade nicht geladen werden. Bitte wenden Sie sich an die Gemeinde; "
    "der Bescheid wurde Ihnen auch per E-Mail zugesandt, wenn Sie eine Adresse angegeben haben."
)


def attachment_disposition(filename: str) -> str:
    """``attachment`` with the file name in both forms (RFC 6266): plain ASCII and UTF-8."""
    plain = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def decision_document(runtime: Runtime, case_id: UUID) -> StreamingResponse:
    """The letter of ``case_id`` as a download; ``DocumentMissing`` if there is none to give."""
    document = await queries.decision_document(runtime.pool, case_id)
    if document is None:
        raise DocumentMissing(NOT_YET)
    name: str = document["object_name"]
    key_id = document["data_key"] or name.partition("/")[0]
    key = await runtime.keys.get(key_id)
    if key is None:
        raise DocumentMissing(ERASED)
    try:
        stored = await runtime.attachments.get(name)
        chunks = list(decrypt_chunks(stored.data or b"", key, name))
    except (NotFoundError, DocumentUnreadable) as exc:
        log.error("decision document unreadable", case_id=str(case_id), error=type(exc).__name__)
        raise DocumentMissing(UNREADABLE) from None
    if hashlib.sha256(b"".join(chunks)).hexdigest() != document["sha256"]:
        log.error("decision document differs from its reference", case_id=str(case_id))
        raise DocumentMissing(UNREADABLE)
    return StreamingResponse(
        _each(chunks),
        media_type=document["content_type"],
        headers={
            "Content-Disposition": attachment_disposition(document["filename"]),
            "Content-Length": str(sum(len(c) for c in chunks)),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


def _each(chunks: list[bytes]) -> Iterator[bytes]:
    yield from chunks
