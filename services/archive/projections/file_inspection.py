"""Read model: what an inspection of a filed case needs besides the record itself.

- who may look: the digest of the applicant's tracking token (intake's
  ``ApplicationSubmitted``), and the towns whose clerks may (the competent and processing
  towns of casework's ``CaseOpened`` / ``CaseMoved``, the towns of clerks who decided);
- the case number (Vorgangsnummer) of ``ApplicationSubmitted``, by which clerks find a file
  at the desk (files of applications from before this was kept have none until a rebuild);
- the documents of the case — decision letter, fee notices — by their references (the
  documents themselves stay sealed in the object store, opened only when downloaded);
- the access log (archive's own ``FileInspected``), which the applicant reads;
- the member towns' names (intake's ``TownProfilePublished``), for the pages.

An erasure drops the document references (their key is gone; nothing is left to open). The
digest stays: it is no personal data, and the applicant may still see who looked. Nothing
here needs a personal field, so the projection never opens one, and it can be rebuilt.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from contracts.base import DomainEvent
from contracts.events.archive import FileInspected, PersonalDataErased
from contracts.events.billing import FeeNoticeIssued
from contracts.events.casework import (
    CaseDecided,
    CaseMoved,
    CaseOpened,
    DecisionDocumentIssued,
    DocumentRef,
)
from contracts.events.intake import ApplicationSubmitted, TownProfilePublished
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.projection import Projection

DDL = """
CREATE TABLE inspectable (
    case_id          uuid PRIMARY KEY,
    tracking_digest  text,
    competent_town   text,
    processing_towns text[] NOT NULL DEFAULT '{}',
    deciding_towns   text[] NOT NULL DEFAULT '{}',
    erased           boolean NOT NULL DEFAULT false
);
CREATE TABLE documents (
    case_id      uuid NOT NULL,
    filename     text NOT NULL,
    kind         text NOT NULL,
    object_name  text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL,
    sha256       text NOT NULL,
    issued_at    timestamptz NOT NULL,
    PRIMARY KEY (case_id, filename)
);
CREATE TABLE accesses (
    event_id    uuid PRIMARY KEY,
    case_id     uuid NOT NULL,
    by_kind     text NOT NULL,
    clerk_id    text,
    clerk_name  text,
    clerk_town  text,
    what        text NOT NULL,
    at          timestamptz NOT NULL
);
CREATE INDEX accesses_by_case ON accesses (case_id, at);
CREATE TABLE towns (ags text PRIMARY KEY, name text NOT NULL);
"""

CASE_NUMBERS = """
ALTER TABLE inspectable ADD COLUMN case_number text;
CREATE INDEX inspectable_by_case_number ON inspectable (case_number);
"""

HANDLED = (
    ApplicationSubmitted,
    CaseOpened,
    CaseMoved,
    CaseDecided,
    DecisionDocumentIssued,
    FeeNoticeIssued,
    FileInspected,
    PersonalDataErased,
    TownProfilePublished,
)

FACT = """
INSERT INTO inspectable (case_id, {column}) VALUES ($1, $2)
ON CONFLICT (case_id) DO UPDATE SET {column} = EXCLUDED.{column}
"""
"""One fact about a case, whichever stream brings it first (they are read independently)."""

DECIDING = """
INSERT INTO inspectable (case_id, deciding_towns) VALUES ($1, ARRAY[$2::text])
ON CONFLICT (case_id) DO UPDATE SET deciding_towns = (
    SELECT array_agg(DISTINCT t) FROM unnest(inspectable.deciding_towns || $2::text) AS t)
"""


async def apply(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
    """Record what the event says about who may look, what there is to see, who looked."""
    event = envelope.event
    if isinstance(event, ApplicationSubmitted):
        await _fact(conn, event.application_id, "tracking_digest", event.tracking_digest)
        if event.case_number:
            await _fact(conn, event.application_id, "case_number", event.case_number)
    elif isinstance(event, CaseOpened):
        await _fact(conn, event.case_id, "competent_town", event.competent_town)
        await _fact(conn, event.case_id, "processing_towns", list(event.processing_towns))
    elif isinstance(event, CaseMoved):
        await _fact(conn, event.case_id, "processing_towns", list(event.processing_towns))
    elif isinstance(event, CaseDecided) and event.clerk is not None:
        await conn.execute(DECIDING, event.case_id, event.clerk.town)
    elif isinstance(event, DecisionDocumentIssued):
        await _document(conn, event.case_id, "Bescheid", event.document, event)
    elif isinstance(event, FeeNoticeIssued):
        await _document(conn, event.case_id, "Gebührenbescheid", event.document, event)
        if event.xrechnung is not None:
            await _document(conn, event.case_id, "Rechnung (XRechnung)", event.xrechnung, event)
    elif isinstance(event, FileInspected):
        await _access(conn, envelope, event)
    elif isinstance(event, TownProfilePublished):
        await conn.execute(
            "INSERT INTO towns VALUES ($1, $2) ON CONFLICT (ags) DO UPDATE SET name = $2",
            event.ags,
            event.name,
        )
    elif isinstance(event, PersonalDataErased) and event.case_id is not None:
        await _fact(conn, event.case_id, "erased", True)
        await conn.execute("DELETE FROM documents WHERE case_id = $1", event.case_id)


async def _fact(conn: asyncpg.Connection, case_id: Any, column: str, value: Any) -> None:
    await conn.execute(FACT.format(column=column), case_id, value)


async def _document(
    conn: asyncpg.Connection,
    case_id: Any,
    kind: str,
    document: DocumentRef,
    event: DecisionDocumentIssued | FeeNoticeIssued,
) -> None:
    """A document of the case; a later one of the same name (an amended notice) replaces it.

    Not after an erasure: a document issued meanwhile is sealed with the destroyed key.
    """
    await conn.execute(
        "INSERT INTO documents SELECT $1, $2, $3, $4, $5, $6, $7, $8"
        " WHERE NOT EXISTS (SELECT 1 FROM inspectable WHERE case_id = $1 AND erased)"
        " ON CONFLICT (case_id, filename) DO UPDATE SET kind = $3, object_name = $4,"
        " content_type = $5, size = $6, sha256 = $7, issued_at = $8",
        case_id,
        document.filename,
        kind,
        document.object_name,
        document.content_type,
        document.size,
        document.sha256,
        event.issued_at,
    )


async def _access(
    conn: asyncpg.Connection, envelope: Envelope[DomainEvent], event: FileInspected
) -> None:
    clerk = event.clerk
    await conn.execute(
        "INSERT INTO accesses VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        envelope.meta.event_id,
        event.case_id,
        event.by,
        clerk.id if clerk else None,
        clerk.name if clerk else None,
        clerk.town if clerk else None,
        event.what,
        event.inspected_at,
    )


def projection() -> Projection:
    """The read model (rebuildable: it causes nothing)."""
    sources = (Service.INTAKE, Service.CASEWORK, Service.BILLING, Service.ARCHIVE)
    return Projection(
        name="file-inspection",
        owner=Service.ARCHIVE,
        sources=sources,
        deferred=frozenset(sources),  # nobody waits for it in the moment
        event_types=frozenset(cls.type_name for cls in HANDLED),
        handle=apply,
        migrations=(DDL, CASE_NUMBERS),
        opens_personal_data=False,
    )
