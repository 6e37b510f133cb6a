"""Dead letters: commits a projection could not apply, kept until an operator closes them.

A dead letter holds the commit as stored, a one-line error without values, where it came
from (tenant, correlation and trace id) and how often it was tried. An operator either
retries it (after a fix) or dismisses it with a reason; both are recorded with who did it.

A retry applies the commit *and then again every later commit of the same aggregate that the
projection has applied meanwhile*, in log order, in one transaction. The dead letter was
skipped when it failed, so later commits went ahead without it; re-applying them after it
leaves the read model as if everything had arrived in order — the older commit never
overwrites newer state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import structlog
from nats.js import JetStreamContext

from contracts.envelope import Headers
from runtime.codec import EventCodec
from runtime.errors import describe_error
from runtime.projection import CommitApplier, Projection, begin_batch, readability
from runtime.reader import read_stream

log = structlog.get_logger(__name__)

FIELDS = (
    "id, projection, stream, stream_seq, subject, event_types, error, attempts, tenant,"
    " correlation_id, trace_id, first_failed_at, last_failed_at, resolved_at, resolution,"
    " resolved_by, reason"
)


@dataclass(frozen=True)
class DeadLetter:
    """One commit a projection could not apply."""

    id: int
    projection: str
    stream: str
    stream_seq: int
    subject: str
    event_types: str
    error: str
    attempts: int
    tenant: str | None
    correlation_id: str | None
    trace_id: str | None
    first_failed_at: datetime
    last_failed_at: datetime
    resolved_at: datetime | None
    resolution: str | None
    resolved_by: str | None
    reason: str | None

    def as_json(self) -> dict[str, Any]:
        """For the operators' API."""
        return {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in self.__dict__.items()
        }


