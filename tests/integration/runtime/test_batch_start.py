"""A projection batch's start (``rc_batch_start``): one round trip, and still the checkpoint
that the apply lock's previous holder committed, not the one before it."""

from __future__ import annotations

import asyncio

import asyncpg

from runtime.database import create_pool
from runtime.schema import RUNTIME_MIGRATIONS, migrate_database, read_migrations

LOCK = 4711
START = "SELECT checkpoint, epoch FROM public.rc_batch_start('read-model', $1, $2, 'S', 'p')"


async def prepared(database_url: str) -> None:
    pool = await create_pool(database_url)
    try:
        await migrate_database(pool, read_migrations("runtime", RUNTIME_MIGRATIONS))
        await pool.execute(
            'CREATE SCHEMA "read-model";'
            ' CREATE TABLE "read-model".rc_checkpoint (stream text PRIMARY KEY, last_seq bigint);'
            " INSERT INTO \"read-model\".rc_checkpoint VALUES ('S', 5);"
            " INSERT INTO rc_projection_leases (projection, stream, epoch) VALUES ('p', 'S', 3)"
        )
    finally:
        await pool.close()


async def test_a_batch_waits_for_the_lock_and_then_reads_what_its_holder_committed(
    database_url: str,
) -> None:
    await prepared(database_url)
    holder, waiter = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        async with holder.transaction():
            assert tuple(await holder.fetchrow(START, LOCK, "off")) == (5, 3)
            assert await holder.fetchval("SHOW search_path") == '"read-model", public'
            assert await holder.fetchval("SHOW synchronous_commit") == "off"
            await holder.execute("UPDATE rc_checkpoint SET last_seq = 9 WHERE stream = 'S'")
            await waiter.execute("BEGIN")
            started = asyncio.create_task(waiter.fetchrow(START, LOCK, "on"))
            await asyncio.sleep(0.5)
            assert not started.done()  # the apply lock keeps it out
        assert tuple(await started) == (9, 3)  # read after the lock was granted
        assert await waiter.fetchval("SHOW synchronous_commit") == "on"
        await waiter.execute("COMMIT")
    finally:
        await holder.close()
        await waiter.close()


async def test_one_statement_that_locked_and_read_would_read_too_early(database_url: str) -> None:
    """Why the function reads in statements of its own: the control the test above needs."""
    await prepared(database_url)
    holder, waiter = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        async with holder.transaction():
            await holder.execute("SELECT pg_advisory_xact_lock($1)", LOCK)
            await holder.execute(
                "UPDATE \"read-model\".rc_checkpoint SET last_seq = 9 WHERE stream = 'S'"
            )
            started = asyncio.create_task(
                waiter.fetchval(
                    'SELECT last_seq FROM "read-model".rc_checkpoint, pg_advisory_xact_lock($1)'
                    " WHERE stream = 'S'",
                    LOCK,
                )
            )
            await asyncio.sleep(0.5)
        assert await started == 5  # the snapshot was taken before the lock was granted
    finally:
        await holder.close()
        await waiter.close()
