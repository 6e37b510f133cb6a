"""What operators do to projections: list and retry dead letters, rebuild a read model.

Rebuild replays the log into a fresh schema while the live projection keeps running, then
swaps the two in one transaction under the projection's apply lock: inside it, the fresh
copy is caught up to exactly the live checkpoint, so the live runner continues seamlessly
from where it was, now on the rebuilt tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import structlog
from nats.js import JetStreamContext

from contracts.naming import Namespace
from runtime.codec import EventCodec
from runtime.database import lock_key
from runtime.projection import CommitApplier, Projection, prepare_schema, unknown_types
from runtime.reader import read_stream

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class DeadLetter:
    """One commit a projection could not apply."""

    id: int
    projection: str
    stream: str
    stream_seq: int
    event_types: str
    error: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime
    resolved_at: datetime | None
    resolution: str | None


async def list_dead_letters(
    pool: asyncpg.Pool, *, include_resolved: bool = False
) -> list[DeadLetter]:
    """Dead letters, oldest first; open ones only unless asked otherwise."""
    rows = await pool.fetch(
        "SELECT id, projection, stream, stream_seq, event_types, error, attempts,"
        " first_failed_at, last_failed_at, resolved_at, resolution"
        " FROM rc_dead_letters WHERE $1 OR resolved_at IS NULL ORDER BY id",
        include_resolved,
    )
    return [DeadLetter(**dict(row.items())) for row in rows]


class DeadLetterNotRetried(Exception):
    """A retried dead letter failed again (its record is updated)."""


async def retry_dead_letter(
    pool: asyncpg.Pool, projections: dict[str, Projection], codec: EventCodec, dead_letter_id: int
) -> None:
    """Apply a dead-lettered commit again; mark it resolved, or record the new failure."""
    row = await pool.fetchrow(
        "SELECT * FROM rc_dead_letters WHERE id = $1 AND resolved_at IS NULL", dead_letter_id
    )
    if row is None:
        raise LookupError(f"no open dead letter {dead_letter_id}")
    projection = projections[row["projection"]]
    applier = CommitApplier(projection, codec, retry_delays=())
    unknown = unknown_types(row["headers"])
    async with pool.acquire() as conn:
        try:
            if unknown:
                raise LookupError(f"still unknown event type(s): {', '.join(unknown)}")
            async with conn.transaction():
                await conn.execute(f'SET LOCAL search_path TO "{projection.schema}", public')
                await conn.execute(
                    "SELECT pg_advisory_xact_lock($1)", lock_key(f"apply:{projection.schema}")
                )
                await applier.apply(conn, bytes(row["data"]), row["stream_seq"])
                await conn.execute(
                    "UPDATE public.rc_dead_letters SET resolved_at = now(), resolution = 'retried'"
                    " WHERE id = $1",
                    dead_letter_id,
                )
        except Exception as exc:
            await conn.execute(
                "UPDATE rc_dead_letters SET attempts = attempts + 1, last_failed_at = now(),"
                " error = $2 WHERE id = $1",
                dead_letter_id,
                f"{type(exc).__name__}: {exc}",
            )
            raise DeadLetterNotRetried(str(exc)) from exc
    log.info("dead letter retried", dead_letter=dead_letter_id, projection=projection.name)


async def rebuild(
    pool: asyncpg.Pool,
    js: JetStreamContext,
    ns: Namespace,
    codec: EventCodec,
    projection: Projection,
    progress: Any = None,
) -> dict[str, int]:
    """Rebuild ``projection`` from the log and swap it in; returns events read per stream."""
    if not projection.rebuildable:
        raise ValueError(f"{projection.name} has side effects and cannot be replayed")
    shadow = f"{projection.schema}__rebuild"
    applier = CommitApplier(projection, codec, retry_delays=())
    async with pool.acquire() as conn:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{shadow}" CASCADE')
        async with conn.transaction():
            await prepare_schema(conn, projection, shadow)
        counts = {}
        for source in projection.sources:
            stream = ns.stream(source)
            counts[stream] = await _replay(conn, js, applier, shadow, stream, 1, None, progress)
        async with conn.transaction():
            await conn.execute(
                "SELECT pg_advisory_xact_lock($1)", lock_key(f"apply:{projection.schema}")
            )
            await _catch_up_to_live(conn, js, applier, projection, shadow, ns, counts)
            await conn.execute(f'DROP SCHEMA IF EXISTS "{projection.schema}__old" CASCADE')
            await conn.execute(
                f'ALTER SCHEMA "{projection.schema}" RENAME TO "{projection.schema}__old"'
            )
            await conn.execute(f'ALTER SCHEMA "{shadow}" RENAME TO "{projection.schema}"')
            await conn.execute(f'DROP SCHEMA "{projection.schema}__old" CASCADE')
    log.info("projection rebuilt", projection=projection.name, events=counts)
    return counts


async def _catch_up_to_live(
    conn: asyncpg.Connection,
    js: JetStreamContext,
    applier: CommitApplier,
    projection: Projection,
    shadow: str,
    ns: Namespace,
    counts: dict[str, int],
) -> None:
    """Inside the swap transaction: bring the shadow exactly to the live checkpoints."""
    await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{projection.schema}"')
    for source in projection.sources:
        stream = ns.stream(source)
        live = (
            await conn.fetchval(
                f'SELECT last_seq FROM "{projection.schema}".rc_checkpoint WHERE stream = $1',
                stream,
            )
            if await _has_checkpoint(conn, projection.schema)
            else None
        )
        done = await conn.fetchval(
            f'SELECT last_seq FROM "{shadow}".rc_checkpoint WHERE stream = $1', stream
        )
        target = live if live is not None else done
        if target > done:
            counts[stream] += await _replay(
                conn, js, applier, shadow, stream, done + 1, target, None
            )
        await conn.execute(
            f'UPDATE "{shadow}".rc_checkpoint SET last_seq = $2 WHERE stream = $1', stream, target
        )


async def _has_checkpoint(conn: asyncpg.Connection, schema: str) -> bool:
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM information_schema.tables"
        " WHERE table_schema = $1 AND table_name = 'rc_checkpoint')",
        schema,
    )
    return found


async def _replay(
    conn: asyncpg.Connection,
    js: JetStreamContext,
    applier: CommitApplier,
    schema: str,
    stream: str,
    start: int,
    stop: int | None,
    progress: Any,
) -> int:
    """Apply a stream range to ``schema`` in transactions of up to 500 commits."""
    count, last = 0, start - 1
    pending: list[tuple[int, bytes, dict[str, str]]] = []

    async def flush() -> None:
        async with conn.transaction():
            await conn.execute(f'SET LOCAL search_path TO "{schema}", public')
            for seq, data, headers in pending:
                if applier.is_relevant(headers):
                    await applier.apply(conn, data, seq)
            await conn.execute(
                "INSERT INTO rc_checkpoint (stream, last_seq) VALUES ($1, $2)"
                " ON CONFLICT (stream) DO UPDATE SET last_seq = EXCLUDED.last_seq",
                stream,
                last,
            )
        pending.clear()

    async for msg in read_stream(js, stream, start_seq=start, stop_seq=stop):
        last = msg.metadata.sequence.stream
        pending.append((last, msg.data, dict(msg.headers or {})))
        count += 1
        if len(pending) >= 500:
            await flush()
            if progress:
                progress(stream, last)
    await flush()
    return count
