"""Reaction: every decision gets its letter — rendered, stored sealed, announced on the case.

What a letter needs is projected here from the logs: the towns' profiles and offices and the
applications (intake), the cases and their decisions (casework), file references (archive).
Each source is read by a runner of its own, so a decision may arrive before its application
has: the decision then waits (``letters.status = 'waiting'``) and the application's arrival
issues it. Issuing renders the PDF, stores it sealed with the case's key under
``<data key>/bescheid-<case id>.pdf`` (``services.casework.documents``) and appends
``DecisionDocumentIssued`` with a commit id derived from the decision: a redelivered decision,
or a retry after a failed store, stores and announces the letter once. A case whose personal
data was erased before its letter gets none (``skipped``): there is no key to seal it with.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import structlog

from contracts.base import DomainEvent
from contracts.calendar import german_date
from contracts.events.archive import CaseFiled, PersonalDataErased
from contracts.events.casework import CaseDecided, CaseOpened, DecisionDocumentIssued, DocumentRef
from contracts.events.intake import (
    ApplicationSubmitted,
    ObjectionLodged,
    ProcedureOffered,
    TownProfilePublished,
)
from contracts.naming import Service
from runtime import documents
from runtime.codec import Envelope
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.projection import Projection
from runtime.service import Runtime
from runtime.worker import Job
from services.casework.aggregates import case_ref
from services.casework.domain.case import fold
from services.casework.letters.assembly import Application, CaseFacts, assemble
from services.casework.letters.decision import DecisionLetter

log = structlog.get_logger(__name__)

RENDER: Job[DecisionLetter, bytes] = Job("services.casework.letters.pdf:render")

DDL = """
CREATE TABLE towns (
    ags     text PRIMARY KEY,
    profile jsonb NOT NULL,
    offices jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE applications (
    application_id uuid PRIMARY KEY,
    procedure      text NOT NULL,
    form_version   integer,
    submitted_at   timestamptz NOT NULL,
    case_number    text,
    contact_name   text,
    form           jsonb,
    data_key       text NOT NULL
);
CREATE TABLE objections (
    objection_id   uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    lodged_at      timestamptz NOT NULL
);
CREATE TABLE cases (
    case_id        uuid PRIMARY KEY,
    tenant         text NOT NULL,
    application_id uuid NOT NULL,
    competent_town text NOT NULL,
    objection_to   uuid,
    case_number    text,
    decided_at     timestamptz
);
CREATE TABLE file_references (
    case_id        uuid PRIMARY KEY,
    file_reference text NOT NULL
);
CREATE TABLE letters (
    case_id     uuid PRIMARY KEY,
    decision_id uuid NOT NULL,
    commit      bytea NOT NULL,
    status      text NOT NULL DEFAULT 'waiting',
    object_name text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
"""

WAITING = """
SELECT l.case_id, l.decision_id, l.commit, c.tenant, c.competent_town, c.objection_to,
       c.case_number, a.procedure, a.form_version, a.form, a.contact_name, a.submitted_at,
       a.case_number AS application_case_number, a.data_key, o.lodged_at,
       f.file_reference, first.decided_at AS objected_decided_at
FROM letters l
JOIN cases c USING (case_id)
LEFT JOIN applications a ON a.application_id = coalesce(c.objection_to, c.application_id)
LEFT JOIN objections o ON o.objection_id = c.case_id
LEFT JOIN file_references f ON f.case_id = c.case_id
LEFT JOIN cases first ON first.case_id = c.objection_to
WHERE l.case_id = $1 AND l.status = 'waiting'
"""
"""A waiting letter with everything it needs; ``procedure`` is NULL while the application
(or the objection) has not arrived."""


LETTERS_SINCE = datetime(2026, 11, 30, tzinfo=UTC)
"""The release that introduced decision letters. An installation with history has decisions
from before it: they were made known otherwise and get no letter (and so no second mail)."""


def writes_letter(decided: Envelope[DomainEvent]) -> bool:
    """Whether a decision gets a letter: every decision since letters exist."""
    return decided.meta.occurred_at >= LETTERS_SINCE


def projection(runtime: Runtime) -> Projection:
    """The reaction, wired to the running service."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        event = envelope.event
        if isinstance(event, CaseDecided):
            if not writes_letter(envelope):
                return
            await _decided(conn, envelope, event)
            await issue(runtime, conn, event.case_id)
        elif isinstance(event, ApplicationSubmitted | ObjectionLodged):
            await _applied(conn, envelope, event)
            waiting = await conn.fetch(
                "SELECT l.case_id FROM letters l JOIN cases c USING (case_id)"
                " WHERE l.status = 'waiting' AND (c.case_id = $1 OR c.objection_to = $1)",
                getattr(event, "objection_id", None) or event.application_id,
            )
            for row in waiting:
                await issue(runtime, conn, row["case_id"])
        else:
            await _remember(conn, envelope, event)

    sources = (Service.INTAKE, Service.CASEWORK, Service.ARCHIVE)
    return Projection(
        name="decision-letters",
        owner=Service.CASEWORK,
        sources=sources,
        deferred=frozenset(sources),  # nobody waits for it in the moment
        event_types=frozenset(
            {
                TownProfilePublished.type_name,
                ProcedureOffered.type_name,
                ApplicationSubmitted.type_name,
                ObjectionLodged.type_name,
                CaseOpened.type_name,
                CaseDecided.type_name,
                CaseFiled.type_name,
                PersonalDataErased.type_name,
            }
        ),
        handle=handle,
        migrations=(DDL,),
        rebuildable=False,
    )


async def _remember(
    conn: asyncpg.Connection, envelope: Envelope[DomainEvent], event: DomainEvent
) -> None:
    """Keep what a letter will need: towns, offices, cases, file references; forget erased."""
    if isinstance(event, TownProfilePublished):
        await conn.execute(
            "INSERT INTO towns (ags, profile) VALUES ($1, $2)"
            " ON CONFLICT (ags) DO UPDATE SET profile = $2",
            event.ags,
            event.model_dump(mode="json"),
        )
    elif isinstance(event, ProcedureOffered):
        await conn.execute(
            "UPDATE towns SET offices = offices || jsonb_build_object($2::text, $3::text)"
            " WHERE ags = $1",
            event.ags,
            event.procedure,
            event.competent_office,
        )
    elif isinstance(event, CaseOpened):
        await conn.execute(
            "INSERT INTO cases (case_id, tenant, application_id, competent_town, objection_to,"
            " case_number) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id) DO NOTHING",
            event.case_id,
            envelope.meta.tenant,
            event.application_id,
            event.competent_town,
            event.objection_to,
            event.case_number,
        )
    elif isinstance(event, CaseFiled):
        await conn.execute(
            "INSERT INTO file_references VALUES ($1, $2) ON CONFLICT (case_id) DO NOTHING",
            event.case_id,
            event.file_reference,
        )
    elif isinstance(event, PersonalDataErased):
        await conn.execute(
            "UPDATE applications SET contact_name = NULL, form = NULL WHERE data_key = $1",
            event.data_key,
        )


async def _decided(
    conn: asyncpg.Connection, envelope: Envelope[DomainEvent], event: CaseDecided
) -> None:
    await conn.execute(
        "UPDATE cases SET decided_at = $2 WHERE case_id = $1", event.case_id, event.decided_at
    )
    await conn.execute(
        "INSERT INTO letters (case_id, decision_id, commit) VALUES ($1, $2, $3)"
        " ON CONFLICT (case_id) DO NOTHING",
        event.case_id,
        envelope.meta.event_id,
        envelope.commit,
    )


async def _applied(
    conn: asyncpg.Connection,
    envelope: Envelope[DomainEvent],
    event: ApplicationSubmitted | ObjectionLodged,
) -> None:
    if isinstance(event, ObjectionLodged):
        await conn.execute(
            "INSERT INTO objections VALUES ($1, $2, $3) ON CONFLICT (objection_id) DO NOTHING",
            event.objection_id,
            event.application_id,
            event.lodged_at,
        )
        return
    await conn.execute(
        "INSERT INTO applications VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (application_id) DO NOTHING",
        event.application_id,
        event.procedure,
        event.form_version,
        event.submitted_at,
        event.case_number,
        event.contact.name if event.contact else None,
        event.form,
        envelope.meta.data_key or str(event.application_id),
    )


async def issue(runtime: Runtime, conn: asyncpg.Connection, case_id: UUID) -> None:
    """Issue a waiting letter whose application has arrived (else leave it waiting)."""
    row = await conn.fetchrow(WAITING, case_id)
    if row is None or row["procedure"] is None:
        return
    if row["objection_to"] is not None and row["lodged_at"] is None:
        return  # the objection itself has not arrived yet
    key = await runtime.keys.get(row["data_key"])
    if key is None:
        await _mark(conn, case_id, "skipped", None)
        log.warning("no decision letter: the case's personal data is erased", case_id=str(case_id))
        return
    decision = await _decision(runtime, row)
    decided = decision.event
    letter = assemble(
        decided,
        CaseFacts(
            case_id=case_id,
            case_number=row["case_number"],
            file_reference=row["file_reference"],
            objection_lodged_at=row["lodged_at"],
            objected_decided_on=german_date(row["objected_decided_at"])
            if row["objected_decided_at"]
            else None,
        ),
        Application(
            procedure=row["procedure"],
            form_version=row["form_version"],
            form=row["form"],
            contact_name=row["contact_name"],
            submitted_at=row["submitted_at"],
            case_number=row["application_case_number"],
        ),
        *await _towns(conn, decided),
    )
    content = await runtime.worker(RENDER, letter)
    filename = f"bescheid-{case_id}.pdf"
    name = documents.object_name(row["data_key"], filename)
    stored = await documents.store_once(runtime.attachments, name, content, key)
    document = DocumentRef(
        object_name=name,
        filename=filename,
        content_type="application/pdf",
        size=stored.size,
        sha256=stored.sha256,
    )
    await _announce(runtime, row, decision, document)
    await _mark(conn, case_id, "issued", name)


async def _decision(runtime: Runtime, row: Any) -> Envelope[CaseDecided]:
    """The waiting decision, decoded again from its commit as stored."""
    for envelope in await runtime.store.codec.decode(row["commit"], open_personal=False):
        if envelope.meta.event_id == row["decision_id"] and isinstance(envelope.event, CaseDecided):
            return Envelope(meta=envelope.meta, event=envelope.event)
    raise LookupError(f"decision {row['decision_id']} is not in its commit")


async def _towns(
    conn: asyncpg.Connection, decided: CaseDecided
) -> tuple[dict[str, Any], str | None, dict[str, Any] | None]:
    """The competent town's profile and office, and the clerk's town's profile."""
    town = await conn.fetchrow(
        "SELECT profile, offices FROM towns WHERE ags = $1", decided.on_behalf_of
    )
    if town is None:
        raise LookupError(f"no letterhead for town {decided.on_behalf_of}")
    clerk_town = None
    if decided.clerk is not None:
        clerk_town = await conn.fetchval(
            "SELECT profile FROM towns WHERE ags = $1", decided.clerk.town
        )
    return town["profile"], town["offices"].get(decided.procedure), clerk_town


async def _announce(
    runtime: Runtime, row: Any, decision: Envelope[CaseDecided], document: DocumentRef
) -> None:
    """``DecisionDocumentIssued`` on the case, once (derived commit id, and the case's state)."""
    decided = decision.event
    issued = DecisionDocumentIssued(
        case_id=decided.case_id, document=document, issued_at=datetime.now(UTC)
    )
    await runtime.store.decide_and_append(
        case_ref(row["tenant"], decided.case_id),
        lambda history: [] if fold(history).document_issued else [issued],
        commit_id=derived_id(row["decision_id"], "decision-document"),
        cause=Cause.from_event(decision.meta, "system:casework.letters"),
        data_key=row["data_key"],
    )


async def _mark(conn: asyncpg.Connection, case_id: UUID, status: str, name: str | None) -> None:
    await conn.execute(
        "UPDATE letters SET status = $2, object_name = $3, updated_at = now() WHERE case_id = $1",
        case_id,
        status,
        name,
    )
