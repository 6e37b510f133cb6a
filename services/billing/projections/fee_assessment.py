"""Reaction: a decided case gets its fee assessed from the town's fee schedule."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from contracts.base import DomainEvent
from contracts.calendar import german_date
from contracts.events.billing import FeeAssessed
from contracts.events.casework import CaseDecided
from contracts.naming import Service
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


async def next_cash_reference(conn: asyncpg.Connection, town: str, year: int) -> str:
    """The next Kassenzeichen of a town and year (a rolled-back number is simply skipped)."""
    number: int = await conn.fetchval(
        "INSERT INTO cash_reference_counters VALUES ($1, $2, 1) ON CONFLICT (town, year)"
        " DO UPDATE SET last = cash_reference_counters.last + 1 RETURNING last",
        town,
        year,
    )
    return fees.cash_reference(town, year, number)


async def keep_counter_past(conn: asyncpg.Connection, assessed: list[DomainEvent]) -> None:
    """Make the counter of a Kassenzeichen in the log at least that number."""
    for event in assessed:
        if isinstance(event, FeeAssessed):
            town, year, number = fees.parse_cash_reference(event.cash_reference)
            await conn.execute(
                "INSERT INTO cash_reference_counters VALUES ($1, $2, $3) ON CONFLICT (town, year)"
                " DO UPDATE SET last = greatest(cash_reference_counters.last, $3)",
                town,
                year,
                number,
            )


def projection(runtime: Runtime) -> Projection:
    """The reaction, wired to the running service."""
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        decision = envelope.event
        assert isinstance(decision, CaseDecided)
        town = envelope.meta.tenant
        ref = fee_ref(town, decision.case_id)
        assessed = [e.event for e in (await runtime.store.load(ref)).events]
        if assessed:
            # Assessed before, and this transaction's counter may have been rolled back
            # since (a failed batch, a crash before the checkpoint): bring the counter
            # past the number in the log, or the next case would get it again.
            await keep_counter_past(conn, assessed)
            return
        schedule = fees.current_schedule(
            [e.event for e in (await runtime.store.load(schedule_ref(town))).events]
        )
        now = datetime.now(UTC)
        command = fees.AssessFee(
            decision=decision,
            schedule=schedule,
            cash_reference=await next_cash_reference(conn, town, german_date(now).year),
            now=now,
            payment_term_days=settings.payment_term_days,
        )
        await runtime.store.decide_and_append(
            ref,
            lambda history: fees.decide_fee(history, command),
            commit_id=derived_id(envelope.meta.event_id, "assess-fee"),
            cause=Cause.from_event(envelope.meta, "system:billing.assessment"),
        )

    return Projection(
        name="fee-assessment",
        owner=Service.BILLING,
        sources=(Service.CASEWORK,),
        event_types=frozenset({CaseDecided.type_name}),
        handle=handle,
        ddl=DDL,
        rebuildable=False,
    )
