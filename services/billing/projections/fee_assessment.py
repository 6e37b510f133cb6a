"""Reaction: a decided case gets its fee assessed from the town's fee schedule.

The schedule is the one billing's log records for the town; of its versions, the one in force
on the day of the decision prices the case (``domain.fees``).

The Kassenzeichen is counted here, in PostgreSQL, and the assessment that uses it is recorded
in the same transaction — the row that says "this case is assessed" and the ``FeeAssessed``
to announce (through the runtime's outbox). A rolled-back transaction takes the number back
with the assessment, so no number is ever given twice, and a redelivered decision finds its
case assessed and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from contracts.base import DomainEvent
from contracts.calendar import german_date
from contracts.events.casework import CaseDecided
from contracts.naming import Service
from runtime import outbox
from runtime.codec import Envelope
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.projection import Projection
from runtime.service import Runtime
from services.billing.aggregates import fee_ref, schedule_ref
from services.billing.domain import fees
from services.billing.settings import BillingSettings

DDL = """
CREATE TABLE IF NOT EXISTS cash_reference_counters (
    town text    NOT NULL,
    year integer NOT NULL,
    last integer NOT NULL,
    PRIMARY KEY (town, year)
);
"""

ASSESSMENTS = """
CREATE TABLE assessments (
    case_id        uuid PRIMARY KEY,
    town           text NOT NULL,
    cash_reference text UNIQUE,
    assessed_at    timestamptz NOT NULL
);
"""


async def next_cash_reference(conn: asyncpg.Connection, town: str, year: int) -> str:
    """The next Kassenzeichen of a town and year (rolled back with the assessment)."""
    number: int = await conn.fetchval(
        "INSERT INTO cash_reference_counters VALUES ($1, $2, 1) ON CONFLICT (town, year)"
        " DO UPDATE SET last = cash_reference_counters.last + 1 RETURNING last",
        town,
        year,
    )
    return fees.cash_reference(town, year, number)


def projection(runtime: Runtime) -> Projection:
    """The reaction, wired to the running service."""
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        decision = envelope.event
        assert isinstance(decision, CaseDecided)
        if await conn.fetchval("SELECT 1 FROM assessments WHERE case_id = $1", decision.case_id):
            return  # a redelivered decision: assessed before
        town = envelope.meta.tenant
        history = [e.event for e in (await runtime.store.load_kept(schedule_ref(town))).events]
        schedule, versions = fees.current_schedule(history), fees.current_versions(history)
        now = datetime.now(UTC)
        due = isinstance(fees.assessment(decision, schedule, versions), fees.Assessment)
        reference = await next_cash_reference(conn, town, german_date(now).year) if due else ""
        command = fees.AssessFee(
            decision=decision,
            schedule=schedule,
            cash_reference=reference,
            now=now,
            payment_term_days=settings.payment_term_days,
            versions=versions,
        )
        await outbox.record(
            conn,
            fee_ref(town, decision.case_id),
            fees.decide_fee([], command),
            commit_id=derived_id(envelope.meta.event_id, "assess-fee"),
            cause=Cause.from_event(envelope.meta, "system:billing.assessment"),
            expected_seq=0,
        )
        await conn.execute(
            "INSERT INTO assessments VALUES ($1, $2, $3, $4)",
            decision.case_id,
            town,
            reference or None,
            now,
        )

    return Projection(
        name="fee-assessment",
        owner=Service.BILLING,
        sources=(Service.CASEWORK,),
        event_types=frozenset({CaseDecided.type_name}),
        handle=handle,
        migrations=(DDL, ASSESSMENTS),
        rebuildable=False,
        opens_personal_data=False,  # reads no personal field of what it is given
    )
