"""File inspection (Akteneinsicht), the I/O around ``domain.inspection``: read a filed case as
its applicant or a clerk sees it, log every access, open a document for download.

An access is logged before anything is shown: ``FileInspected`` is recorded through the
outbox in archive's own database (one transaction), so a NATS outage delays its
announcement but never lets a look go unrecorded — and a database that cannot record it
cannot serve the file either. The access log the applicant reads is the ``file-inspection``
read model of those events; the access being served is added to it at once (the read model
follows the log a moment later).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import structlog
from nats.js.errors import NotFoundError

from contracts.base import DomainEvent
from contracts.events.archive import FileInspected
from contracts.events.casework import Clerk
from contracts.procedures import procedure_title
from runtime import outbox
from runtime.codec import EventUnreadable
from runtime.documents import DocumentUnreadable, decrypt_chunks
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.service import Runtime
from services.archive.aggregates import inspection_ref
from services.archive.domain import inspection
from services.archive.verification import verify_file

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Access:
    """One line of the access log."""

    by: str
    clerk: Clerk | None
    what: str
    at: datetime


@dataclass(frozen=True)
class Document:
    """A document of the case, by its reference (opened only when downloaded)."""

    filename: str
    kind: str
    object_name: str
    content_type: str
    size: int
    sha256: str
    issued_at: datetime


@dataclass
class FileView:
    """A filed case as an inspection shows it: nothing in it is personal data."""

    case_id: UUID
    tenant: str
    procedure: str
    procedure_title: str
    file_reference: str
    filed_at: datetime
    retain_until: date
    intact: bool
    erased: bool
    tracking_digest: str | None
    entitled_towns: list[str]
    entries: list[inspection.Entry] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    accesses: list[Access] = field(default_factory=list)
    case_number: str | None = None
    verification: dict[str, Any] | None = None
    """The whole check (``verification.verify_file``): record, chain link, addenda."""


async def file_view(runtime: Runtime, case_id: UUID) -> FileView | None:
    """The filed case with its record's lines, documents and accesses; ``None`` if unfiled."""
    row = await runtime.pool.fetchrow(
        "SELECT f.*, s.procedure, i.tracking_digest, i.competent_town, i.processing_towns,"
        " i.deciding_towns, i.case_number, coalesce(i.erased, false) AS erased"
        " FROM rm_case_records.files f JOIN rm_case_records.case_status s USING (case_id)"
        " LEFT JOIN rm_file_inspection.inspectable i USING (case_id) WHERE f.case_id = $1",
        case_id,
    )
    if row is None:
        return None
    report = await verify_file(runtime, case_id)
    procedure = row["procedure"] or ""
    return FileView(
        case_id=case_id,
        tenant=row["tenant"],
        procedure=procedure,
        procedure_title=procedure_title(procedure),
        file_reference=row["file_reference"],
        filed_at=row["filed_at"],
        retain_until=row["retain_until"],
        intact=bool(report and report["valid"]),
        erased=row["erased"],
        tracking_digest=row["tracking_digest"],
        entitled_towns=_entitled(row),
        entries=await _entries(runtime, case_id, row["parts"]),
        documents=[] if row["erased"] else await _documents(runtime, case_id),
        accesses=await _accesses(runtime, case_id),
        case_number=row["case_number"],
        verification=report,
    )


async def find_files(runtime: Runtime, term: str) -> list[inspection.FiledCase]:
    """The filed cases a search term names: by case number, Aktenzeichen or case id (all
    towns' — who may see which is ``inspection.visible_to``'s to decide)."""
    rows = await runtime.pool.fetch(
        "SELECT f.case_id, f.tenant, f.file_reference, f.filed_at, s.procedure, i.case_number,"
        " i.competent_town, i.processing_towns, i.deciding_towns"
        " FROM rm_case_records.files f JOIN rm_case_records.case_status s USING (case_id)"
        " LEFT JOIN rm_file_inspection.inspectable i USING (case_id)"
        " WHERE i.case_number = upper($1) OR f.file_reference = $1 OR f.case_id = $2"
        " ORDER BY f.filed_at DESC LIMIT 50",
        term,
        inspection.as_case_id(term),
    )
    return [
        inspection.FiledCase(
            case_id=row["case_id"],
            tenant=row["tenant"],
            file_reference=row["file_reference"],
            case_number=row["case_number"],
            procedure=row["procedure"] or "",
            filed_at=row["filed_at"],
            entitled_towns=tuple(_entitled(row)),
        )
        for row in rows
    ]


