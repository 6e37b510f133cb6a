"""The transactional outbox: effects recorded locally, announced on NATS whenever NATS is there.

A side effect (an e-mail sent, a file filed with its number, a fee with its Kassenzeichen) is
decided and recorded in the service's own database, and the events that announce it are
written to ``rc_outbox`` **in the same transaction** (``record``). The publisher appends them
to the service's stream afterwards, retrying until NATS takes them. So:

* a NATS outage only delays announcements; whether an effect happened is never asked of NATS,
  so an outage can never make a service repeat one;
* a rolled-back transaction leaves neither the effect's record nor its announcement;
* every announcement lands exactly once: the commit id is fixed when it is recorded, and a
  repeat after a crash (appended, but the row not yet deleted) is recognised in the log.

The one window left is the effect itself: a crash between the external call (an SMTP server
accepting a mail) and the local commit repeats it. That is milliseconds, and a repeated mail
carries the same Message-ID.

Rows of one aggregate are published in the order they were recorded; rows of different
aggregates in parallel. An aggregate written through the outbox is written only through it:
then its last commit is always the one a repeat must look for. Several replicas may publish
at once: rows are claimed with ``FOR UPDATE SKIP LOCKED``, and a row waits while an earlier
one of its aggregate is pending.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import structlog

from contracts.base import REGISTRY, DomainEvent
from runtime.database import connect
from runtime.datakeys import KeyErased
from runtime.errors import describe_error
from runtime.eventstore import AggregateRef, Cause, ConcurrencyConflict, EventStore
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.telemetry import consuming_span, current_traceparent

log = structlog.get_logger(__name__)

CHANNEL = "rc_outbox"
"""PostgreSQL NOTIFY channel that wakes the publisher when a transaction recorded something."""

CLAIM = """
WITH claimed AS MATERIALIZED (
    SELECT o.id FROM rc_outbox o
    WHERE o.next_attempt_at <= now()
      AND NOT EXISTS (
        SELECT 1 FROM rc_outbox e WHERE e.subject_key = o.subject_key AND e.id < o.id)
      AND set_config('synchronous_commit', 'off', true) = 'off'
    ORDER BY o.id LIMIT $1
    FOR UPDATE SKIP LOCKED)
DELETE FROM rc_outbox r USING claimed WHERE r.id = claimed.id
RETURNING r.*
"""
"""Claim due rows by deleting them: a row published is gone when the transaction commits,
one that failed comes back with it (``_failed`` records why).

No need to wait for the disk: a deletion a crash takes back only makes the row come again,
and its commit is then found in the log. So a claimed row's condition turns synchronous commit
off for the transaction (a claim that takes nothing commits nothing) — a condition rather
than a ``SET LOCAL`` of its own, which was a round trip for every claim.

The rows are chosen once (``MATERIALIZED``). As ``WHERE id IN (subquery)``, the statistics of
a table this small led PostgreSQL to run the locking subquery again for every row of the
table: in the skeleton benchmark archive's claims took 4.5 ms each, now 1.1 ms."""


def subject_key(ref: AggregateRef) -> str:
    """The aggregate a row belongs to, independent of the installation's namespace."""
    return f"{ref.service.value}.{ref.tenant}.{ref.aggregate_type}.{ref.aggregate_id}"


async def record(
    conn: asyncpg.Connection,
    ref: AggregateRef,
    events: Sequence[DomainEvent],
    *,
    commit_id: UUID,
    cause: Cause,
    data_key: str | None = None,
    expected_seq: int | None = None,
) -> bool:
    """Record a commit to be published, inside the caller's transaction.

    ``expected_seq`` is the aggregate's last stream sequence if the caller knows it (0 for a
    new aggregate); otherwise the publisher asks the stream. Returns False if a commit with
    this id was recorded before (a repeated reaction).
    """
    if not events:
        raise ValueError("a commit needs at least one event")
    status: str = await conn.execute(
        "INSERT INTO public.rc_outbox (commit_id, subject_key, tenant, aggregate_type,"
        " aggregate_id, events, expected_seq, data_key, actor, correlation_id, causation_id,"
        " traceparent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        " ON CONFLICT (commit_id) DO NOTHING",
        commit_id,
        subject_key(ref),
        ref.tenant,
        ref.aggregate_type,
        ref.aggregate_id,
        [{"type": e.type_name, "data": e.model_dump(mode="json")} for e in events],
        expected_seq,
        data_key,
        cause.actor,
        cause.correlation_id,
        cause.causation_id,
        current_traceparent(),
    )
    return status != "INSERT 0 0"  # the insert's trigger wakes the publisher


@dataclass(frozen=True)
class OutboxStatus:
    """What readiness and operators see of the outbox."""

    pending: int
    oldest_seconds: float
    failing: int


async def outbox_status(pool: asyncpg.Pool) -> OutboxStatus:
    """How many commits wait, how long the oldest has waited, how many have failed."""
    row = await pool.fetchrow(
        "SELECT count(*) AS pending,"
        " coalesce(extract(epoch FROM now() - min(created_at)), 0) AS oldest,"
        " count(*) FILTER (WHERE last_error IS NOT NULL) AS failing FROM rc_outbox"
    )
    assert row is not None
    return OutboxStatus(row["pending"], float(row["oldest"]), row["failing"])


