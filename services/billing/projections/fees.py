"""Read model of assessed fees (open claims), from billing's own log."""

from __future__ import annotations

import asyncpg

from contracts.base import DomainEvent
from contracts.events.billing import FeeAssessed, FeeScheduleAdopted, NoFeeDue
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.projection import Projection

DDL = """
CREATE TABLE IF NOT EXISTS fees (
    case_id        uuid PRIMARY KEY,
    town           text NOT NULL,
    procedure      text,
    amount         numeric(12, 2) NOT NULL,
    cash_reference text,
    due_date       date,
    status         text NOT NULL,
    reason         text,
    assessed_at    timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS schedules (
    town text NOT NULL,
    procedure text NOT NULL,
    amount numeric(12, 2) NOT NULL,
    PRIMARY KEY (town, procedure)
);
"""


async def apply(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
    """Record fees and the current schedules."""
    event, town = envelope.event, envelope.meta.tenant
    if isinstance(event, FeeAssessed):
        await conn.execute(
            "INSERT INTO fees VALUES ($1, $2, $3, $4, $5, $6, 'open', NULL, $7)"
            " ON CONFLICT (case_id) DO NOTHING",
            event.case_id,
            town,
            event.procedure,
            event.amount,
            event.cash_reference,
            event.due_date,
            event.assessed_at,
        )
    elif isinstance(event, NoFeeDue):
        await conn.execute(
            "INSERT INTO fees VALUES ($1, $2, NULL, 0, NULL, NULL, 'none', $3, $4)"
            " ON CONFLICT (case_id) DO NOTHING",
            event.case_id,
            town,
            event.reason,
            event.assessed_at,
        )
    elif isinstance(event, FeeScheduleAdopted):
        await conn.execute("DELETE FROM schedules WHERE town = $1", town)
        await conn.executemany(
            "INSERT INTO schedules VALUES ($1, $2, $3)",
            [(town, procedure, amount) for procedure, amount in event.fees.items()],
        )


PROJECTION = Projection(
    name="fees",
    owner=Service.BILLING,
    sources=(Service.BILLING,),
    lingering=frozenset({Service.BILLING}),  # read by people, not by the next step
    event_types=frozenset(
        {FeeAssessed.type_name, NoFeeDue.type_name, FeeScheduleAdopted.type_name}
    ),
    handle=apply,
    migrations=(DDL,),
)
