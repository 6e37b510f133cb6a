"""The projection runner: feeds one projection from one source stream, exactly once, in order.

A batch of commits is applied in **one** PostgreSQL transaction that also moves the
projection's checkpoint (the last stream sequence applied), and only then acknowledged. A
crash before the commit applies nothing; a crash after it is redelivered and skipped by the
checkpoint. So no event is applied twice and none is skipped.

Ordering needs a single reader. Among a service's replicas, a session-level advisory lock
elects one leader per projection and stream; taking the lead raises the lease's *epoch*, and
every batch transaction checks that its epoch is still the current one. A leader whose lock
connection died (and whose lock another replica has taken) can therefore not commit a single
batch more: it is fenced. Each epoch reads through a consumer of its own (the durable name
carries the epoch), created at the checkpoint when the leader takes over; the predecessor's
consumer is deleted, so a fenced leader cannot even take messages meant for the new one —
with one shared consumer it could, and the new leader's acknowledgements would then cover
commits nobody applied.

A read model's batch is committed without waiting for the disk (``synchronous_commit`` off): a
database crash may take its last batches back, together with their checkpoint, and the runner
then reads them again — it always binds anew from the checkpoint in the database after a
failure. A reaction's batch records effects (numbers, messages to send) and is durable before
anything acts on it.

A commit whose handler keeps failing is recorded as a dead letter in the same transaction that
moves the checkpoint past it; the projection goes on. A commit in a *newer version* of an
event type than this code knows pauses the projection before it (a rolling upgrade or a
rollback): everything before it is applied, nothing after it, and the runner says so and
looks again every little while. Infrastructure failures (database or NATS unreachable) are
never dead-lettered: the batch is retried until it goes through.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from contracts.base import UnknownEventType
from contracts.naming import Namespace, Service
from runtime.backlog import Backlog, consumer_metadata
from runtime.codec import EventCodec
from runtime.database import connect, lock_key
from runtime.deadletters import record_dead_letter
from runtime.errors import describe_error
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.projection import (
    CommitApplier,
    Projection,
    begin_batch,
    prepare_schema,
    readability,
)

log = structlog.get_logger(__name__)

PASS_AT_MOST = 2000
"""Stream sequences a runner passes over before it records its checkpoint all the same."""

LINGER = 0.25
"""Seconds a runner of a lingering source (``Projection.lingering``) waits after a batch that
was not full, so that the commits arriving meanwhile come in the next one. Under load a batch
of one commit cost a fetch request, an acknowledgement and a transaction of its own."""

HOLDER = f"{socket.gethostname()}:{os.getpid()}"
"""Who holds a lease, as operators read it."""


class LeadershipLost(Exception):
    """Another replica leads this projection now: stop, and queue up for the lead again."""


class ProjectionPaused(Exception):
    """The next commit is of a newer event version than this code knows."""


@dataclass
class RunnerStatus:
    """What a runner reports for readiness and operators."""

    leader: bool = False
    epoch: int = 0
    lock_pid: int = 0
    """The PostgreSQL backend holding the leader's lock (for operators and tests)."""
    last_seq: int = 0
    applied: int = 0
    batches: int = 0
    dead_lettered: int = 0
    last_error: str | None = None
    paused: str | None = None
    """Why the runner is paused (a newer event version), or ``None``."""
    awaiting_source: bool = False
    """The source stream does not exist yet: its owner has never started. Not a fault here."""
    deferred: bool = False
    """Whether this runner waits for the service's urgent runners (``runtime.backlog``)."""
    waited_seconds: float = 0.0
    """How long a deferred runner has waited for urgent work in all."""
    passed: int = 0
    """Commits acknowledged without a transaction: nothing in them for this projection."""
    consumer_ready: asyncio.Event = field(default_factory=asyncio.Event)


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
        pause_recheck: float = 30.0,
        lock_check: float = 10.0,
        backlog: Backlog | None = None,
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
        self._pause_recheck = pause_recheck
        self._lock_check = lock_check
        self._applier = CommitApplier(projection, codec, retry_delays)
        self._backlog = backlog or Backlog()
        self.status.deferred = source in projection.deferred
        self._linger = LINGER if source in projection.lingering else 0.0
        self._log = log.bind(projection=projection.name, stream=self.stream)
        self._key = f"{projection.name}<-{self.stream}"
        self._saved = 0
        """The checkpoint as last read or written."""
        self._passed = 0
        """The last commit passed over without a transaction (``_may_pass``)."""
        self._paused_logged: tuple[str, float] | None = None
        self._pause_reason: str | None = None

    @property
    def apply_lock(self) -> int:
        """Advisory lock every batch of this projection takes (rebuild swaps under it)."""
        return self.projection.apply_lock

    async def run(self) -> None:
        """Lead, consume, and on any failure start over after a pause — until cancelled."""
        delay = 0.5
        while True:
            try:
                async with self._leadership() as lock_conn:
                    sub = await self._bind_consumer()
                    delay = 0.5
                    try:
                        await self._consume(sub, lock_conn)
                    finally:
                        await _quietly(sub.unsubscribe())
            except asyncio.CancelledError:
                self._report(0)
                raise
            except ProjectionPaused:
                self._report(0)
                await asyncio.sleep(self._pause_recheck)
            except LeadershipLost:
                self._report(0)
                self._log.warning("projection leadership lost; standing by")
                await asyncio.sleep(delay)
            except Exception as exc:
                self._report(0)
                self.status.last_error = describe_error(exc)
                self._log.warning("projection interrupted", error=self.status.last_error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 15.0)

    @asynccontextmanager
    async def _leadership(self) -> AsyncIterator[asyncpg.Connection]:
        conn = await connect(self._database_url)
        key = lock_key(f"lead:{self.projection.schema}:{self.stream}")
        try:
            # Polling is fine here: a standby replica asks every two seconds, nothing more.
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):  # noqa: ASYNC110
                await asyncio.sleep(2.0)
            self.status.epoch = await self._take_lease()
            self.status.leader = True
            self.status.lock_pid = conn.get_server_pid()
            yield conn
        finally:
            self.status.leader = False
            self.status.consumer_ready.clear()
            with suppress(Exception):
                await conn.close(timeout=2)

    async def _take_lease(self) -> int:
        """Raise the lease's epoch (under the apply lock, so no batch is half-way)."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", self.apply_lock)
            epoch: int = await conn.fetchval(
                "INSERT INTO public.rc_projection_leases"
                " (projection, stream, epoch, holder, acquired_at) VALUES ($1, $2, 1, $3, now())"
                " ON CONFLICT (projection, stream) DO UPDATE SET"
                " epoch = rc_projection_leases.epoch + 1, holder = $3, acquired_at = now()"
                " RETURNING epoch",
                self.projection.name,
                self.stream,
                HOLDER,
            )
        return epoch

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
        self._saved = self._passed = checkpoint
        base = self.projection.durable(self._ns)
        durable = f"{base}_e{self.status.epoch}"
        await self._wait_for_stream()
        await self._delete_consumers(base, keep=durable)
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
                metadata=consumer_metadata(self.status.deferred),
            ),
        )
        self._log.info("consumer ready", from_seq=checkpoint + 1, epoch=self.status.epoch)
        self.status.consumer_ready.set()
        return await self._js.pull_subscribe_bind(durable=durable, stream=self.stream)

    async def _delete_consumers(self, base: str, keep: str) -> None:
        """Delete the consumers of earlier epochs (and of releases before epochs)."""
        for info in await self._js.consumers_info(self.stream):
            name = info.name or ""
            if name != keep and (name == base or name.startswith(f"{base}_e")):
                with suppress(NotFoundError):
                    await self._js.delete_consumer(self.stream, name)

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

    async def _consume(
        self, sub: JetStreamContext.PullSubscription, lock_conn: asyncpg.Connection
    ) -> None:
        checked = time.monotonic()
        catch_up = 0  # commits a deferred runner still takes without waiting
        waited_longest = False
        while True:
            if time.monotonic() - checked > self._lock_check:
                await self._still_holding(lock_conn)
                checked = time.monotonic()
            if self.status.deferred and catch_up <= 0:
                waited = await self._backlog.wait_quiet()
                self.status.waited_seconds += waited
                waited_longest = waited >= self._backlog.longest_wait
            try:
                msgs = await sub.fetch(self.projection.batch_size, timeout=self._fetch_timeout)
            except TimeoutError:  # nats' own, or asyncio's where nats-py lets that through
                self._report(0)
                await self._consumer_still_ours(sub)
                if self._passed > self._saved:  # a quiet moment: record what was passed over
                    await self.apply_batch([])
                continue
            if not msgs:  # nats-py may end a fetch on a status message with nothing in hand
                continue
            self._report(msgs[-1].metadata.num_pending, fetched=True)
            if self.status.deferred:
                # Once it waited as long as it may, a deferred runner catches up with what was
                # queued then, and only then waits again: one batch per longest wait would let
                # its backlog grow without end under a load that never ends.
                if waited_longest:
                    catch_up, waited_longest = msgs[-1].metadata.num_pending, False
                else:
                    catch_up -= len(msgs)
            # An infrastructure failure ends this binding: the runner binds anew from the
            # checkpoint in the database, which a crash may have taken back (see above).
            applied = await self.apply_batch(msgs)
            if applied:
                await msgs[applied - 1].ack()  # AckPolicy.ALL: acknowledges up to this one
            if applied < len(msgs):
                raise ProjectionPaused(self.status.paused)
            if self._linger and len(msgs) < self.projection.batch_size:
                await asyncio.sleep(self._linger)  # let the next commits gather

    def _report(self, pending: int, *, fetched: bool = False) -> None:
        """An urgent runner tells the service's backlog how much it still has queued."""
        if not self.status.deferred:
            self._backlog.report(self._key, pending, fetched=fetched)

    async def _consumer_still_ours(self, sub: JetStreamContext.PullSubscription) -> None:
        """A quiet moment: check that no newer leader has replaced this epoch's consumer."""
        try:
            await sub.consumer_info()
        except NotFoundError as exc:
            raise LeadershipLost("this epoch's consumer was deleted by a newer leader") from exc

    async def _still_holding(self, lock_conn: asyncpg.Connection) -> None:
        """The lock lives as long as its connection: a lost connection is a lost lead."""
        try:
            await lock_conn.fetchval("SELECT 1", timeout=5)
        except Exception as exc:
            raise LeadershipLost(describe_error(exc)) from exc

    async def apply_batch(self, msgs: list[Msg]) -> int:
        """Apply the commits after the checkpoint and move it, in one transaction.

        Returns how many messages of the batch are done (all, unless the runner paused at
        one). The batch is first applied without a savepoint per commit (two round trips
        fewer per commit). Should a handler fail, that transaction is rolled back and the
        batch applied again carefully: each commit in its own savepoint, with retries and
        dead letters.
        """
        if msgs and await self._may_pass(msgs):
            self._passed = self.status.last_seq = msgs[-1].metadata.sequence.stream
            self.status.passed += len(msgs)
            return len(msgs)
        try:
            return await self._apply_batch(msgs, careful=False)
        except _HandlerFailed:
            return await self._apply_batch(msgs, careful=True)

    async def _may_pass(self, msgs: list[Msg]) -> bool:
        """Whether the batch holds nothing this projection applies, pauses at or
        dead-letters — and the checkpoint is not too far behind to pass over it as well.

        Such a batch is acknowledged without a transaction: four statements fewer for each
        commit of the source that is not for this projection (most of casework's commits for
        billing's fee assessment). The checkpoint moves with the next batch that needs a
        transaction, or in the next quiet moment; until then a restart reads the passed-over
        commits again and passes them over again.
        """
        if msgs[-1].metadata.sequence.stream - self._saved > PASS_AT_MOST:
            return False
        for msg in msgs:
            headers = dict(msg.headers or {})
            unreadable = readability(headers, self.projection)
            if unreadable.unknown or unreadable.newer:
                return False
            if self._applier.is_relevant(headers) and await self._applier.is_wanted(
                msg.data, msg.metadata.sequence.stream
            ):
                return False
        return True

    async def _apply_batch(self, msgs: list[Msg], *, careful: bool) -> int:
        done = len(msgs)
        async with self._pool.acquire() as conn, conn.transaction():
            checkpoint, epoch = await begin_batch(conn, self.projection, self.stream)
            if epoch != self.status.epoch:
                raise LeadershipLost(f"epoch {self.status.epoch} superseded by {epoch}")
            last = max(checkpoint, self._passed)  # passed over before this batch
            for index, msg in enumerate(msgs):
                seq = msg.metadata.sequence.stream
                if seq <= checkpoint:
                    continue
                if await self._pauses_at(conn, msg):
                    done = index
                    break
                await self._apply_one(conn, msg, seq, careful)
                last = seq
            if last != checkpoint:
                await conn.execute(
                    "UPDATE rc_checkpoint SET last_seq = $2 WHERE stream = $1", self.stream, last
                )
        # The status moves once the transaction is committed: a reader that sees the runner
        # paused sees the checkpoint it paused at (it was set a step early and raced).
        self.status.last_seq = self._saved = last
        self.status.batches += 1
        self.status.last_error = None
        self.status.paused = None if done == len(msgs) else self._pause_reason
        return done

    async def _pauses_at(self, conn: asyncpg.Connection, msg: Msg) -> bool:
        """Whether ``msg`` holds a newer event version this projection needs: then pause."""
        newer = readability(dict(msg.headers or {}), self.projection).newer
        if not newer:
            return False
        reason = (
            f"stream sequence {msg.metadata.sequence.stream} holds {', '.join(newer)}, newer"
            " than this version knows; waiting for an upgrade"
        )
        await conn.execute(
            "UPDATE public.rc_projection_leases SET paused_reason = $3, paused_at = now()"
            " WHERE projection = $1 AND stream = $2",
            self.projection.name,
            self.stream,
            reason,
        )
        self._pause_reason = reason
        self._log_pause(reason)
        return True

    def _log_pause(self, reason: str, every: float = 600.0) -> None:
        """Say it once, then every ten minutes while it lasts (not every recheck)."""
        now = time.monotonic()
        last = self._paused_logged
        if last and last[0] == reason and now - last[1] < every:
            return
        self._paused_logged = (reason, now)
        self._log.warning("projection paused", reason=reason)

    async def _apply_one(self, conn: asyncpg.Connection, msg: Msg, seq: int, careful: bool) -> None:
        headers = dict(msg.headers or {})
        unknown = readability(headers, self.projection).unknown
        if unknown:
            error = UnknownEventType(f"unknown event type(s): {', '.join(unknown)}")
            await self._dead_letter(conn, msg, error, 1)
            return
        if not self._applier.is_relevant(headers):
            return
        if not careful:
            try:
                await self._applier.apply(conn, msg.data, seq, savepoint=False)
            except INFRASTRUCTURE_ERRORS:
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
        headers = dict(msg.headers or {})
        await record_dead_letter(
            conn,
            self.projection,
            self.stream,
            seq=msg.metadata.sequence.stream,
            subject=msg.subject,
            headers=headers,
            data=msg.data,
            error=error,
            attempts=attempts,
        )
        self.status.dead_lettered += 1
        self._log.error(
            "commit dead-lettered",
            stream_seq=msg.metadata.sequence.stream,
            subject=msg.subject,
            attempts=attempts,
            error=describe_error(error),
        )


class _HandlerFailed(Exception):
    """A handler failed on the fast path: apply the batch again, carefully."""


async def _quietly(awaitable: Awaitable[Any]) -> None:
    try:
        await awaitable
    except Exception as exc:
        log.debug("ignored", error=str(exc))
