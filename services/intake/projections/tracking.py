"""Read model of every application's status and timeline, from all five services' events.

It holds no personal data in clear: the applicant identifies with the tracking link, the
timeline lines are written so that they name no person, and a clerk's question is kept as
the commit casework stored — sealed with the application's key — to be opened only when the
applicant's page is served (and never again once the key is erased).

Besides the lines it keeps what the applicant can act on: the case's expected decision date,
its outcome, Bekanntgabe and closing; requests for information and whether they are
answered; the decision document's reference; objections as applications of their own,
linked to the first.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from contracts.base import DomainEvent
from contracts.events.archive import CaseFiled, PersonalDataErased
from contracts.events.billing import FeeAssessed, NoFeeDue
from contracts.events.casework import (
    CaseClosed,
    CaseDecided,
    CaseOpened,
    CaseReferredToClerk,
    DecisionDispatched,
    DecisionDocumentIssued,
    HearingRequested,
    InformationReceived,
    InformationRequested,
    StatusReported,
)
from contracts.events.intake import (
    ApplicationSubmitted,
    ApplicationWithdrawn,
    InformationProvided,
    ObjectionLodged,
)
from contracts.events.notify import MessageDelivered, MessageDeliveryFailed
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.projection import Projection
from services.intake.domain.tracking import TimelineEntry, timeline_entries

DDL = """
CREATE TABLE IF NOT EXISTS applications (
    application_id uuid PRIMARY KEY,
    tenant         text NOT NULL,
    procedure      text NOT NULL,
    submitted_at   timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS timeline (
    event_id       uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    step           text NOT NULL,
    label          text NOT NULL,
    occurred_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS timeline_by_application ON timeline (application_id, occurred_at);
"""

APPLICANT_STEPS = """
ALTER TABLE applications ADD COLUMN objection_to uuid;
CREATE INDEX applications_objections ON applications (objection_to)
    WHERE objection_to IS NOT NULL;
ALTER TABLE timeline DROP CONSTRAINT timeline_pkey;
ALTER TABLE timeline ADD PRIMARY KEY (event_id, application_id);
CREATE TABLE cases (
    application_id uuid PRIMARY KEY,
    deadline       date,
    outcome        text,
    known_on       date,
    closed_reason  text,
    withdrawn_at   timestamptz
);
CREATE TABLE information_requests (
    request_id     uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    due            date,
    requested_at   timestamptz,
    event_id       uuid,
    sealed_commit  bytea,
    answered_at    timestamptz
);
CREATE INDEX information_requests_by_application ON information_requests (application_id);
CREATE TABLE decision_documents (
    application_id uuid PRIMARY KEY,
    object_name    text NOT NULL,
    filename       text NOT NULL,
    content_type   text NOT NULL,
    size           bigint NOT NULL,
    sha256         text NOT NULL,
    data_key       text,
    issued_at      timestamptz NOT NULL
);
"""
"""An application's case as the applicant can act on it (one event may now make a line on
two timelines: an objection's)."""

TRACKED = (
    ApplicationSubmitted,
    CaseOpened,
    CaseReferredToClerk,
    CaseDecided,
    CaseClosed,
    FeeAssessed,
    NoFeeDue,
    CaseFiled,
    MessageDelivered,
    MessageDeliveryFailed,
    PersonalDataErased,
    InformationRequested,
    InformationReceived,
    InformationProvided,
    HearingRequested,
    StatusReported,
    DecisionDocumentIssued,
    DecisionDispatched,
    ApplicationWithdrawn,
    ObjectionLodged,
)

CASE_FACT = """
INSERT INTO cases (application_id, {column}) VALUES ($1, $2)
ON CONFLICT (application_id) DO UPDATE SET {column} = EXCLUDED.{column}
"""
"""One fact about a case, whichever of its events came first (the streams are independent)."""


async def apply(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
    """Record the event's facts and add its timeline lines (the status is derived when read).

    The streams are read independently, so a case's later steps may arrive before its
    submission, and an answer before its question; nothing here depends on that order.
    """
    event, meta = envelope.event, envelope.meta
    if isinstance(event, ApplicationSubmitted | ObjectionLodged):
        await _application(conn, meta.tenant, event)
    await _case_facts(conn, envelope)
    for entry in timeline_entries(event):
        await _line(conn, envelope, entry)


async def _application(
    conn: asyncpg.Connection, tenant: str, event: ApplicationSubmitted | ObjectionLodged
) -> None:
    """An application, or an objection: the first step of a case the applicant follows."""
    if isinstance(event, ApplicationSubmitted):
        values = (event.application_id, event.procedure, event.submitted_at, event.case_number)
        first = None
    else:
        values = (event.objection_id, event.procedure, event.lodged_at, event.case_number)
        first = event.application_id
    await conn.execute(
        "INSERT INTO applications (application_id, tenant, procedure, submitted_at,"
        " case_number, objection_to) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (application_id) DO NOTHING",
        values[0],
        tenant,
        *values[1:],
        first,
    )


async def _case_facts(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
    """What the applicant may do next depends on these: kept apart from the lines."""
    event = envelope.event
    match event:
        case CaseOpened() if event.deadline is not None:
            await conn.execute(CASE_FACT.format(column="deadline"), event.case_id, event.deadline)
        case CaseDecided():
            await conn.execute(CASE_FACT.format(column="outcome"), event.case_id, event.outcome)
        case DecisionDispatched():
            await conn.execute(CASE_FACT.format(column="known_on"), event.case_id, event.known_on)
        case CaseClosed():
            await conn.execute(
                CASE_FACT.format(column="closed_reason"), event.case_id, event.reason
            )
        case ApplicationWithdrawn():
            await conn.execute(
                CASE_FACT.format(column="withdrawn_at"), event.application_id, event.withdrawn_at
            )
        case InformationRequested():
            await _request(conn, envelope, event)
        case InformationProvided():
            await _answered(conn, event.request_id, event.application_id, event.provided_at)
        case InformationReceived():
            await _answered(conn, event.request_id, event.case_id, event.received_at)
        case DecisionDocumentIssued():
            await _document(conn, envelope, event)


async def _request(
    conn: asyncpg.Connection, envelope: Envelope[DomainEvent], event: InformationRequested
) -> None:
    """A question to the applicant: its due date, and the sealed commit that holds it."""
    await conn.execute(
        "INSERT INTO information_requests (request_id, application_id, due, requested_at,"
        " event_id, sealed_commit) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (request_id) DO UPDATE SET due = $3, requested_at = $4, event_id = $5,"
        " sealed_commit = $6",
        event.request_id,
        event.case_id,
        event.due,
        event.requested_at,
        envelope.meta.event_id,
        envelope.commit,
    )


async def _answered(
    conn: asyncpg.Connection, request_id: UUID, case_id: UUID, at: datetime
) -> None:
    """The first answer counts (the applicant's own, or the clerk's record of it)."""
    await conn.execute(
        "INSERT INTO information_requests (request_id, application_id, answered_at)"
        " VALUES ($1, $2, $3) ON CONFLICT (request_id) DO UPDATE"
        " SET answered_at = coalesce(information_requests.answered_at, $3)",
        request_id,
        case_id,
        at,
    )


async def _document(
    conn: asyncpg.Connection, envelope: Envelope[DomainEvent], event: DecisionDocumentIssued
) -> None:
    """The decision letter to download: where it is, and the key it is sealed with."""
    doc = event.document
    await conn.execute(
        "INSERT INTO decision_documents VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (application_id) DO UPDATE SET object_name = $2, filename = $3,"
        " content_type = $4, size = $5, sha256 = $6, data_key = $7, issued_at = $8",
        event.case_id,
        doc.object_name,
        doc.filename,
        doc.content_type,
        doc.size,
        doc.sha256,
        envelope.meta.data_key,
        event.issued_at,
    )


async def _line(
    conn: asyncpg.Connection, envelope: Envelope[DomainEvent], entry: TimelineEntry
) -> None:
    """One line; several hearings read as one (the applicant learns no body's name)."""
    if entry.step == "hearing" and await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM timeline WHERE application_id = $1 AND step = 'hearing')",
        entry.application_id,
    ):
        return
    await conn.execute(
        "INSERT INTO timeline VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (event_id, application_id) DO NOTHING",
        envelope.meta.event_id,
        entry.application_id,
        entry.step,
        entry.label,
        envelope.meta.occurred_at,
    )


PROJECTION = Projection(
    name="tracking",
    owner=Service.INTAKE,
    sources=tuple(Service),
    # The submission shows at once (the widget and the page look for it right after), and
    # casework's steps within a moment (a few commits gather for a quarter of a second and are
    # applied together): the applicant's own steps (answer, withdraw, object, download) are
    # decided on them. Fees, filing and deliveries can wait for a busy suite to catch up.
    deferred=frozenset({Service.BILLING, Service.ARCHIVE, Service.NOTIFY}),
    lingering=frozenset({Service.CASEWORK}),
    event_types=frozenset(cls.type_name for cls in TRACKED),
    handle=apply,
    migrations=(DDL, "ALTER TABLE applications ADD COLUMN case_number text", APPLICANT_STEPS),
    opens_personal_data=False,
)
