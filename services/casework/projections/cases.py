"""Read model of cases and queues, for the clerks' desk.

It keeps the applicant's name (decrypted) so that a clerk sees whose case it is; when the
case's personal data is erased, the name is removed here too.
"""

from __future__ import annotations

import asyncpg

from contracts.base import DomainEvent
from contracts.events.archive import PersonalDataErased
from contracts.events.casework import CaseClosed, CaseDecided, CaseOpened, CaseReferredToClerk
from contracts.events.intake import ApplicationSubmitted
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.projection import Projection
from runtime.service import Runtime

DDL = """
CREATE TABLE IF NOT EXISTS cases (
    case_id          uuid PRIMARY KEY,
    tenant           text NOT NULL,
    procedure        text,
    status           text NOT NULL DEFAULT 'submitted',
    queue            text,
    processing_towns text[] NOT NULL DEFAULT '{}',
    opened_at        timestamptz,
    outcome          text,
    decided_by       text,
    rule_outcomes    jsonb NOT NULL DEFAULT '[]',
    applicant_name   text,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_by_queue ON cases (queue) WHERE status = 'referred';
"""

UPSERT = (
    "INSERT INTO cases (case_id, tenant, updated_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (case_id) DO NOTHING"
)


def projection(runtime: Runtime) -> Projection:
    """The read model, wired to the running service."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        event, meta = envelope.event, envelope.meta
        if isinstance(event, PersonalDataErased):
            runtime.keys.forget(event.data_key)
            if event.case_id:
                await conn.execute(
                    "UPDATE cases SET applicant_name = NULL WHERE case_id = $1", event.case_id
                )
            return
        if isinstance(event, ApplicationSubmitted):
            case_id = event.application_id
        elif isinstance(event, CaseOpened | CaseReferredToClerk | CaseDecided | CaseClosed):
            case_id = event.case_id
        else:
            return
        await conn.execute(UPSERT, case_id, meta.tenant, meta.occurred_at)
        await apply_change(conn, event, case_id, meta.occurred_at)

    return Projection(
        name="cases",
        owner=Service.CASEWORK,
        sources=(Service.CASEWORK, Service.INTAKE, Service.ARCHIVE),
        event_types=frozenset(
            {
                CaseOpened.type_name,
                CaseReferredToClerk.type_name,
                CaseDecided.type_name,
                CaseClosed.type_name,
                ApplicationSubmitted.type_name,
                PersonalDataErased.type_name,
            }
        ),
        handle=handle,
        migrations=(DDL,),
    )


async def apply_change(
    conn: asyncpg.Connection, event: DomainEvent, case_id: object, at: object
) -> None:
    """Write one event's change to the case row."""
    if isinstance(event, ApplicationSubmitted):
        name = event.contact.name if event.contact else None
        await conn.execute(
            "UPDATE cases SET applicant_name = $2, procedure = $3 WHERE case_id = $1",
            case_id,
            name,
            event.procedure,
        )
    elif isinstance(event, CaseOpened):
        await conn.execute(
            "UPDATE cases SET procedure = $2, processing_towns = $3, opened_at = $4,"
            " status = CASE WHEN status = 'submitted' THEN 'open' ELSE status END,"
            " updated_at = $4 WHERE case_id = $1",
            case_id,
            event.procedure,
            event.processing_towns,
            event.opened_at,
        )
    elif isinstance(event, CaseReferredToClerk):
        await conn.execute(
            "UPDATE cases SET status = 'referred', queue = $2, rule_outcomes = $3,"
            " updated_at = $4 WHERE case_id = $1",
            case_id,
            event.queue,
            [o.model_dump() for o in event.rule_outcomes],
            at,
        )
    elif isinstance(event, CaseDecided):
        await conn.execute(
            "UPDATE cases SET status = 'decided', outcome = $2, decided_by = $3,"
            " rule_outcomes = $4, updated_at = $5 WHERE case_id = $1",
            case_id,
            event.outcome,
            event.decided_by,
            [o.model_dump() for o in event.rule_outcomes],
            event.decided_at,
        )
    elif isinstance(event, CaseClosed):
        await conn.execute(
            "UPDATE cases SET status = 'closed', updated_at = $2 WHERE case_id = $1",
            case_id,
            event.closed_at,
        )
