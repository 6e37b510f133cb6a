"""Projections: read models and reactions, fed from the event log exactly once.

A projection reads one or more streams, each through its own durable pull consumer with
explicit acks. A batch of commits is applied in **one** PostgreSQL transaction that also
moves the projection's checkpoint (the last stream sequence applied), and only then acked.
A crash before the commit applies nothing; a crash after it is redelivered and skipped by
the checkpoint. So no event is applied twice and none is skipped.

Ordering needs a single reader: a session-level advisory lock elects one leader per
projection and stream among a service's replicas. The leader recreates its consumer at the
checkpoint each time it takes over, so messages left unacknowledged by a crashed
predecessor are read again in order instead of arriving late and out of order.

A commit whose handler keeps failing is retried a few times, then recorded as a dead letter
(commit, error, attempts) in the same transaction that moves the checkpoint past it; the
projection goes on. A commit naming an event type this code does not know is kept the same
way. Infrastructure failures (database or NATS unreachable) are never dead-lettered: the
batch is retried until it goes through.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import nats.errors
import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError, ServiceUnavailableError

from contracts.base import REGISTRY, DomainEvent, UnknownEventType
from contracts.envelope import Headers
from contracts.naming import Namespace, Service
from runtime.codec import Envelope, EventCodec, event_types_of
from runtime.database import connect, lock_key
from runtime.telemetry import consuming_span

log = structlog.get_logger(__name__)

Handler = Callable[[asyncpg.Connection, Envelope[DomainEvent]], Awaitable[None]]

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.SerializationError,
    ConnectionError,
    TimeoutError,
    nats.errors.ConnectionClosedError,
    nats.errors.NoRespondersError,
    nats.errors.TimeoutError,
    ServiceUnavailableError,
)
"""Failures of the surroundings, not of the event: retry the batch, never dead-letter."""


@dataclass(frozen=True)
class Projection:
    """A read model or reaction: what it reads, what it cares about, how it applies it."""

    name: str
    owner: Service
    sources: tuple[Service, ...]
    event_types: frozenset[str]
    handle: Handler
    ddl: str = ""
    rebuildable: bool = True
    batch_size: int = 256
    opens_personal_data: bool = True
    """False for projections that never read personal fields: they stay sealed."""

    @property
    def schema(self) -> str:
        """The PostgreSQL schema holding this projection's tables and checkpoint."""
        return f"rm_{self.name.replace('-', '_')}"

    def durable(self, ns: Namespace) -> str:
        """Durable consumer name (one per source stream, same name on each)."""
        return ns.durable(self.owner, self.name)

    def filter_subjects(self, ns: Namespace, source: Service) -> list[str]:
        """Subjects of ``source`` holding the aggregates whose events this projection handles.

        The server then delivers nothing else, so irrelevant commits cost no delivery, no
        decoding and no ack. Unknown event types still arrive on these subjects.
        """
        aggregate_types = sorted(
            {
                REGISTRY.event_class(name).aggregate_type
                for name in self.event_types
                if name.split(".", 1)[0] == source.value
            }
        )
        return [ns.aggregate_type_filter(source, kind) for kind in aggregate_types]


@dataclass
class RunnerStatus:
    """What a runner reports for readiness and operators."""

    leader: bool = False
    last_seq: int = 0
    applied: int = 0
    batches: int = 0
    dead_lettered: int = 0
    last_error: str | None = None
    awaiting_source: bool = False
    """The source stream does not exist yet: its owner has never started. Not a fault here."""
    consumer_ready: asyncio.Event = field(default_factory=asyncio.Event)


async def prepare_schema(conn: asyncpg.Connection, projection: Projection, schema: str) -> None:
    """Create the projection's schema, tables and checkpoint table if missing.

    Must run inside a transaction; the lock keeps runners of several sources (and replicas)
    from racing on ``CREATE ... IF NOT EXISTS``, which is not safe against itself.
    """
    await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(f"ddl:{schema}"))
    await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    await conn.execute(f'SET LOCAL search_path TO "{schema}", public')
    if projection.ddl:
        await conn.execute(projection.ddl)
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS rc_checkpoint ("
        " stream text PRIMARY KEY, last_seq bigint NOT NULL DEFAULT 0)"
    )


