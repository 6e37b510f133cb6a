"""Reaction: collect every commit concerning a case, and file the case once it is complete.

A case is complete when casework has closed it and billing has settled its fee (assessed
or none due); the two arrive on different streams in either order. All streams of this
projection are applied under one lock, so exactly one of them sees the case complete.

The town's chain and its file numbers are authoritative here, in PostgreSQL: the number,
the chain link and the ``CaseFiled`` that announces them are committed in one transaction
(the event through the runtime's outbox). A rolled-back transaction therefore takes all
three back together — the next filing of the town can neither fork the chain nor repeat an
Aktenzeichen, whatever NATS or PostgreSQL did meanwhile.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from contracts.base import DomainEvent
from contracts.calendar import german_date
from contracts.events.archive import CaseFiled
from contracts.events.billing import FeeAssessed, NoFeeDue
from contracts.events.casework import (
    CaseClosed,
    CaseDecided,
    CaseOpened,
    CaseReferredToClerk,
)
from contracts.events.intake import ApplicationSubmitted
from contracts.events.notify import MessageDelivered, MessageDeliveryFailed
from contracts.naming import Service
from runtime import outbox
from runtime.codec import Envelope
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.projection import Projection
from runtime.service import Runtime
from services.archive.aggregates import file_ref
from services.archive.domain import filing

DDL = """
CREATE TABLE IF NOT EXISTS case_parts (
    case_id     uuid   NOT NULL,
    stream      text   NOT NULL,
    stream_seq  bigint NOT NULL,
    event_types text   NOT NULL,
    occurred_at timestamptz NOT NULL,
    commit      bytea  NOT NULL,
    PRIMARY KEY (case_id, stream, stream_seq)
);
CREATE TABLE IF NOT EXISTS case_status (
    case_id     uuid PRIMARY KEY,
    tenant      text NOT NULL,
    procedure   text,
    closed_at   timestamptz,
    fee_settled boolean NOT NULL DEFAULT false,
    filed       boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS chain_heads (
    tenant    text PRIMARY KEY,
    last_hash text NOT NULL,
    files     integer NOT NULL
);
CREATE TABLE IF NOT EXISTS file_numbers (
    tenant text NOT NULL, year integer NOT NULL, last integer NOT NULL,
    PRIMARY KEY (tenant, year)
);
CREATE TABLE IF NOT EXISTS files (
    case_id         uuid PRIMARY KEY,
    tenant          text NOT NULL,
    position        integer NOT NULL,
    file_reference  text NOT NULL,
    record_hash     text NOT NULL,
    previous_hash   text NOT NULL,
    chain_hash      text NOT NULL,
    parts           jsonb NOT NULL,
    retain_until    date NOT NULL,
    filed_at        timestamptz NOT NULL,
    UNIQUE (tenant, position)
);
"""

COLLECTED = (
    ApplicationSubmitted,
    CaseOpened,
    CaseReferredToClerk,
    CaseDecided,
    CaseClosed,
    FeeAssessed,
    NoFeeDue,
    MessageDelivered,
    MessageDeliveryFailed,
)


def case_id_of(event: DomainEvent) -> UUID | None:
    """The case an event concerns (the application id is the case id)."""
    if isinstance(event, ApplicationSubmitted):
        return event.application_id
    case_id = getattr(event, "case_id", None)
    return case_id if isinstance(case_id, UUID) else None


def stream_of(envelope: Envelope[DomainEvent]) -> str:
    """The owning service of an event, from its type name."""
    return envelope.meta.type.split(".", 1)[0]


def projection(runtime: Runtime) -> Projection:
    """The reaction, wired to the running service."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        event, meta = envelope.event, envelope.meta
        case_id = case_id_of(event)
        if case_id is None:
            return
        await conn.execute(
            "INSERT INTO case_parts VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            case_id,
            stream_of(envelope),
            envelope.stream_seq,
            meta.type,
            meta.occurred_at,
            envelope.commit,
        )
        await conn.execute(
            "INSERT INTO case_status (case_id, tenant) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            case_id,
            meta.tenant,
        )
        if isinstance(event, CaseOpened):
            await conn.execute(
                "UPDATE case_status SET procedure = $2 WHERE case_id = $1", case_id, event.procedure
            )
        elif isinstance(event, CaseClosed):
            await conn.execute(
                "UPDATE case_status SET closed_at = $2 WHERE case_id = $1", case_id, event.closed_at
            )
        elif isinstance(event, FeeAssessed | NoFeeDue):
            await conn.execute(
                "UPDATE case_status SET fee_settled = true WHERE case_id = $1", case_id
            )
        elif not isinstance(event, ApplicationSubmitted):  # it may be the last part to arrive
            return
        await file_if_complete(conn, case_id, envelope)

    return Projection(
        name="case-records",
        owner=Service.ARCHIVE,
        sources=(Service.INTAKE, Service.CASEWORK, Service.BILLING, Service.NOTIFY),
        event_types=frozenset(cls.type_name for cls in COLLECTED),
        handle=handle,
        migrations=(
            DDL,
            "CREATE UNIQUE INDEX files_by_reference ON files (tenant, file_reference)",
        ),
        rebuildable=False,
        opens_personal_data=False,
    )


async def file_if_complete(
    conn: asyncpg.Connection, case_id: UUID, envelope: Envelope[DomainEvent]
) -> None:
    """File the case once its record is complete (``filing.ready_to_file``)."""
    status = await conn.fetchrow(
        "SELECT s.*, EXISTS (SELECT 1 FROM case_parts p WHERE p.case_id = s.case_id"
        " AND p.event_types = $2) AS submitted FROM case_status s WHERE s.case_id = $1",
        case_id,
        ApplicationSubmitted.type_name,
    )
    if status is None or not filing.ready_to_file(
        submitted=status["submitted"],
        closed=status["closed_at"] is not None,
        fee_settled=status["fee_settled"],
        filed=status["filed"],
    ):
        return
    tenant = status["tenant"]
    head = await conn.fetchrow("SELECT last_hash, files FROM chain_heads WHERE tenant = $1", tenant)
    previous = head["last_hash"] if head else filing.GENESIS
    parts = [
        filing.RecordPart(r["stream"], r["stream_seq"], bytes(r["commit"]))
        for r in await conn.fetch(
            "SELECT stream, stream_seq, commit FROM case_parts WHERE case_id = $1", case_id
        )
    ]
    now = datetime.now(UTC)
    number: int = await conn.fetchval(
        "INSERT INTO file_numbers VALUES ($1, $2, 1) ON CONFLICT (tenant, year)"
        " DO UPDATE SET last = file_numbers.last + 1 RETURNING last",
        tenant,
        german_date(now).year,
    )
    command = filing.FileCase(
        case_id=case_id,
        procedure=status["procedure"] or "",
        parts=parts,
        previous_chain_hash=previous,
        number=number,
        closed_at=status["closed_at"],
        now=now,
    )
    [filed] = filing.decide_filing([], command)
    assert isinstance(filed, CaseFiled)
    await outbox.record(
        conn,
        file_ref(tenant, case_id),
        [filed],
        commit_id=derived_id(case_id, "file-case"),
        cause=Cause.from_event(envelope.meta, "system:archive.filing"),
        expected_seq=0,
    )
    await record_file(conn, tenant, filed, previous, parts, head)


async def record_file(
    conn: asyncpg.Connection,
    tenant: str,
    filed: CaseFiled,
    previous: str,
    parts: list[filing.RecordPart],
    head: Any,
) -> None:
    """Remember the file and move the town's chain head to it."""
    position = (head["files"] if head else 0) + 1
    await conn.execute(
        "INSERT INTO files VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        filed.case_id,
        tenant,
        position,
        filed.file_reference,
        filed.record_hash,
        previous,
        filed.chain_hash,
        [[p.stream, p.stream_seq] for p in parts],
        filed.retain_until,
        filed.filed_at,
    )
    await conn.execute(
        "INSERT INTO chain_heads VALUES ($1, $2, $3) ON CONFLICT (tenant)"
        " DO UPDATE SET last_hash = $2, files = $3",
        tenant,
        filed.chain_hash,
        position,
    )
    await conn.execute("UPDATE case_status SET filed = true WHERE case_id = $1", filed.case_id)
