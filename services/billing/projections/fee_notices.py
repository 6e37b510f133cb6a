"""Reaction: an assessed fee gets its notice — rendered, stored sealed, announced on the fee.

What a notice needs is projected here from the logs: the towns' profiles and offices and the
applications (intake: the addressee is personal data, so the application is kept as its
commit was stored, sealed, and opened with the case's key only to render), the cases
and their decisions (casework), the assessments and the town's account (billing). Each
source is read by a runner of its own, so a fee may be assessed before its application has
arrived here: the notice then waits (``notices.status = 'waiting'``) and whichever arrival
completes it issues it. A fee of nothing (``NoFeeDue``) gets no notice.

Issuing renders the PDF/A, stores it sealed with the case's key under
``<data key>/gebuehrenbescheid-<case id>.pdf`` (``services.billing.documents``) and records
``FeeNoticeIssued`` in the outbox **in the same transaction** that marks the notice issued
and moves the checkpoint, with a commit id derived from the assessment: a redelivered
``FeeAssessed`` finds its notice issued and does nothing, and a retry after a failed store
stores and announces the notice once. A case whose key is erased before its notice gets
none (``skipped``): there is nothing left to seal it with, nor anyone to address.

A business that asked in its application for the fee as an XRechnung gets it beside the
notice, checked, stored sealed alike and announced on the same ``FeeNoticeIssued``
(``services.billing.fee_invoices``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import structlog

from contracts.base import DomainEvent
from contracts.events.billing import FeeAssessed, FeeNoticeIssued
from contracts.events.casework import CaseDecided, CaseOpened, DocumentRef
from contracts.events.intake import ApplicationSubmitted, ProcedureOffered, TownProfilePublished
from contracts.naming import Service
from runtime import documents, outbox
from runtime.codec import Envelope
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.projection import Projection
from runtime.service import Runtime
from runtime.worker import Job
from services.billing.aggregates import fee_ref
from services.billing.fee_invoices import FeeCase, issue_xrechnung
from services.billing.notices.assembly import (
    Applicant,
    Decision,
    addressee,
    fee_notice,
    letterhead,
)
from services.billing.notices.notice import FeeNotice
from services.billing.stored_records import opened_application, town_account

log = structlog.get_logger(__name__)

RENDER: Job[FeeNotice, bytes] = Job("services.billing.notices.pdf:render")

DDL = """
CREATE TABLE towns (
    ags     text PRIMARY KEY,
    profile jsonb NOT NULL,
    offices jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE applications (
    application_id uuid PRIMARY KEY,
    event_id       uuid NOT NULL,
    commit         bytea NOT NULL,
    data_key       text NOT NULL
);
CREATE TABLE cases (
    case_id        uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    objection_to   uuid,
    case_number    text
);
CREATE TABLE decisions (
    case_id      uuid PRIMARY KEY,
    decided_at   timestamptz NOT NULL,
    on_behalf_of text NOT NULL,
    clerk_name   text,
    clerk_town   text
);
CREATE TABLE notices (
    case_id     uuid PRIMARY KEY,
    tenant      text NOT NULL,
    assessed_id uuid NOT NULL,
    assessed    jsonb NOT NULL,
    correlation uuid NOT NULL,
    status      text NOT NULL DEFAULT 'waiting',
    object_name text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
"""

WAITING = """
SELECT n.*, c.case_number, d.decided_at, d.on_behalf_of, d.clerk_name, d.clerk_town,
       a.event_id AS application_event_id, a.commit AS application_commit, a.data_key,
       t.profile, t.offices, ct.profile AS clerk_profile
FROM notices n
JOIN cases c USING (case_id)
JOIN decisions d USING (case_id)
JOIN applications a ON a.application_id = coalesce(c.objection_to, c.application_id)
JOIN towns t ON t.ags = d.on_behalf_of
LEFT JOIN towns ct ON ct.ags = d.clerk_town
WHERE n.case_id = $1 AND n.status = 'waiting'
FOR UPDATE OF n
"""
"""A waiting notice with everything it needs (no row while something has not arrived).

Locked: two runners (an application and an assessment arriving at once) may both find it
complete; the second waits for the first's transaction and then finds it issued — else both
would store the PDF, and the second store would replace the document the first announced."""

EVENT_TYPES = frozenset(
    e.type_name
    for e in (
        TownProfilePublished,
        ProcedureOffered,
        ApplicationSubmitted,
        CaseOpened,
        CaseDecided,
        FeeAssessed,
    )
)


NOTICES_SINCE = datetime(2026, 11, 30, tzinfo=UTC)
"""The release that introduced fee notices. Fees assessed before it were demanded otherwise:
they get no notice (and so no mail) when the reaction first reads the log from its start."""


def projection(runtime: Runtime) -> Projection:
    """The reaction, wired to the running service."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        for case_id in await remember(conn, envelope):
            await issue(runtime, conn, case_id)

    sources = (Service.INTAKE, Service.CASEWORK, Service.BILLING)
    return Projection(
        name="fee-notices",
        owner=Service.BILLING,
        sources=sources,
        deferred=frozenset(sources),  # nobody waits for it in the moment
        event_types=EVENT_TYPES,
        handle=handle,
        migrations=(DDL,),
        rebuildable=False,
        # It keeps each application's commit sealed and opens it only to render a notice.
        opens_personal_data=False,
    )


async def remember(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> list[UUID]:
    """Keep what a notice needs; returns the cases whose notice this may complete."""
    event = envelope.event
    if isinstance(event, TownProfilePublished):
        await conn.execute(
            "INSERT INTO towns (ags, profile) VALUES ($1, $2)"
            " ON CONFLICT (ags) DO UPDATE SET profile = $2",
            event.ags,
            event.model_dump(mode="json"),
        )
        return await _waiting(conn)
    if isinstance(event, ProcedureOffered):
        await conn.execute(
            "UPDATE towns SET offices = offices || jsonb_build_object($2::text, $3::text)"
            " WHERE ags = $1",
            event.ags,
            event.procedure,
            event.competent_office,
        )
        return []
    if isinstance(event, ApplicationSubmitted):
        await _applied(conn, envelope, event)
        return await _waiting(conn, event.application_id)
    if isinstance(event, CaseOpened):
        await conn.execute(
            "INSERT INTO cases VALUES ($1, $2, $3, $4) ON CONFLICT (case_id) DO NOTHING",
            event.case_id,
            event.application_id,
            event.objection_to,
            event.case_number,
        )
        return [event.case_id]
    if isinstance(event, CaseDecided):
        await _decided(conn, event)
        return [event.case_id]
    if isinstance(event, FeeAssessed) and demands_payment(envelope, event):
        await conn.execute(
            "INSERT INTO notices (case_id, tenant, assessed_id, assessed, correlation)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id) DO NOTHING",
            event.case_id,
            envelope.meta.tenant,
            envelope.meta.event_id,
            event.model_dump(mode="json"),
            envelope.meta.correlation_id,
        )
        return [event.case_id]
    return []


def demands_payment(envelope: Envelope[DomainEvent], assessed: FeeAssessed) -> bool:
    """Whether an assessment gets a notice: an amount above zero, assessed since notices exist."""
    return assessed.amount > 0 and envelope.meta.occurred_at >= NOTICES_SINCE


async def _waiting(conn: asyncpg.Connection, application_id: UUID | None = None) -> list[UUID]:
    rows = await conn.fetch(
        "SELECT n.case_id FROM notices n JOIN cases c USING (case_id) WHERE n.status = 'waiting'"
        " AND ($1::uuid IS NULL OR coalesce(c.objection_to, c.application_id) = $1)",
        application_id,
    )
    return [row["case_id"] for row in rows]


async def _applied(
    conn: asyncpg.Connection, envelope: Envelope[DomainEvent], event: ApplicationSubmitted
) -> None:
    await conn.execute(
        "INSERT INTO applications VALUES ($1, $2, $3, $4) ON CONFLICT (application_id) DO NOTHING",
        event.application_id,
        envelope.meta.event_id,
        envelope.commit,
        envelope.meta.data_key or str(event.application_id),
    )


async def _decided(conn: asyncpg.Connection, event: CaseDecided) -> None:
    clerk = event.clerk
    await conn.execute(
        "INSERT INTO decisions VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id) DO NOTHING",
        event.case_id,
        event.decided_at,
        event.on_behalf_of,
        clerk.name if clerk else None,
        clerk.town if clerk else None,
    )


async def issue(runtime: Runtime, conn: asyncpg.Connection, case_id: UUID) -> None:
    """Issue a waiting notice whose case is complete here (else leave it waiting)."""
    row = await conn.fetchrow(WAITING, case_id)
    if row is None:
        return
    key = await runtime.keys.get(row["data_key"])
    if key is None:
        await _mark(conn, case_id, "skipped", None)
        log.warning("no fee notice: the case's personal data is erased", case_id=str(case_id))
        return
    account = await town_account(runtime, row["tenant"])
    assessed = FeeAssessed.model_validate(row["assessed"])
    application = await opened_application(
        runtime, row["application_event_id"], row["application_commit"]
    )
    to = addressee(_applicant(application))
    if account is None or to is None:
        await _mark(conn, case_id, "skipped", None)
        log.warning("no fee notice: no account or no addressee", case_id=str(case_id))
        return
    issued_at = datetime.now(UTC)
    notice = fee_notice(
        assessed,
        town=letterhead(row["profile"], row["offices"].get(assessed.procedure), account),
        to=to,
        case_number=row["case_number"] or str(case_id),
        decision=Decision(
            decided_at=row["decided_at"],
            clerk_name=row["clerk_name"],
            clerk_town_name=row["clerk_profile"]["official_name"] if row["clerk_profile"] else None,
        ),
        issued_at=issued_at,
    )
    content = await runtime.worker(RENDER, notice)
    filename = f"gebuehrenbescheid-{case_id}.pdf"
    name = documents.object_name(row["data_key"], filename)
    stored = await documents.store_once(runtime.attachments, name, content, key)
    document = DocumentRef(
        object_name=name,
        filename=filename,
        content_type="application/pdf",
        size=stored.size,
        sha256=stored.sha256,
    )
    office = row["offices"].get(assessed.procedure)
    case = FeeCase(
        assessed,
        application,
        row["profile"],
        office,
        account,
        notice.case_number,
        row["decided_at"],
        row["data_key"],
    )
    xrechnung = await issue_xrechnung(runtime, case, key, issued_at)
    issued = FeeNoticeIssued(
        case_id=case_id,
        procedure=assessed.procedure,
        document=document,
        cash_reference=assessed.cash_reference,
        amount=assessed.amount,
        due_date=assessed.due_date,
        payee=account.holder,
        iban=account.iban,
        bic=account.bic,
        issued_at=issued_at,
        xrechnung=xrechnung.document if xrechnung else None,
        xrechnung_email=xrechnung.email if xrechnung else None,
    )
    await outbox.record(
        conn,
        fee_ref(row["tenant"], case_id),
        [issued],
        commit_id=derived_id(row["assessed_id"], "fee-notice"),
        cause=Cause(
            actor="system:billing.notices",
            correlation_id=row["correlation"],
            causation_id=row["assessed_id"],
        ),
        data_key=row["data_key"],
    )
    await _mark(conn, case_id, "issued", name)


def _applicant(event: ApplicationSubmitted) -> Applicant:
    """What the notice needs of the application (opened from its commit with the key)."""
    name = event.contact.name if event.contact else None
    return Applicant(event.procedure, event.form_version, event.form, name)


async def _mark(conn: asyncpg.Connection, case_id: UUID, status: str, name: str | None) -> None:
    await conn.execute(
        "UPDATE notices SET status = $2, object_name = $3, updated_at = now() WHERE case_id = $1",
        case_id,
        status,
        name,
    )
