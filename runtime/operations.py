"""What operators do to projections: see them, and rebuild a read model from the log.

Rebuild replays the log into a fresh schema while the live projection keeps running, then
swaps the two in one transaction under the projection's apply lock: inside it, the fresh
copy is caught up to exactly the live checkpoint, so the live runner continues seamlessly
from where it was, now on the rebuilt tables.

A rebuild treats an unreadable commit as the live runner does — a dead letter, never a crash
— and a rebuild that fails for any other reason leaves nothing behind (its schema is
dropped). Reactions (projections with side effects) cannot be rebuilt: a replay would repeat
their effects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import structlog
from nats.js import JetStreamContext

from contracts.naming import Namespace
from runtime.codec import EventCodec
from runtime.deadletters import record_dead_letter
from runtime.errors import describe_error
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.projection import CommitApplier, Projection, prepare_schema, readability
from runtime.reader import read_stream

log = structlog.get_logger(__name__)

Progress = Callable[[str, int], None]


class NotRebuildable(Exception):
    """The projection is a reaction: replaying it would repeat its effects."""


class RebuildFailed(Exception):
    """The rebuild stopped; nothing of it was kept. The message says why, in one line."""


@dataclass(frozen=True)
class ProjectionState:
    """One projection as operators see it: kind, checkpoints, lease, pause."""

    name: str
    kind: str
    checkpoints: dict[str, int]
    leases: dict[str, dict[str, Any]]
    open_dead_letters: int

    def as_json(self) -> dict[str, Any]:
        """For the operators' API."""
        return self.__dict__.copy()