class DeadLetterNotRetried(Exception):
    """A retried dead letter failed again (its record is updated)."""


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id of a W3C ``traceparent`` (``00-<trace id>-<span id>-<flags>``)."""
    parts = (traceparent or "").split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


async def record_dead_letter(
    conn: asyncpg.Connection,
    projection: Projection,
    stream: str,
    *,
    seq: int,
    subject: str,
    headers: dict[str, str],
    data: bytes,
    error: BaseException,
    attempts: int,
) -> None:
    """Keep a commit that could not be applied (in the caller's transaction)."""
    await conn.execute(
        """
        INSERT INTO public.rc_dead_letters
            (projection, stream, stream_seq, subject, event_types, headers, data, error,
             attempts, tenant, correlation_id, trace_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        ON CONFLICT (projection, stream, stream_seq) DO UPDATE SET
            attempts = rc_dead_letters.attempts + EXCLUDED.attempts,
            error = EXCLUDED.error, last_failed_at = now(),
            resolved_at = NULL, resolution = NULL, resolved_by = NULL, reason = NULL
        """,
        projection.name,
        stream,
        seq,
        subject,
        headers.get(Headers.EVENT_TYPES, ""),
        headers,
        data,
        describe_error(error),
        attempts,
        headers.get(Headers.TENANT),
        headers.get(Headers.CORRELATION_ID),
        trace_id_of(headers.get(Headers.TRACEPARENT)),
    )


async def list_dead_letters(
    pool: asyncpg.Pool, *, include_resolved: bool = False
) -> list[DeadLetter]:
    """Dead letters, oldest first; open ones only unless asked otherwise."""
    rows = await pool.fetch(
        f"SELECT {FIELDS} FROM public.rc_dead_letters WHERE $1 OR resolved_at IS NULL ORDER BY id",
        include_resolved,
    )
    return [DeadLetter(**dict(row.items())) for row in rows]


async def open_dead_letters(pool: asyncpg.Pool) -> dict[str, int]:
    """How many dead letters each projection has open."""
    rows = await pool.fetch(
        "SELECT projection, count(*) AS open FROM public.rc_dead_letters"
        " WHERE resolved_at IS NULL GROUP BY projection ORDER BY projection"
    )
    return {row["projection"]: row["open"] for row in rows}


async def dismiss_dead_letter(
    pool: asyncpg.Pool, dead_letter_id: int, *, reason: str, actor: str
) -> None:
    """Close a dead letter without applying it, recording why and who decided so."""
    if not reason.strip():
        raise ValueError("a dismissal needs a reason")
    status = await pool.execute(
        "UPDATE public.rc_dead_letters SET resolved_at = now(), resolution = 'dismissed',"
        " resolved_by = $2, reason = $3 WHERE id = $1 AND resolved_at IS NULL",
        dead_letter_id,
        actor,
        reason.strip(),
    )
    if status == "UPDATE 0":
        raise LookupError(f"no open dead letter {dead_letter_id}")
    log.warning("dead letter dismissed", dead_letter=dead_letter_id, actor=actor, reason=reason)


async def retry_dead_letter(
    pool: asyncpg.Pool,
    js: JetStreamContext,
    projections: dict[str, Projection],
    codec: EventCodec,
    dead_letter_id: int,
    *,
    actor: str,
) -> int:
    """Apply a dead letter again (and its aggregate's later commits); returns how many.

    Marks it resolved, or records the new failure and raises ``DeadLetterNotRetried``.
    """
    row = await pool.fetchrow(
        "SELECT * FROM public.rc_dead_letters WHERE id = $1 AND resolved_at IS NULL",
        dead_letter_id,
    )
    if row is None:
        raise LookupError(f"no open dead letter {dead_letter_id}")
    projection = projections.get(row["projection"])
    if projection is None:
        raise LookupError(f"dead letter {dead_letter_id} belongs to an unknown projection")
    async with pool.acquire() as conn:
        try:
            applied = await _reapply(conn, js, projection, codec, row, actor)
        except Exception as exc:
            await conn.execute(
                "UPDATE public.rc_dead_letters SET attempts = attempts + 1,"
                " last_failed_at = now(), error = $2 WHERE id = $1",
                dead_letter_id,
                describe_error(exc),
            )
            raise DeadLetterNotRetried(describe_error(exc)) from exc
    log.warning(
        "dead letter retried",
        dead_letter=dead_letter_id,
        projection=projection.name,
        actor=actor,
        later_commits=applied - 1,
    )
    return applied


async def _reapply(
    conn: asyncpg.Connection,
    js: JetStreamContext,
    projection: Projection,
    codec: EventCodec,
    row: Any,
    actor: str,
) -> int:
    unreadable = readability(row["headers"], projection)
    if unreadable.unknown or unreadable.newer:
        raise LookupError(
            "this version cannot read "
            + ", ".join(unreadable.unknown + unreadable.newer)
            + " — retry after upgrading"
        )
    applier = CommitApplier(projection, codec, retry_delays=())
    async with conn.transaction():
        checkpoint, _ = await begin_batch(conn, projection, row["stream"])
        await applier.apply(conn, bytes(row["data"]), row["stream_seq"])
        applied = 1
        # Later commits that are dead letters themselves were never applied: not now either.
        skipped = {
            r["stream_seq"]
            for r in await conn.fetch(
                "SELECT stream_seq FROM public.rc_dead_letters WHERE projection = $1"
                " AND stream = $2 AND subject = $3 AND resolved_at IS NULL AND id <> $4",
                projection.name,
                row["stream"],
                row["subject"],
                row["id"],
            )
        }
        if checkpoint and checkpoint > row["stream_seq"]:
            async for msg in read_stream(
                js,
                row["stream"],
                start_seq=row["stream_seq"] + 1,
                stop_seq=checkpoint,
                subject=row["subject"],
            ):
                seq = msg.metadata.sequence.stream
                if seq not in skipped and applier.is_relevant(dict(msg.headers or {})):
                    await applier.apply(conn, msg.data, seq)
                    applied += 1
        await conn.execute(
            "UPDATE public.rc_dead_letters SET resolved_at = now(), resolution = 'retried',"
            " resolved_by = $2 WHERE id = $1",
            row["id"],
            actor,
        )
    return applied