async def record_dead_letter(
    conn: asyncpg.Connection,
    projection: Projection,
    stream: str,
    msg: Msg,
    error: BaseException,
    attempts: int,
) -> None:
    """Keep a commit that could not be applied, with why and how often it was tried."""
    headers = dict(msg.headers or {})
    await conn.execute(
        """
        INSERT INTO public.rc_dead_letters
            (projection, stream, stream_seq, subject, event_types, headers, data, error, attempts)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (projection, stream, stream_seq) DO UPDATE SET
            attempts = rc_dead_letters.attempts + EXCLUDED.attempts,
            error = EXCLUDED.error, last_failed_at = now(),
            resolved_at = NULL, resolution = NULL
        """,
        projection.name,
        stream,
        msg.metadata.sequence.stream,
        msg.subject,
        headers.get(Headers.EVENT_TYPES, ""),
        headers,
        msg.data,
        f"{type(error).__name__}: {error}",
        attempts,
    )


class CommitApplier:
    """Applies one commit to a projection inside a savepoint, with bounded retries."""

    def __init__(
        self,
        projection: Projection,
        codec: EventCodec,
        retry_delays: tuple[float, ...] = (0.05, 0.5, 2.0),
    ) -> None:
        self.projection = projection
        self._codec = codec
        self._delays = retry_delays

    def is_relevant(self, headers: dict[str, str]) -> bool:
        """Whether a commit holds an event this projection handles (decided from headers)."""
        types = event_types_of(headers.get(Headers.EVENT_TYPES))
        return not types or bool(self.projection.event_types.intersection(types))

    async def apply(
        self, conn: asyncpg.Connection, raw: bytes, seq: int, *, savepoint: bool = True
    ) -> None:
        """Decode and hand every relevant event to the handler (in a savepoint of its own)."""
        if not savepoint:
            await self._apply_events(conn, raw, seq)
            return
        async with conn.transaction():
            await self._apply_events(conn, raw, seq)

    async def _apply_events(self, conn: asyncpg.Connection, raw: bytes, seq: int) -> None:
        envelopes = await self._codec.decode(
            raw, stream_seq=seq, open_personal=self.projection.opens_personal_data
        )
        for envelope in envelopes:
            if envelope.meta.type in self.projection.event_types:
                await self._handle(conn, envelope)

    async def apply_with_retries(
        self, conn: asyncpg.Connection, raw: bytes, seq: int
    ) -> tuple[BaseException, int] | None:
        """Apply, retrying a failing handler; returns (error, attempts) once it gives up."""
        attempts = 0
        while True:
            attempts += 1
            try:
                await self.apply(conn, raw, seq)
                return None
            except TRANSIENT_ERRORS:
                raise
            except UnknownEventType as exc:
                return exc, attempts
            except Exception as exc:
                if attempts > len(self._delays):
                    return exc, attempts
                log.warning(
                    "handler failed, retrying",
                    projection=self.projection.name,
                    stream_seq=seq,
                    attempt=attempts,
                    error=f"{type(exc).__name__}: {exc}",
                )
                await asyncio.sleep(self._delays[attempts - 1])

    async def _handle(self, conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        meta = envelope.meta
        carrier = {"traceparent": meta.traceparent} if meta.traceparent else None
        with (
            consuming_span(f"{self.projection.name} {meta.type}", carrier),
            structlog.contextvars.bound_contextvars(
                tenant=meta.tenant, correlation_id=str(meta.correlation_id)
            ),
        ):
            await self.projection.handle(conn, envelope)


def unknown_types(headers: dict[str, str]) -> list[str]:
    """Event types (or versions) named in a commit's headers that this code cannot read."""
    unknown = []
    for part in (headers.get(Headers.EVENT_TYPES) or "").split(","):
        name, _, version = part.partition("/")
        try:
            cls = REGISTRY.event_class(name)
        except UnknownEventType:
            unknown.append(part)
            continue
        if version.isdigit() and int(version) > cls.version:
            unknown.append(part)
    return unknown


class ProjectionRunner:
    """Feeds one projection from one source stream, for as long as the service runs."""

    def __init__(
        self,
        projection: Projection,
        source: Service,
        *,
        js: JetStreamContext,
        pool: asyncpg.Pool,
        database_url: str,
        codec: EventCodec,
        ns: Namespace,
        ack_wait: float = 60.0,
        fetch_timeout: float = 5.0,
        retry_delays: tuple[float, ...] = (0.05, 0.5, 2.0),
    ) -> None:
        self.projection = projection
        self.source = source
        self.stream = ns.stream(source)
        self.status = RunnerStatus()
        self._js = js
        self._pool = pool
        self._database_url = database_url
        self._ns = ns
        self._ack_wait = ack_wait
        self._fetch_timeout = fetch_timeout
        self._applier = CommitApplier(projection, codec, retry_delays)
        self._log = log.bind(projection=projection.name, stream=self.stream)

    @property
    def apply_lock(self) -> int:
        """Advisory lock every batch of this projection takes (rebuild swaps under it)."""
        return lock_key(f"apply:{self.projection.schema}")

    async def run(self) -> None:
        """Lead, consume, and on any failure start over after a pause — until cancelled."""
        delay = 0.5
        while True:
            try:
                async with self._leadership():
                    sub = await self._bind_consumer()
                    delay = 0.5
                    try:
                        await self._consume(sub)
                    finally:
                        await _quietly(sub.unsubscribe())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.status.last_error = f"{type(exc).__name__}: {exc}"
                self._log.warning("projection interrupted", error=self.status.last_error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 15.0)

    @asynccontextmanager
    async def _leadership(self) -> AsyncIterator[None]:
        conn = await connect(self._database_url)
        key = lock_key(f"lead:{self.projection.schema}:{self.stream}")
        try:
            # Polling is fine here: a standby replica asks every two seconds, nothing more.
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):  # noqa: ASYNC110
                await asyncio.sleep(2.0)
            self.status.leader = True
            yield
        finally:
            self.status.leader = False
            self.status.consumer_ready.clear()
            await conn.close(timeout=2)

    async def _checkpoint(self) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            await prepare_schema(conn, self.projection, self.projection.schema)
            await conn.execute(
                "INSERT INTO rc_checkpoint (stream, last_seq) VALUES ($1, 0)"
                " ON CONFLICT (stream) DO NOTHING",
                self.stream,
            )
            last: int = await conn.fetchval(
                "SELECT last_seq FROM rc_checkpoint WHERE stream = $1", self.stream
            )
            return last

    async def _bind_consumer(self) -> JetStreamContext.PullSubscription:
        checkpoint = await self._checkpoint()
        self.status.last_seq = checkpoint
        durable = self.projection.durable(self._ns)
        await self._wait_for_stream()
        with suppress(NotFoundError):
            await self._js.delete_consumer(self.stream, durable)
        await self._js.add_consumer(
            self.stream,
            ConsumerConfig(
                durable_name=durable,
                description=f"{self.projection.owner.value}: projection {self.projection.name}",
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=checkpoint + 1,
                filter_subjects=self.projection.filter_subjects(self._ns, self.source) or None,
                ack_policy=AckPolicy.ALL,
                ack_wait=self._ack_wait,
                max_deliver=-1,
                max_ack_pending=self.projection.batch_size * 2,
                max_waiting=16,
            ),
        )
        self._log.info("consumer ready", from_seq=checkpoint + 1)
        self.status.consumer_ready.set()
        return await self._js.pull_subscribe_bind(durable=durable, stream=self.stream)

    async def _wait_for_stream(self) -> None:
        """The source's owner creates its stream when it first starts: wait for it, quietly.

        Meanwhile the runner counts as ready: services must not depend on their start order.
        """
        try:
            while True:
                try:
                    await self._js.stream_info(self.stream)
                    return
                except NotFoundError:
                    if not self.status.awaiting_source:
                        self._log.info("waiting for the stream's owning service to create it")
                        self.status.awaiting_source = True
                    await asyncio.sleep(1.0)
        finally:
            self.status.awaiting_source = False

    async def _consume(self, sub: JetStreamContext.PullSubscription) -> None:
        while True:
            try:
                msgs = await sub.fetch(self.projection.batch_size, timeout=self._fetch_timeout)
            except TimeoutError:  # nats' own, or asyncio's where nats-py lets that through
                continue
            if not msgs:  # nats-py may end a fetch on a status message with nothing in hand
                continue
            await self._apply_until_done(msgs)
            await msgs[-1].ack()  # AckPolicy.ALL: acknowledges the whole batch

    async def _apply_until_done(self, msgs: list[Msg]) -> None:
        """Apply a batch; on infrastructure failure keep the messages and try again."""
        delay = 0.5
        while True:
            try:
                await self.apply_batch(msgs)
                return
            except TRANSIENT_ERRORS as exc:
                self.status.last_error = f"{type(exc).__name__}: {exc}"
                self._log.warning("batch failed, will retry", error=self.status.last_error)
                for msg in msgs:
                    await _quietly(msg.in_progress())
                await asyncio.sleep(delay)
                delay = min(delay * 2, 15.0)

    async def apply_batch(self, msgs: list[Msg]) -> None:
        """Apply the commits after the checkpoint and move it, in one transaction.

        The batch is first applied without a savepoint per commit (two round trips fewer
        per commit). Should a handler fail, that transaction is rolled back and the batch
        applied again carefully: each commit in its own savepoint, with retries and dead
        letters. Handlers are idempotent, so the repeat is safe.
        """
        try:
            await self._apply_batch(msgs, careful=False)
        except _HandlerFailed:
            await self._apply_batch(msgs, careful=True)

    async def _apply_batch(self, msgs: list[Msg], *, careful: bool) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            # The checkpoint is read in a statement of its own *after* the lock is granted:
            # a statement sees the database as it was when the statement began.
            await conn.execute(
                "SELECT set_config('search_path', $1, true), pg_advisory_xact_lock($2)",
                f'"{self.projection.schema}", public',
                self.apply_lock,
            )
            checkpoint: int = await conn.fetchval(
                "SELECT last_seq FROM rc_checkpoint WHERE stream = $1", self.stream
            )
            last = checkpoint
            for msg in msgs:
                seq = msg.metadata.sequence.stream
                if seq <= checkpoint:
                    continue
                await self._apply_one(conn, msg, seq, careful)
                last = seq
            if last != checkpoint:
                await conn.execute(
                    "UPDATE rc_checkpoint SET last_seq = $2 WHERE stream = $1", self.stream, last
                )
        self.status.last_seq = last
        self.status.batches += 1
        self.status.last_error = None

    async def _apply_one(self, conn: asyncpg.Connection, msg: Msg, seq: int, careful: bool) -> None:
        headers = dict(msg.headers or {})
        unknown = unknown_types(headers)
        if unknown:
            error: BaseException = UnknownEventType(f"unknown event type(s): {', '.join(unknown)}")
            await self._dead_letter(conn, msg, error, 1)
            return
        if not self._applier.is_relevant(headers):
            return
        if not careful:
            try:
                await self._applier.apply(conn, msg.data, seq, savepoint=False)
            except TRANSIENT_ERRORS:
                raise
            except Exception as exc:
                raise _HandlerFailed from exc
            self.status.applied += 1
            return
        failure = await self._applier.apply_with_retries(conn, msg.data, seq)
        if failure is None:
            self.status.applied += 1
        else:
            await self._dead_letter(conn, msg, *failure)

    async def _dead_letter(
        self, conn: asyncpg.Connection, msg: Msg, error: BaseException, attempts: int
    ) -> None:
        await record_dead_letter(conn, self.projection, self.stream, msg, error, attempts)
        self.status.dead_lettered += 1
        self._log.error(
            "commit dead-lettered",
            stream_seq=msg.metadata.sequence.stream,
            subject=msg.subject,
            attempts=attempts,
            error=f"{type(error).__name__}: {error}",
        )


class _HandlerFailed(Exception):
    """A handler failed on the fast path: apply the batch again, carefully."""


async def _quietly(awaitable: Awaitable[Any]) -> None:
    try:
        await awaitable
    except Exception as exc:
        log.debug("ignored", error=str(exc))


def headers_json(msg: Msg) -> str:
    """A message's headers as JSON (for logs and operators)."""
    return json.dumps(dict(msg.headers or {}), sort_keys=True)
