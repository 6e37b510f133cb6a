"""A sender's lease and its outcome survive a PostgreSQL crash, whatever the server's default.

The mail goes out right after the claim: if a crash could take the claim back, the message would
be due again after the restart and another sender would send it a second time, with the same
Message-ID, though no notify process was killed (seen once in the chaos run, whose PostgreSQL —
like the test suite's — commits without waiting for the WAL, ``synchronous_commit=off``). The same
goes for the outcome: a delivery a crash took back is sent again when its lease ends.

So this test runs a PostgreSQL of its own configured as the chaos run's, and kills it with SIGKILL
right after the claim and right after the record.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg

from devstack.embedded import EmbeddedPostgres, free_port
from runtime.database import create_pool, lock_key
from runtime.ids import new_id
from runtime.schema import RUNTIME_MIGRATIONS, migrate_database, read_migrations
from services.notify.domain.delivery import DEFERRABLE
from services.notify.projections.outbox import migrations
from services.notify.sender import CLAIM, Baton, Sender
from services.notify.settings import NotifySettings

ONE = lock_key("notify-sender:one")
OTHER = lock_key("notify-sender:other")


async def prepare(url: str) -> Any:
    """The runtime's tables and notify's outbox with one message to send, on disk."""
    pool = await create_pool(url)
    try:
        await migrate_database(pool, read_migrations("runtime", RUNTIME_MIGRATIONS))
    finally:
        await pool.close()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("CREATE SCHEMA rm_outbox; SET search_path TO rm_outbox")
        for migration in migrations():
            await conn.execute(migration)
        await conn.execute("RESET search_path")
        message = new_id()
        await conn.execute(
            "INSERT INTO rm_outbox.outbox (message_id, tenant, case_id, template, recipient,"
            " subject, body) VALUES ($1, '14729410', $2, 'fee_notice', 'anna@example.org',"
            " 'Gebührenbescheid', 'Text')",
            message,
            new_id(),
        )
        await conn.execute("CHECKPOINT")  # all of this on disk, whatever the commits did
    finally:
        await conn.close()
    return message


async def crash(server: EmbeddedPostgres) -> EmbeddedPostgres:
    """SIGKILL the postmaster at once, then start it again on the same data."""
    assert server.process is not None
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    return await asyncio.to_thread(server.restart)


async def present(url: str, holder: int) -> asyncpg.Connection:
    """A process's presence: a connection holding its session lock."""
    conn = await asyncpg.connect(url)
    await conn.execute("SELECT pg_advisory_lock($1)", holder)
    return conn


async def test_a_lease_and_a_delivery_outlive_a_database_crash(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path / "pg", port=free_port()).start(fsync=False)
    try:
        assert await _setting(server.url, "synchronous_commit") == "off"  # as in the chaos run
        message = await prepare(server.url)
        settings = NotifySettings(environment="test", lease_seconds=120)
        runtime = SimpleNamespace(pool=await create_pool(server.url), settings=settings)
        one = await present(server.url, ONE)
        sender = Sender(runtime, settings, Baton(), ONE)  # type: ignore[arg-type]
        row, token = await sender._claim()
        assert row is not None
        assert row["message_id"] == message
        # ... and the sender hands the mail to the server while the database dies.
        server = await crash(server)
        for conn in (one, runtime.pool):
            await conn.close()

        one = await present(server.url, ONE)
        other = await present(server.url, OTHER)
        db = await asyncpg.connect(server.url)
        try:
            # The lease is still there: no sender of either process takes the message while
            # its first sender may be sending it (without a durable claim, it was free again).
            leased = await db.fetchval(
                "SELECT lease_token FROM rm_outbox.outbox WHERE message_id = $1", message
            )
            assert leased == token
            assert await db.fetchrow(CLAIM, new_id(), OTHER, 60, DEFERRABLE) is None
            assert await db.fetchrow(CLAIM, new_id(), ONE, 60, DEFERRABLE) is None

            # The outcome, recorded once the database is back, survives the next crash too.
            runtime.pool = await create_pool(server.url)
            await sender._record(row, token, 1, None, False)
        finally:
            for conn in (db, one, other, runtime.pool):
                await conn.close()
        server = await crash(server)

        db = await asyncpg.connect(server.url)
        try:
            status = await db.fetchval(
                "SELECT status FROM rm_outbox.outbox WHERE message_id = $1", message
            )
            announced = await db.fetchval(
                "SELECT count(*) FROM rc_outbox WHERE aggregate_id = $1", str(message)
            )
        finally:
            await db.close()
        assert status == "delivered"
        assert announced == 1
    finally:
        server.stop()


async def _setting(url: str, name: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        value: str = await conn.fetchval("SELECT current_setting($1)", name)
        return value
    finally:
        await conn.close()
