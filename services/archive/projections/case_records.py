"""Reaction: collect every commit concerning a case, and file the case once it is complete.

A case is complete when casework has closed it and billing has settled its fee (assessed
or none due); the two arrive on different streams in either order. All streams of this
projection are applied under one lock, so exactly one of them sees the case complete.

An incoming e-invoice is filed the same way, in the same town chain: its record is every
commit of its aggregate in billing's log, complete once its processing ended (paid,
rejected back to the supplier, or received as a duplicate that is never paid).

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
from contracts.envelope import Commit
from contracts.events.archive import AddendumFiled, CaseFiled, InvoiceFiled, InvoiceOutcome
from contracts.events.billing import (
    FeeAmended,
    FeeAssessed,
    FeeNoticeCancelled,
    FeeNoticeIssued,
    HandedOverForEnforcement,
    LateSurchargeCharged,
    NoFeeDue,
    PaymentBooked,
    ReminderIssued,
)
from contracts.events.casework import (
    CaseClosed,
    CaseDecided,
    CaseMoved,
    CaseOpened,
    CaseReferredToClerk,
    DecisionDispatched,
    DecisionDocumentIssued,
    HearingAnswered,
    HearingRequested,
    InformationReceived,
    InformationRequested,
)
from contracts.events.einvoices import (
    IncomingInvoiceReceived,
    IncomingInvoiceRejected,
    InvoiceCountersigned,
    InvoiceFactuallyApproved,
    InvoicePaymentOrdered,
    InvoiceReleasedForPayment,
)
from contracts.events.intake import ApplicationSubmitted
from contracts.events.notify import (
    MessageBounced,
    MessageDeferred,
    MessageDelivered,
    MessageDeliveryFailed,
)
from contracts.naming import Service
from runtime import outbox
from runtime.codec import Envelope
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.projection import Projection
from runtime.service import Runtime
from services.archive.aggregates import addendum_ref, file_ref
from services.archive.domain import filing
from services.archive.filing_plans import plan_in_force

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
    CaseMoved,
    InformationRequested,
    InformationReceived,
    HearingRequested,
    HearingAnswered,
    CaseDecided,
    DecisionDocumentIssued,
    DecisionDispatched,
    CaseClosed,
    FeeAssessed,
    NoFeeDue,
    FeeNoticeIssued,
    FeeNoticeCancelled,
    FeeAmended,
    PaymentBooked,
    ReminderIssued,
    LateSurchargeCharged,
    HandedOverForEnforcement,
    MessageDelivered,
    MessageDeliveryFailed,
    MessageBounced,
    MessageDeferred,
    IncomingInvoiceReceived,
    InvoiceFactuallyApproved,
    InvoicePaymentOrdered,
    InvoiceCountersigned,
    IncomingInvoiceRejected,
    InvoiceReleasedForPayment,
)

OPENING = (ApplicationSubmitted.type_name, IncomingInvoiceReceived.type_name)
"""The first part of a record, without which it is not filed (it may arrive last)."""

INVOICE_STATUS = """
CREATE TABLE invoice_status (
    invoice_id      uuid PRIMARY KEY,
    original_sha256 text NOT NULL,
    report_sha256   text NOT NULL,
    outcome         text
)
"""


ADDENDA = """
CREATE TABLE file_addenda (
    case_id       uuid        NOT NULL,
    number        integer     NOT NULL,
    parts         jsonb       NOT NULL,
    event_types   text[]      NOT NULL,
    addendum_hash text        NOT NULL,
    previous_hash text        NOT NULL,
    link_hash     text        NOT NULL,
    filed_at      timestamptz NOT NULL,
    PRIMARY KEY (case_id, number)
)
"""


def case_id_of(event: DomainEvent) -> UUID | None:
    """The case an event concerns (the application id is the case id; an invoice is its own)."""
    if isinstance(event, ApplicationSubmitted):
        return event.application_id
    invoice_id = getattr(event, "invoice_id", None)
    if isinstance(invoice_id, UUID):
        return invoice_id
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
        # The part and the case's status in one round trip: every event of every case
        # comes through here (both inserts run whether or not the SELECT reads them).
        new_part, filed = await conn.fetchrow(
            "WITH part AS (INSERT INTO case_parts VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT DO NOTHING RETURNING true),"
            " status AS (INSERT INTO case_status (case_id, tenant) VALUES ($1, $7)"
            " ON CONFLICT (case_id) DO UPDATE SET tenant = case_status.tenant RETURNING filed)"
            " SELECT EXISTS (SELECT FROM part), (SELECT filed FROM status)",
            case_id,
            stream_of(envelope),
            envelope.stream_seq,
            meta.type,
            meta.occurred_at,
            envelope.commit,
            meta.tenant,
        )
        if filed:  # it came after the filing: an addendum (once per commit)
            if new_part:
                await file_addendum(conn, case_id, envelope)
            return
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
        elif isinstance(event, IncomingInvoiceReceived | IncomingInvoiceRejected):
            await invoice_status(conn, event)
        elif isinstance(event, InvoiceReleasedForPayment):
            await invoice_ended(conn, event.invoice_id, "paid", event.released_at)
        elif not isinstance(event, ApplicationSubmitted):  # it may be the last part to arrive
            return
        await file_if_complete(conn, case_id, envelope)

    return Projection(
        name="case-records",
        owner=Service.ARCHIVE,
        sources=(Service.INTAKE, Service.CASEWORK, Service.BILLING, Service.NOTIFY),
        # Delivery statuses are mostly addenda (the file is complete before the mail is
        # out): they may gather, and several share a batch and its durable commit.
        lingering=frozenset({Service.NOTIFY}),
        event_types=frozenset(cls.type_name for cls in COLLECTED),
        handle=handle,
        migrations=(
            DDL,
            "CREATE UNIQUE INDEX files_by_reference ON files (tenant, file_reference)",
            INVOICE_STATUS,
            ADDENDA,
            # The desk finds a file by its Aktenzeichen alone (a clerk may read other towns').
            "CREATE INDEX files_by_reference_alone ON files (file_reference)",
        ),
        rebuildable=False,
        opens_personal_data=False,
    )


async def invoice_status(
    conn: asyncpg.Connection, event: IncomingInvoiceReceived | IncomingInvoiceRejected
) -> None:
    """An invoice's receipt (its documents' checksums) or its rejection back to the supplier."""
    if isinstance(event, IncomingInvoiceRejected):
        await invoice_ended(conn, event.invoice_id, "rejected", event.step.at)
        return
    await conn.execute(
        "UPDATE case_status SET procedure = $2, fee_settled = true WHERE case_id = $1",
        event.invoice_id,
        filing.INVOICES,
    )
    await conn.execute(
        "INSERT INTO invoice_status VALUES ($1, $2, $3, NULL) ON CONFLICT DO NOTHING",
        event.invoice_id,
        event.original.sha256,
        event.report.sha256,
    )
    if event.duplicate_of is not None:  # kept as evidence, never paid: nothing more comes
        await invoice_ended(conn, event.invoice_id, "duplicate", event.received_at)


async def invoice_ended(
    conn: asyncpg.Connection, invoice_id: UUID, outcome: InvoiceOutcome, at: datetime
) -> None:
    """The invoice's processing ended: its record is complete."""
    await conn.execute(
        "UPDATE case_status SET closed_at = $2 WHERE case_id = $1 AND closed_at IS NULL",
        invoice_id,
        at,
    )
    await conn.execute(
        "UPDATE invoice_status SET outcome = coalesce(outcome, $2) WHERE invoice_id = $1",
        invoice_id,
        outcome,
    )