def _entitled(row: Any) -> list[str]:
    """The towns whose clerks may read a file, from its row of ``files`` and ``inspectable``."""
    return inspection.entitled_towns(
        row["competent_town"] or row["tenant"],
        row["processing_towns"] or [],
        row["deciding_towns"] or [],
    )


async def _entries(runtime: Runtime, case_id: UUID, parts: list[Any]) -> list[inspection.Entry]:
    """The filed record's lines, read from the very commits the record hash covers."""
    filed = {(stream, seq) for stream, seq in parts}
    rows = await runtime.pool.fetch(
        "SELECT stream, stream_seq, commit FROM rm_case_records.case_parts WHERE case_id = $1",
        case_id,
    )
    events: list[tuple[DomainEvent, datetime]] = []
    for row in rows:
        if (row["stream"], row["stream_seq"]) not in filed:
            continue
        try:
            envelopes = await runtime.store.codec.decode(bytes(row["commit"]), open_personal=False)
        except EventUnreadable:
            log.warning("a filed commit cannot be read", case_id=str(case_id))
            continue
        events.extend((e.event, e.meta.occurred_at) for e in envelopes)
    return inspection.record_entries(events)


async def _documents(runtime: Runtime, case_id: UUID) -> list[Document]:
    rows = await runtime.pool.fetch(
        "SELECT filename, kind, object_name, content_type, size, sha256, issued_at"
        " FROM rm_file_inspection.documents WHERE case_id = $1 ORDER BY issued_at, filename",
        case_id,
    )
    return [Document(**dict(row)) for row in rows]


async def _accesses(runtime: Runtime, case_id: UUID) -> list[Access]:
    rows = await runtime.pool.fetch(
        "SELECT * FROM rm_file_inspection.accesses WHERE case_id = $1 ORDER BY at", case_id
    )
    return [
        Access(
            by=row["by_kind"],
            clerk=Clerk(id=row["clerk_id"], name=row["clerk_name"], town=row["clerk_town"])
            if row["by_kind"] == "clerk"
            else None,
            what=row["what"],
            at=row["at"],
        )
        for row in rows
    ]


async def record_access(
    runtime: Runtime, view: FileView, what: str, clerk: Clerk | None = None
) -> FileInspected:
    """Log the access (through the outbox) and add it to the view's log at once."""
    event = inspection.inspected(view.case_id, what, datetime.now(UTC), clerk)
    ref: AggregateRef = inspection_ref(view.tenant, view.case_id)
    actor = f"clerk:{clerk.id}@{clerk.town}" if clerk else "citizen"
    async with runtime.pool.acquire() as conn, conn.transaction():
        await outbox.record(
            conn, ref, [event], commit_id=new_id(), cause=Cause(actor, correlation_id=new_id())
        )
    view.accesses.append(Access(event.by, event.clerk, event.what, event.inspected_at))
    log.info("file inspected", case_id=str(view.case_id), by=event.by, what=what)
    return event


async def town_names(runtime: Runtime) -> dict[str, str]:
    """The member towns' names by AGS (as intake published them)."""
    rows = await runtime.pool.fetch("SELECT ags, name FROM rm_file_inspection.towns")
    return {row["ags"]: row["name"] for row in rows}


class DocumentMissing(LookupError):
    """No document of this name can be given (unknown, erased, unreadable)."""


async def open_document(runtime: Runtime, document: Document) -> list[bytes]:
    """The document's plaintext chunks, each verified, the whole checked against its SHA-256."""
    key = await runtime.keys.get(document.object_name.partition("/")[0])
    if key is None:
        raise DocumentMissing("the case's data key is erased")
    try:
        stored = await runtime.attachments.get(document.object_name)
        chunks = list(decrypt_chunks(stored.data or b"", key, document.object_name))
    except (NotFoundError, DocumentUnreadable) as exc:
        log.error("document unreadable", name=document.object_name, error=type(exc).__name__)
        raise DocumentMissing(document.filename) from None
    if hashlib.sha256(b"".join(chunks)).hexdigest() != document.sha256:
        log.error("document differs from its reference", name=document.object_name)
        raise DocumentMissing(document.filename)
    return chunks


def document_named(view: FileView, name: str) -> Document | None:
    """The view's document of that file name, if there is one."""
    return next((d for d in view.documents if d.filename == name), None)
