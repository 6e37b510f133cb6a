"""Projections: read models and reactions, fed from the event log exactly once.

A projection reads one or more streams (``runtime.runner`` runs it, one runner per source).
This module says what a projection is, how its schema is prepared, and how one commit is
applied to it — with the rules every caller (the live runner, a rebuild, an operator's retry)
shares:

* a commit whose event types (or versions) this code cannot read is never guessed at: an
  unknown type becomes a dead letter, a *newer version* of a known type pauses the projection
  until a release that knows it runs (a rolling upgrade, or a rollback);
* a commit that cannot be decoded, or whose handler keeps failing, becomes a dead letter;
* a failure of the surroundings (database, NATS) is never the commit's fault: retry.

Handlers must be idempotent in the sense that applying a commit again, after later commits of
the same aggregate, leaves the state those later commits made (an operator's retry of a dead
letter re-applies the aggregate's later commits after it — see ``runtime.deadletters``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
import structlog
from pydantic import ValidationError

from contracts.base import REGISTRY, DomainEvent, UnknownEventType
from contracts.envelope import Headers
from contracts.naming import Namespace, Service
from runtime.codec import (
    Envelope,
    EventCodec,
    EventUnreadable,
    PersonalDataWithoutKey,
    event_types_of,
)
from runtime.database import lock_key
from runtime.errors import describe_error
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.schema import migrate_schema
from runtime.telemetry import consuming_span

log = structlog.get_logger(__name__)

Handler = Callable[[asyncpg.Connection, Envelope[DomainEvent]], Awaitable[None]]

PERMANENT_ERRORS: tuple[type[BaseException], ...] = (
    ValidationError,
    EventUnreadable,
    PersonalDataWithoutKey,
    UnknownEventType,
)
"""A commit that fails with one of these will fail the same way every time: no retries."""


@dataclass(frozen=True)
class Projection:
    """A read model or reaction: what it reads, what it cares about, how it applies it."""

    name: str
    owner: Service
    sources: tuple[Service, ...]
    event_types: frozenset[str]
    handle: Handler
    migrations: tuple[str, ...] = ()
    """Numbered schema steps of the read model (``runtime.schema.migrate_schema``)."""
    rebuildable: bool = True
    """False for reactions: they cause effects (appends, mails), so a replay would repeat them."""
    batch_size: int = 256
    opens_personal_data: bool = True
    """False for projections that never read personal fields: they stay sealed."""
    deferred: frozenset[Service] = frozenset()
    """Sources whose commits nobody waits for in the moment (desk, letters, access log): their
    runners wait while urgent runners, of this service or the suite, are busy
    (``runtime.backlog``)."""
    lingering: frozenset[Service] = frozenset()
    """Urgent sources whose commits may gather for a moment (``runtime.runner.LINGER``) before
    the next fetch: a read model that must follow soon, but not within the same instant (the
    tracking page's casework steps, the claims and the finance export), then applies a few
    commits in one fetch, one transaction and one acknowledgement instead of each on its own.
    Never for a step the next service waits for (the fee, the filing, the receipt)."""
    wants: Callable[[DomainEvent], bool] | None = None
    """Of the events of ``event_types``, those it handles (e.g. one procedure's). The runner
    looks before its transaction: a batch with none it wants is passed over without one, as a
    batch of other event types is."""

    @property
    def schema(self) -> str:
        """The PostgreSQL schema holding this projection's tables and checkpoint."""
        return f"rm_{self.name.replace('-', '_')}"

    @property
    def effects(self) -> bool:
        """Whether applying causes effects (a reaction): then its commits must be durable."""
        return not self.rebuildable

    @property
    def kind(self) -> str:
        """``read model`` or ``reaction``, as operators read it."""
        return "read model" if self.rebuildable else "reaction"

    @property
    def apply_lock(self) -> int:
        """Advisory lock every batch, retry and rebuild swap of this projection takes."""
        return lock_key(f"apply:{self.schema}")

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


async def begin_batch(
    conn: asyncpg.Connection, projection: Projection, stream: str
) -> tuple[int, int]:
    """Start applying to ``projection`` in the caller's transaction: its search path, the commit
    mode its effects need, its apply lock; then the checkpoint of ``stream`` and the lease's
    epoch (both there once a runner bound the projection to the stream), read after the lock
    is granted (runtime migration 0006 says why). A runner's batch and an operator's retry of
    a dead letter start alike."""
    checkpoint: int
    epoch: int
    checkpoint, epoch = await conn.fetchrow(
        "SELECT checkpoint, epoch FROM public.rc_batch_start($1, $2, $3, $4, $5)",
        projection.schema,
        projection.apply_lock,
        "on" if projection.effects else "off",
        stream,
        projection.name,
    )
    return checkpoint, epoch


async def prepare_schema(conn: asyncpg.Connection, projection: Projection, schema: str) -> None:
    """Create the projection's schema, run its pending steps, and its checkpoint table.

    Must run inside a transaction; the lock keeps runners of several sources (and replicas)
    from racing on ``CREATE ... IF NOT EXISTS``, which is not safe against itself.
    """
    await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(f"ddl:{schema}"))
    await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    await conn.execute(f'SET LOCAL search_path TO "{schema}", public')
    await migrate_schema(conn, schema, projection.migrations)
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS rc_checkpoint ("
        " stream text PRIMARY KEY, last_seq bigint NOT NULL DEFAULT 0)"
    )


@dataclass(frozen=True)
class Unreadable:
    """Why a commit cannot be applied by this code, decided from its headers alone."""

    unknown: list[str]
    """Event types this code has never heard of: a dead letter."""
    newer: list[str]
    """Known types in a version newer than this code's: the projection pauses."""


def readability(headers: dict[str, str], projection: Projection) -> Unreadable:
    """What in a commit this code cannot read; newer versions count only where relevant."""
    unknown, newer = [], []
    for part in (headers.get(Headers.EVENT_TYPES) or "").split(","):
        if not part:
            continue
        name, _, version = part.partition("/")
        try:
            cls = REGISTRY.event_class(name)
        except UnknownEventType:
            unknown.append(part)
            continue
        if version.isdigit() and int(version) > cls.version and name in projection.event_types:
            newer.append(part)
    return Unreadable(unknown, newer)


class CommitApplier:
    """Applies one commit to a projection, with bounded retries of a failing handler."""

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
            if self._handles(envelope):
                await self._handle(conn, envelope)

    def _handles(self, envelope: Envelope[DomainEvent]) -> bool:
        wants = self.projection.wants
        return envelope.meta.type in self.projection.event_types and (
            wants is None or wants(envelope.event)
        )

    async def is_wanted(self, raw: bytes, seq: int) -> bool:
        """Whether a relevant commit holds an event the projection wants (``wants``). One
        that cannot be read or judged is, so that the batch goes the careful way (retries,
        dead letter); it is decoded as the handler will see it, so both judge alike."""
        if self.projection.wants is None:
            return True
        try:
            envelopes = await self._codec.decode(
                raw, stream_seq=seq, open_personal=self.projection.opens_personal_data
            )
            return any(self._handles(envelope) for envelope in envelopes)
        except Exception:
            return True

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
            except INFRASTRUCTURE_ERRORS:
                raise
            except PERMANENT_ERRORS as exc:
                return exc, attempts
            except Exception as exc:
                if attempts > len(self._delays):
                    return exc, attempts
                log.warning(
                    "handler failed, retrying",
                    projection=self.projection.name,
                    stream_seq=seq,
                    attempt=attempts,
                    error=describe_error(exc),
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