async def file_if_complete(
    conn: asyncpg.Connection, case_id: UUID, envelope: Envelope[DomainEvent]
) -> None:
    """File the case once its record is complete (``filing.ready_to_file``)."""
    status = await conn.fetchrow(
        "SELECT s.*, EXISTS (SELECT 1 FROM case_parts p WHERE p.case_id = s.case_id"
        " AND p.event_types = ANY($2::text[])) AS submitted FROM case_status s"
        " WHERE s.case_id = $1",
        case_id,
        list(OPENING),
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
        plan=await plan_in_force(conn, tenant),
    )
    if command.procedure == filing.INVOICES:
        invoice = await conn.fetchrow("SELECT * FROM invoice_status WHERE invoice_id = $1", case_id)
        decided = filing.decide_invoice_filing(
            [],
            filing.FileInvoice(
                **vars(command),
                original_sha256=invoice["original_sha256"],
                report_sha256=invoice["report_sha256"],
                outcome=invoice["outcome"],
            ),
        )
        commit_id = derived_id(case_id, "file-invoice")
    else:
        decided = filing.decide_filing([], command)
        commit_id = derived_id(case_id, "file-case")
    [filed] = decided
    assert isinstance(filed, CaseFiled | InvoiceFiled)
    await outbox.record(
        conn,
        file_ref(tenant, case_id),
        [filed],
        commit_id=commit_id,
        cause=Cause.from_event(envelope.meta, "system:archive.filing"),
        expected_seq=0,
    )
    await record_file(conn, tenant, case_id, filed, previous, parts, head)


async def file_addendum(
    conn: asyncpg.Connection, case_id: UUID, envelope: Envelope[DomainEvent]
) -> None:
    """Add a commit that arrived after the filing to the file, linked to what came before."""
    file = await conn.fetchrow(
        "SELECT f.tenant, f.record_hash, a.number, a.link_hash FROM files f"
        " LEFT JOIN LATERAL (SELECT number, link_hash FROM file_addenda"
        " WHERE case_id = f.case_id ORDER BY number DESC LIMIT 1) a ON true"
        " WHERE f.case_id = $1",
        case_id,
    )
    if file is None:  # filed flag set by a run whose files row is gone: nothing to link to
        return
    first = file["number"] is None  # linked to the file's record, later ones to the last
    number = 1 if first else file["number"] + 1
    previous = file["record_hash"] if first else file["link_hash"]
    part = filing.RecordPart(stream_of(envelope), envelope.stream_seq, envelope.commit)
    sealed, link = filing.addendum_link(previous, [part])
    types = [stored.meta.type for stored in Commit.model_validate_json(envelope.commit).events]
    now = datetime.now(UTC)
    await conn.execute(
        "INSERT INTO file_addenda VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        case_id,
        number,
        [[part.stream, part.stream_seq]],
        types,
        sealed,
        previous,
        link,
        now,
    )
    await outbox.record(
        conn,
        addendum_ref(file["tenant"], case_id),
        [
            AddendumFiled(
                case_id=case_id,
                number=number,
                event_types=types,
                addendum_hash=sealed,
                link_hash=link,
                filed_at=now,
            )
        ],
        commit_id=derived_id(case_id, "addendum", part.stream, part.stream_seq),
        cause=Cause.from_event(envelope.meta, "system:archive.filing"),
    )


async def record_file(
    conn: asyncpg.Connection,
    tenant: str,
    case_id: UUID,
    filed: CaseFiled | InvoiceFiled,
    previous: str,
    parts: list[filing.RecordPart],
    head: Any,
) -> None:
    """Remember the file and move the town's chain head to it."""
    position = (head["files"] if head else 0) + 1
    await conn.execute(
        "INSERT INTO files VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        case_id,
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
    await conn.execute("UPDATE case_status SET filed = true WHERE case_id = $1", case_id)
