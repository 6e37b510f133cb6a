"""The senders' leases against a real PostgreSQL: a message is leased to one sender at a time.

A lease is taken over only when its sender's process is gone (its presence lock free) — and a
sender whose own process is not present (the database just restarted, the lock not yet back)
leases nothing, else every sibling would take its lease over and send the message again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from runtime.database import lock_key
from runtime.ids import new_id
from services.notify.domain.delivery import DEFERRABLE, priority
from services.notify.projections.outbox import migrations
from services.notify.sender import CLAIM

ONE = lock_key("notify-sender:one")
OTHER = lock_key("notify-sender:other")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database_url)
    await conn.execute("CREATE SCHEMA rm_outbox; SET search_path TO rm_outbox")
    for migration in migrations():
        await conn.execute(migration)
    await conn.execute("RESET search_path")
    try:
        yield conn
    finally:
        await conn.close()


async def present(database_url: str, holder: int) -> asyncpg.Connection:
    """A process's presence: a connection holding its session lock."""
    conn = await asyncpg.connect(database_url)
    await conn.execute("SELECT pg_advisory_lock($1)", holder)
    return conn


async def claim(db: asyncpg.Connection, holder: int) -> object:
    row = await db.fetchrow(CLAIM, new_id(), holder, 60, DEFERRABLE)
    return None if row is None else row["message_id"]


async def test_a_lease_is_taken_over_only_from_a_process_that_is_gone(
    db: asyncpg.Connection, database_url: str
) -> None:
    message = new_id()
    await db.execute(
        "INSERT INTO rm_outbox.outbox (message_id, tenant, template, recipient, subject, body)"
        " VALUES ($1, '14729410', 'acknowledgement', 'anna@example.org', 'Betreff', 'Text')",
        message,
    )
    # Not present (as right after a database restart): nothing is leased.
    assert await claim(db, ONE) is None
    one = await present(database_url, ONE)
    other = await present(database_url, OTHER)
    try:
        assert await claim(db, ONE) == message
        # Leased to a living process: neither it nor another process leases it again.
        assert await claim(db, ONE) is None
        assert await claim(db, OTHER) is None
    finally:
        await one.close()
    try:
        # Its process is gone: the other one takes it over at once.
        assert await claim(db, OTHER) == message
        # ... and the first, back but without its lock, still takes nothing.
        assert await claim(db, ONE) is None
    finally:
        await other.close()


async def test_a_receipt_is_leased_before_older_forwardings_and_then_by_due_time(
    db: asyncpg.Connection, database_url: str
) -> None:
    queued = []
    for template, age in (
        ("xgewerbeanzeige.finanzamt", 30),
        ("decision", 20),
        ("xgewerbeanzeige.ihk", 40),
        ("acknowledgement", 10),
    ):
        message = new_id()
        queued.append(message)
        await db.execute(
            "INSERT INTO rm_outbox.outbox (message_id, tenant, template, recipient, subject,"
            " body, priority, next_attempt_at)"
            " VALUES ($1, '14729410', $2, 'x@example.org', 'Betreff', 'Text', $3,"
            " now() - make_interval(secs => $4))",
            message,
            template,
            priority(template),
            age,
        )
    finance, decision, chamber, receipt = queued
    one = await present(database_url, ONE)
    try:
        assert [await claim(db, ONE) for _ in range(5)] == [
            receipt,
            decision,
            chamber,
            finance,
            None,
        ]
    finally:
        await one.close()
