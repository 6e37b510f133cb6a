"""Read model of the clerks' desk: every case's row, and its place in each town's queue.

``cases`` holds one row per case — what the queue shows and filters by, the applicant's name
(decrypted: only casework's clerks of entitled towns read it, and erasure removes it) and a
search text. ``queue`` holds one row per case and town that may process it, so a clerk's
queue is one index range in deadline order (urgent first) however many cases the other towns
have; keyset paging walks that index. Collections (open requests, pending hearings, overruled
rules) are kept as arrays changed idempotently, so applying a commit again changes nothing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from contracts.base import DomainEvent
from contracts.events.archive import PersonalDataErased
from contracts.events.casework import (
    AutomatedRuleOverruled,
    CaseClaimed,
    CaseClosed,
    CaseDecided,
    CaseMoved,
    CaseOpened,
    CaseReassigned,
    CaseReferredToClerk,
    CaseReleased,
    Clerk,
    DeadlineNear,
    HearingAnswered,
    HearingDeadlinePassed,
    HearingRequested,
    InformationReceived,
    InformationRequested,
)
from contracts.events.intake import ApplicationSubmitted, ObjectionLodged
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.projection import Projection
from runtime.service import Runtime

DDL = """
CREATE TABLE cases (
    case_id          uuid PRIMARY KEY,
    tenant           text NOT NULL,
    procedure        text,
    case_number      text,
    applicant_name   text,
    competent_town   text,
    processing_towns text[] NOT NULL DEFAULT '{}',
    opened_at        timestamptz,
    deadline         date,
    urgent           boolean NOT NULL DEFAULT false,
    objection_to     uuid,
    referred         boolean NOT NULL DEFAULT false,
    rule_outcomes    jsonb NOT NULL DEFAULT '[]',
    prepared         text,
    overruled        text[] NOT NULL DEFAULT '{}',
    claimed_by       text,
    claimed_by_name  text,
    claimed_at       timestamptz,
    open_requests    uuid[] NOT NULL DEFAULT '{}',
    pending_hearings uuid[] NOT NULL DEFAULT '{}',
    outcome          text,
    decided_by       text,
    decided_at       timestamptz,
    closed_reason    text,
    deadline_notice  text,
    status           text NOT NULL DEFAULT 'submitted',
    updated_at       timestamptz NOT NULL,
    search           text GENERATED ALWAYS AS
        (lower(coalesce(case_number, '') || ' ' || coalesce(applicant_name, ''))) STORED
);
CREATE INDEX cases_search ON cases USING gin (search public.gin_trgm_ops);
CREATE TABLE queue (
    town           text NOT NULL,
    case_id        uuid NOT NULL,
    procedure      text,
    competent_town text,
    status         text NOT NULL,
    is_open        boolean NOT NULL,
    rank           smallint NOT NULL,
    due            date NOT NULL,
    claimed_by     text,
    PRIMARY KEY (town, case_id)
);
CREATE INDEX queue_order ON queue (town, is_open, rank, due, case_id);
CREATE INDEX queue_by_procedure ON queue (town, procedure, is_open, rank, due, case_id);
CREATE INDEX queue_by_case ON queue (case_id);
"""

CLERKS = """
CREATE TABLE clerks (
    id        text PRIMARY KEY,
    name      text NOT NULL,
    town      text NOT NULL,
    email     text,
    last_seen timestamptz NOT NULL
);
CREATE INDEX clerks_by_town ON clerks (town, name);
"""
"""The clerks the desk has seen act (claims, reassignments): whom a supervisor assigns to."""

STATUS = """
status = CASE
    WHEN closed_reason = 'withdrawn' THEN 'withdrawn'
    WHEN closed_reason IS NOT NULL THEN 'closed'
    WHEN outcome IS NOT NULL THEN 'decided'
    WHEN cardinality(pending_hearings) > 0 THEN 'hearing'
    WHEN cardinality(open_requests) > 0 THEN 'awaiting_information'
    WHEN claimed_by IS NOT NULL THEN 'in_review'
    WHEN referred THEN 'queued'
    WHEN opened_at IS NOT NULL THEN 'automated_check'
    ELSE 'submitted' END
"""
"""The status the domain's ``Case.status`` derives, from the row (one rule, in SQL)."""

SYNC_QUEUE = """
WITH c AS (SELECT * FROM cases WHERE case_id = $1),
gone AS (
    DELETE FROM queue q USING c
    WHERE q.case_id = c.case_id AND NOT q.town = ANY (c.processing_towns))
INSERT INTO queue (town, case_id, procedure, competent_town, status, is_open, rank, due,
                   claimed_by)
SELECT t, c.case_id, c.procedure, c.competent_town, c.status,
       c.closed_reason IS NULL AND c.outcome IS NULL,
       CASE WHEN c.urgent THEN 0 ELSE 1 END, coalesce(c.deadline, DATE '9999-12-31'),
       c.claimed_by
FROM c, unnest(c.processing_towns) AS t
ON CONFLICT (town, case_id) DO UPDATE SET
    procedure = EXCLUDED.procedure, competent_town = EXCLUDED.competent_town,
    status = EXCLUDED.status, is_open = EXCLUDED.is_open, rank = EXCLUDED.rank,
    due = EXCLUDED.due, claimed_by = EXCLUDED.claimed_by
"""
"""A case's queue rows after a change: one per processing town, the others removed."""

CASE_EVENTS = (
    CaseOpened,
    CaseReferredToClerk,
    CaseClaimed,
    CaseReleased,
    CaseReassigned,
    CaseMoved,
    InformationRequested,
    InformationReceived,
    HearingRequested,
    HearingAnswered,
    HearingDeadlinePassed,
    AutomatedRuleOverruled,
    CaseDecided,
    CaseClosed,
    DeadlineNear,
)