async def projection_states(
    pool: asyncpg.Pool, projections: Sequence[Projection]
) -> list[ProjectionState]:
    """Every projection with its checkpoints per stream, leader, pause and dead letters."""
    states = []
    for projection in projections:
        checkpoints = {}
        if await pool.fetchval(
            "SELECT to_regclass($1) IS NOT NULL", f'"{projection.schema}".rc_checkpoint'
        ):
            rows = await pool.fetch(
                f'SELECT stream, last_seq FROM "{projection.schema}".rc_checkpoint ORDER BY 1'
            )
            checkpoints = {r["stream"]: r["last_seq"] for r in rows}
        leases = {
            r["stream"]: {
                "epoch": r["epoch"],
                "holder": r["holder"],
                "acquired_at": _iso(r["acquired_at"]),
                "paused": r["paused_reason"],
            }
            for r in await pool.fetch(
                "SELECT * FROM public.rc_projection_leases WHERE projection = $1 ORDER BY stream",
                projection.name,
            )
        }
        letters: int = await pool.fetchval(
            "SELECT count(*) FROM public.rc_dead_letters"
            " WHERE projection = $1 AND resolved_at IS NULL",
            projection.name,
        )
        states.append(
            ProjectionState(projection.name, projection.kind, checkpoints, leases, letters)
        )
    return states


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def rebuild(
    pool: asyncpg.Pool,
    js: JetStreamContext,
    ns: Namespace,
    codec: EventCodec,
    projection: Projection,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Rebuild ``projection`` from the log and swap it in; returns commits read per stream."""
    if not projection.rebuildable:
        raise NotRebuildable(
            f"{projection.name} is a reaction (it sends, files or appends): a replay would"
            " repeat its effects, so it cannot be rebuilt"
        )
    shadow = f"{projection.schema}__rebuild"
    replay = _Replay(projection, codec, shadow)
    async with pool.acquire() as conn:
        try:
            counts = await _rebuild_into(conn, js, ns, replay, progress)
        except INFRASTRUCTURE_ERRORS:
            await _drop(conn, shadow)
            raise
        except Exception as exc:
            await _drop(conn, shadow)
            raise RebuildFailed(describe_error(exc)) from exc
    log.warning("projection rebuilt", projection=projection.name, events=counts, dead=replay.dead)
    return counts


async def _drop(conn: asyncpg.Connection, schema: str) -> None:
    if not conn.is_in_transaction():
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


async def _rebuild_into(
    conn: asyncpg.Connection,
    js: JetStreamContext,
    ns: Namespace,
    replay: _Replay,
    progress: Progress | None,
) -> dict[str, int]:
    projection, shadow = replay.projection, replay.shadow
    await conn.execute(f'DROP SCHEMA IF EXISTS "{shadow}" CASCADE')
    async with conn.transaction():
        await prepare_schema(conn, projection, shadow)
    counts = {}
    for source in projection.sources:
        stream = ns.stream(source)
        counts[stream] = await replay.run(conn, js, stream, 1, None, progress)
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", projection.apply_lock)
        await _catch_up_to_live(conn, js, replay, ns, counts)
        await conn.execute(f'DROP SCHEMA IF EXISTS "{projection.schema}__old" CASCADE')
        await conn.execute(
            f'ALTER SCHEMA "{projection.schema}" RENAME TO "{projection.schema}__old"'
        )
        await conn.execute(f'ALTER SCHEMA "{shadow}" RENAME TO "{projection.schema}"')
        await conn.execute(f'DROP SCHEMA "{projection.schema}__old" CASCADE')
        await conn.execute(
            "UPDATE public.rc_dead_letters SET resolved_at = now(), resolution = 'rebuilt',"
            " resolved_by = 'rebuild' WHERE projection = $1 AND resolved_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::bigint[]) AS d(stream, seq)"
            " WHERE d.stream = rc_dead_letters.stream AND d.seq = rc_dead_letters.stream_seq)",
            projection.name,
            [stream for stream, _ in replay.dead],
            [seq for _, seq in replay.dead],
        )
    return counts


async def _catch_up_to_live(
    conn: asyncpg.Connection,
    js: JetStreamContext,
    replay: _Replay,
    ns: Namespace,
    counts: dict[str, int],
) -> None:
    """Inside the swap transaction: bring the shadow exactly to the live checkpoints."""
    projection, shadow = replay.projection, replay.shadow
    await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{projection.schema}"')
    has_live = await conn.fetchval(
        "SELECT to_regclass($1) IS NOT NULL", f'"{projection.schema}".rc_checkpoint'
    )
    for source in projection.sources:
        stream = ns.stream(source)
        live = (
            await conn.fetchval(
                f'SELECT last_seq FROM "{projection.schema}".rc_checkpoint WHERE stream = $1',
                stream,
            )
            if has_live
            else None
        )
        done = await conn.fetchval(
            f'SELECT last_seq FROM "{shadow}".rc_checkpoint WHERE stream = $1', stream
        )
        target = live if live is not None else done
        if target > done:
            counts[stream] += await replay.run(conn, js, stream, done + 1, target, None)
        await conn.execute(
            f'UPDATE "{shadow}".rc_checkpoint SET last_seq = $2 WHERE stream = $1', stream, target
        )


class _Replay:
    """Applies stream ranges to the shadow schema, in transactions of up to 500 commits."""

    def __init__(self, projection: Projection, codec: EventCodec, shadow: str) -> None:
        self.projection = projection
        self.shadow = shadow
        self.applier = CommitApplier(projection, codec, retry_delays=())
        self.dead: list[tuple[str, int]] = []

    async def run(
        self,
        conn: asyncpg.Connection,
        js: JetStreamContext,
        stream: str,
        start: int,
        stop: int | None,
        progress: Progress | None,
    ) -> int:
        count, last = 0, start - 1
        pending: list[Any] = []
        async for msg in read_stream(js, stream, start_seq=start, stop_seq=stop):
            last = msg.metadata.sequence.stream
            pending.append(msg)
            count += 1
            if len(pending) >= 500:
                await self._flush(conn, stream, pending, last)
                if progress:
                    progress(stream, last)
        await self._flush(conn, stream, pending, last)
        return count

    async def _flush(
        self, conn: asyncpg.Connection, stream: str, pending: list[Any], last: int
    ) -> None:
        async with conn.transaction():
            await conn.execute(f'SET LOCAL search_path TO "{self.shadow}", public')
            for msg in pending:
                await self._apply(conn, stream, msg)
            await conn.execute(
                "INSERT INTO rc_checkpoint (stream, last_seq) VALUES ($1, $2)"
                " ON CONFLICT (stream) DO UPDATE SET last_seq = EXCLUDED.last_seq",
                stream,
                last,
            )
        pending.clear()

    async def _apply(self, conn: asyncpg.Connection, stream: str, msg: Any) -> None:
        headers = dict(msg.headers or {})
        seq = msg.metadata.sequence.stream
        unreadable = readability(headers, self.projection)
        if unreadable.newer:
            raise RebuildFailed(
                f"{stream} sequence {seq} holds {', '.join(unreadable.newer)}, newer than this"
                " version knows: rebuild with the newer version"
            )
        error: BaseException | None = None
        if unreadable.unknown:
            error = LookupError(f"unknown event type(s): {', '.join(unreadable.unknown)}")
        elif self.applier.is_relevant(headers):
            try:
                await self.applier.apply(conn, msg.data, seq)
            except INFRASTRUCTURE_ERRORS:
                raise
            except Exception as exc:
                error = exc
        if error is not None:
            await record_dead_letter(
                conn,
                self.projection,
                stream,
                seq=seq,
                subject=msg.subject,
                headers=headers,
                data=msg.data,
                error=error,
                attempts=1,
            )
            self.dead.append((stream, seq))