def _events_of(row: Any) -> list[DomainEvent]:
    return [
        REGISTRY.event_class(item["type"]).model_validate(item["data"]) for item in row["events"]
    ]


def _without_personal_data(events: list[DomainEvent]) -> list[DomainEvent]:
    """The events as they read after erasure: every personal field ``None``."""
    return [event.model_copy(update=dict.fromkeys(event.personal_fields())) for event in events]


class OutboxPublisher:
    """Appends recorded commits to the service's stream, oldest first, until none is left."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        store: EventStore,
        ref_of: Any,
        database_url: str,
        *,
        batch_size: int = 64,
        poll_seconds: float = 2.0,
    ) -> None:
        self._pool = pool
        self._store = store
        self._ref_of = ref_of
        self._database_url = database_url
        self._batch = batch_size
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self.published = 0
        self.last_error: str | None = None

    async def run(self) -> None:
        """Publish whenever woken (or every few seconds); back off while NATS is away."""
        listener = await self._listen()
        delay = 0.25
        try:
            while True:
                self._wake.clear()
                try:
                    while await self.publish_due() == self._batch:
                        pass  # a full batch: there may be more
                    delay = 0.25
                except INFRASTRUCTURE_ERRORS as exc:
                    self.last_error = describe_error(exc)
                    log.warning("outbox cannot publish, will retry", error=self.last_error)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    continue
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll)
        finally:
            if listener is not None:
                with suppress(Exception):
                    await listener.close(timeout=2)

    async def _listen(self) -> asyncpg.Connection | None:
        try:
            listener = await connect(self._database_url)
            await listener.add_listener(CHANNEL, lambda *_: self._wake.set())
            return listener
        except INFRASTRUCTURE_ERRORS as exc:
            # Polling still works; the listener is only there to be quick.
            log.warning("outbox publisher polls only", error=describe_error(exc))
            return None

    async def publish_due(self) -> int:
        """Publish one batch of due commits; returns how many were claimed."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(CLAIM, self._batch)  # without waiting for the disk
            if not rows:
                return 0
            outcomes = await asyncio.gather(
                *(self._publish(row) for row in rows), return_exceptions=True
            )
            infrastructure = next(
                (out for out in outcomes if isinstance(out, INFRASTRUCTURE_ERRORS)), None
            )
            if infrastructure is not None:
                # NATS is away: put every claimed row back as it was (the transaction rolls
                # back); those that did land are recognised as landed on the next attempt.
                raise infrastructure
            for row, outcome in zip(rows, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    await self._failed(conn, row, outcome)
            self.published += sum(1 for out in outcomes if out is None)
        self.last_error = None
        return len(rows)

    async def _publish(self, row: Any) -> None:
        """Append one recorded commit, exactly once."""
        ref: AggregateRef = self._ref_of(row)
        events = _events_of(row)
        carrier = {"traceparent": row["traceparent"]} if row["traceparent"] else None
        cause = Cause(row["actor"], row["correlation_id"], row["causation_id"])
        with consuming_span(f"publish {ref.aggregate_type}", carrier):
            try:
                await self._append(row, ref, events, cause, row["data_key"])
            except KeyErased:
                # Erased before it was announced: the announcement goes out without the
                # personal data, as every reader would see it now anyway.
                await self._append(row, ref, _without_personal_data(events), cause, None)

    async def _append(
        self,
        row: Any,
        ref: AggregateRef,
        events: list[DomainEvent],
        cause: Cause,
        data_key: str | None,
    ) -> None:
        expected = row["expected_seq"]
        if expected is None:
            expected, last_commit = await self._store.head(ref)
            if last_commit == str(row["commit_id"]):
                return  # appended before a crash took the row's deletion back
        created: datetime = row["created_at"]
        try:
            await self._append_at(ref, events, cause, data_key, row["commit_id"], expected, created)
        except ConcurrencyConflict:
            # Another commit is at the head: ours may have landed before it (published, then a
            # crash before the row was deleted), or someone else appended since the hint.
            loaded = await self._store.load(ref)
            if str(row["commit_id"]) in loaded.commit_ids:
                return
            await self._append_at(
                ref, events, cause, data_key, row["commit_id"], loaded.last_seq, created
            )

    async def _append_at(
        self,
        ref: AggregateRef,
        events: list[DomainEvent],
        cause: Cause,
        data_key: str | None,
        commit_id: UUID,
        expected: int,
        created: datetime,
    ) -> None:
        await self._store.append(
            ref,
            events,
            expected_seq=expected,
            cause=cause,
            commit_id=commit_id,
            data_key=data_key,
            occurred_at=created,
        )

    async def _failed(self, conn: asyncpg.Connection, row: Any, error: BaseException) -> None:
        """A commit NATS refused for a reason of its own: keep it, say so, try again later."""
        text = describe_error(error)
        attempts = row["attempts"] + 1
        values = dict(row.items())
        values.update(
            attempts=attempts,
            last_error=text,
            next_attempt_at=datetime.now(UTC) + timedelta(seconds=min(600.0, 2.0**attempts)),
        )
        columns = ", ".join(values)
        placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
        await conn.execute(
            f"INSERT INTO rc_outbox ({columns}) VALUES ({placeholders})", *values.values()
        )
        log.warning(
            "outbox commit failed, will retry",
            commit_id=str(row["commit_id"]),
            aggregate=row["subject_key"],
            attempts=attempts,
            error=text,
        )