def projection(runtime: Runtime) -> Projection:
    """The read model, wired to the running service."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        event, meta = envelope.event, envelope.meta
        if isinstance(event, PersonalDataErased):
            runtime.keys.forget(event.data_key)
            if event.case_id:
                await conn.execute(
                    "UPDATE cases SET applicant_name = NULL"
                    " WHERE case_id = $1 OR objection_to = $1",
                    event.case_id,
                )
            return
        if isinstance(event, ApplicationSubmitted):
            case_id: UUID = event.application_id
        elif isinstance(event, ObjectionLodged):
            case_id = event.objection_id
        elif isinstance(event, CASE_EVENTS):
            case_id = event.case_id
        else:
            return
        await conn.execute(
            "INSERT INTO cases (case_id, tenant, updated_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (case_id) DO UPDATE SET updated_at = greatest(cases.updated_at, $3)",
            case_id,
            meta.tenant,
            meta.occurred_at,
        )
        sql, args = change(event)
        await conn.execute(f"UPDATE cases SET {sql} WHERE case_id = $1", case_id, *args)
        if isinstance(event, CASE_EVENTS):
            await conn.execute(f"UPDATE cases SET {STATUS} WHERE case_id = $1", case_id)
            await conn.execute(SYNC_QUEUE, case_id)
        for clerk in clerks_named(event):
            await conn.execute(
                "INSERT INTO clerks VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE"
                " SET name = $2, town = $3, email = coalesce($4, clerks.email),"
                " last_seen = greatest(clerks.last_seen, $5)",
                clerk.id,
                clerk.name,
                clerk.town,
                clerk.email,
                meta.occurred_at,
            )

    sources = (Service.CASEWORK, Service.INTAKE, Service.ARCHIVE)
    return Projection(
        name="desk-cases",
        owner=Service.CASEWORK,
        sources=sources,
        deferred=frozenset(sources),  # nobody waits for it in the moment
        event_types=frozenset(
            {
                *(e.type_name for e in CASE_EVENTS),
                ApplicationSubmitted.type_name,
                ObjectionLodged.type_name,
                PersonalDataErased.type_name,
            }
        ),
        handle=handle,
        migrations=(DDL, CLERKS),
    )


def clerks_named(event: DomainEvent) -> list[Clerk]:
    """The clerks an event shows at work."""
    match event:
        case CaseClaimed() | CaseReleased():
            return [event.clerk]
        case CaseReassigned():
            return [event.to, event.by]
        case InformationRequested() | HearingRequested() | AutomatedRuleOverruled():
            return [event.by]
        case CaseDecided() if event.clerk:
            return [event.clerk]
    return []


def change(event: DomainEvent) -> tuple[str, list[Any]]:
    """The ``SET`` clause (parameters from ``$2``) that applies one event to its row."""
    match event:
        case ApplicationSubmitted():
            name = event.contact.name if event.contact else None
            return (
                "applicant_name = $2, procedure = coalesce(procedure, $3),"
                " case_number = coalesce(case_number, $4)",
                [name, event.procedure, event.case_number],
            )
        case ObjectionLodged():
            return (
                "procedure = coalesce(procedure, $2), case_number = coalesce(case_number, $3),"
                " objection_to = $4, applicant_name = coalesce(applicant_name,"
                " (SELECT applicant_name FROM cases f WHERE f.case_id = $4))",
                [event.procedure, event.case_number, event.application_id],
            )
        case CaseOpened():
            return (
                "procedure = $2, competent_town = $3, processing_towns = $4, opened_at = $5,"
                " deadline = $6, urgent = $7, objection_to = $8,"
                " case_number = coalesce($9, case_number)",
                [
                    event.procedure,
                    event.competent_town,
                    event.processing_towns,
                    event.opened_at,
                    event.deadline,
                    event.urgent,
                    event.objection_to,
                    event.case_number,
                ],
            )
        case CaseReferredToClerk():
            return (
                "referred = true, rule_outcomes = $2, prepared = $3",
                [[o.model_dump() for o in event.rule_outcomes], event.prepared],
            )
        case CaseClaimed():
            return (
                "claimed_by = $2, claimed_by_name = $3, claimed_at = $4",
                [event.clerk.id, event.clerk.name, event.claimed_at],
            )
        case CaseReassigned():
            return (
                "claimed_by = $2, claimed_by_name = $3, claimed_at = $4",
                [event.to.id, event.to.name, event.reassigned_at],
            )
        case CaseReleased():
            return ("claimed_by = NULL, claimed_by_name = NULL, claimed_at = NULL", [])
        case CaseMoved():
            return ("processing_towns = $2", [event.processing_towns])
        case InformationRequested():
            return (
                "open_requests = array_append(array_remove(open_requests, $2), $2)",
                [event.request_id],
            )
        case InformationReceived():
            return ("open_requests = array_remove(open_requests, $2)", [event.request_id])
        case HearingRequested():
            return (
                "pending_hearings = array_append(array_remove(pending_hearings, $2), $2)",
                [event.hearing_id],
            )
        case HearingAnswered() | HearingDeadlinePassed():
            return ("pending_hearings = array_remove(pending_hearings, $2)", [event.hearing_id])
        case AutomatedRuleOverruled():
            return (
                "overruled = array_append(array_remove(overruled, $2), $2)",
                [event.rule],
            )
        case CaseDecided():
            return (
                "outcome = $2, decided_by = $3, decided_at = $4",
                [event.outcome, event.decided_by, event.decided_at],
            )
        case CaseClosed():
            return ("closed_reason = $2", [event.reason])
        case DeadlineNear():
            return ("deadline_notice = $2", ["passed" if event.passed else "near"])
    return ("updated_at = updated_at", [])
