"""A test projection over the counter events: records every applied event, once."""

from __future__ import annotations

import asyncpg

from contracts.base import DomainEvent
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.projection import Projection
from tests.support.events import CounterBroke, CounterIncremented, CounterOpened

DDL = """
CREATE TABLE IF NOT EXISTS applied (
    stream_seq bigint NOT NULL,
    event_id   uuid   NOT NULL,
    kind       text   NOT NULL,
    value      integer
);
CREATE TABLE IF NOT EXISTS owners (counter text PRIMARY KEY, owner text);
"""


async def record(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
    """Apply one counter event; ``CounterBroke`` always fails (a poison event)."""
    event = envelope.event
    if isinstance(event, CounterBroke):
        raise ValueError(f"cannot apply: {event.note}")
    value = event.value if isinstance(event, CounterIncremented) else None
    await conn.execute(
        "INSERT INTO applied (stream_seq, event_id, kind, value) VALUES ($1, $2, $3, $4)",
        envelope.stream_seq,
        envelope.meta.event_id,
        envelope.meta.type,
        value,
    )
    if isinstance(event, CounterOpened):
        await conn.execute(
            "INSERT INTO owners VALUES ($1, $2) ON CONFLICT (counter) DO UPDATE SET owner = $2",
            envelope.meta.aggregate_id,
            event.owner,
        )


def counter_projection(batch_size: int = 64) -> Projection:
    """The projection as a service would declare it."""
    return Projection(
        name="counters",
        owner=Service.CASEWORK,
        sources=(Service.INTAKE,),
        event_types=frozenset(
            {"test.CounterOpened", "test.CounterIncremented", "test.CounterBroke"}
        ),
        handle=record,
        migrations=(DDL,),
        batch_size=batch_size,
    )


STATE_DDL = """
CREATE TABLE IF NOT EXISTS state (
    counter text PRIMARY KEY,
    owner   text,
    value   integer NOT NULL
);
"""

FAILING: set[int] = set()
"""Stream sequences the state projection's handler refuses (to make dead letters on purpose)."""


async def keep_state(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
    """The counter's current state: opened sets it up, an increment sets the value."""
    if envelope.stream_seq in FAILING:
        raise ValueError(f"refusing sequence {envelope.stream_seq} on purpose")
    event = envelope.event
    if isinstance(event, CounterOpened):
        await conn.execute(
            "INSERT INTO state VALUES ($1, $2, 0) ON CONFLICT (counter) DO UPDATE SET owner = $2",
            envelope.meta.aggregate_id,
            event.owner,
        )
    elif isinstance(event, CounterIncremented):
        await conn.execute(
            "UPDATE state SET value = $2 WHERE counter = $1",
            envelope.meta.aggregate_id,
            event.value,
        )


def state_projection() -> Projection:
    """A read model of current state (upserts), as most read models are."""
    return Projection(
        name="counter-state",
        owner=Service.CASEWORK,
        sources=(Service.INTAKE,),
        event_types=frozenset({"test.CounterOpened", "test.CounterIncremented"}),
        handle=keep_state,
        migrations=(STATE_DDL,),
    )
