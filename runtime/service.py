"""A running service: its connections, its event store, its projections, its HTTP app.

Every service is built the same way: ``bootstrap`` creates a ``Runtime`` (not yet connected)
and hands it to the service's ``build`` function, which wires handlers and routes to it and
returns the ``ServiceParts``. Starting connects to NATS and PostgreSQL, ensures the
service's stream and the shared buckets, applies migrations, runs start-up hooks and starts
one runner per projection and source stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from faststream.nats import NatsBroker
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from nats.js.object_store import ObjectStore

from contracts.naming import Namespace, Service
from runtime.apidocs import install_api_docs
from runtime.auth import OPERATOR_ROLE, ClaimMapping, identity_if_any, token_verifier
from runtime.backlog import Backlog, queued_in_suite
from runtime.codec import EventCodec
from runtime.database import create_pool, ensure_database
from runtime.datakeys import DataKeyStore, open_key_store
from runtime.deadletters import open_dead_letters
from runtime.errors import describe_error
from runtime.eventstore import AggregateRef, EventStore
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.http import ProtectiveHeaders, install_error_handlers
from runtime.log import configure_logging
from runtime.natsauth import broker_options, unreadable_sources
from runtime.operator_api import operator_router
from runtime.outbox import OutboxPublisher, outbox_status
from runtime.projection import Projection, prepare_schema
from runtime.runner import ProjectionRunner
from runtime.schema import RUNTIME_MIGRATIONS, Migration, migrate_database, read_migrations
from runtime.settings import ServiceSettings
from runtime.streams import attachment_store, ensure_event_stream, ensure_shared_buckets
from runtime.telemetry import configure_tracing, shutdown_tracing
from runtime.worker import Worker

log = structlog.get_logger(__name__)

Hook = Callable[["Runtime"], Awaitable[None]]


@dataclass
class ServiceParts:
    """What a service adds to the runtime: projections, routes, hooks, background work."""

    projections: Sequence[Projection] = ()
    routers: Sequence[APIRouter] = ()
    migrations: Path | None = None
    on_start: Sequence[Hook] = ()
    background: Sequence[Hook] = ()
    configure: Sequence[Callable[[FastAPI], None]] = ()
    title: str = "RathausCloud"


@dataclass
class Runtime:
    """Live resources of one service process."""

    service: Service
    settings: ServiceSettings
    runners: list[ProjectionRunner] = field(default_factory=list)
    worker: Worker = field(default_factory=Worker)
    """Where heavy pure work (documents, e-invoice checks) runs: a process of its own."""
    backlog: Backlog = field(default_factory=Backlog)
    """What the urgent runners still have queued; the deferred ones wait for it."""
    _broker: NatsBroker | None = None
    _pool: asyncpg.Pool | None = None
    _store: EventStore | None = None
    _keys: DataKeyStore | None = None
    _attachments: ObjectStore | None = None
    _publisher: OutboxPublisher | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def ns(self) -> Namespace:
        """This installation's namespace."""
        return self.settings.ns

    @property
    def pool(self) -> asyncpg.Pool:
        """The service's database pool."""
        assert self._pool is not None, "runtime not started"
        return self._pool

    @property
    def store(self) -> EventStore:
        """The event store."""
        assert self._store is not None, "runtime not started"
        return self._store

    @property
    def keys(self) -> DataKeyStore:
        """The data-key store."""
        assert self._keys is not None, "runtime not started"
        return self._keys

    @property
    def attachments(self) -> ObjectStore:
        """The attachment object store."""
        assert self._attachments is not None, "runtime not started"
        return self._attachments

    @property
    def js(self) -> JetStreamContext:
        """The JetStream context."""
        assert self._broker is not None, "runtime not started"
        js: JetStreamContext = self._broker.connection.jetstream()
        return js

    @property
    def nats_connected(self) -> bool:
        """Whether the NATS connection is up."""
        return self._broker is not None and bool(self._broker.connection.is_connected)

    async def connect(self, *, provision: bool = True) -> None:
        """Connect to NATS and PostgreSQL; with ``provision``, set up what is missing.

        A service provisions (waiting for its servers, creating its stream, buckets,
        database and the runtime's tables). An operator's command does not: it fails at once
        if something is missing, naming it, and never creates anything as a side effect.
        """
        settings = self.settings
        self._broker = NatsBroker(
            settings.nats_url,
            max_reconnect_attempts=-1 if provision else 0,
            reconnect_time_wait=1,
            name=f"rathaus-{self.service.value}",
            logger=None,
            **broker_options(settings, self.service),
        )
        if provision:
            await _retry("NATS", self._broker.connect)
        else:
            await self._broker.connect()
        js = self.js
        if provision:
            await ensure_event_stream(js, self.ns, self.service, settings.stream_replicas)
            await ensure_shared_buckets(js, self.ns, self.service, settings.stream_replicas)
        else:
            await _require_stream(js, self.ns.stream(self.service))
        self._attachments = attachment_store(js, self.ns)
        self._keys = open_key_store(js, self.ns, self.service, settings)
        self._store = EventStore(self._broker, js, EventCodec(self._keys), self.ns)
        if provision:
            with suppress(Exception):
                await ensure_database(settings.database_url)
            self._pool = await _retry("PostgreSQL", lambda: create_pool(settings.database_url))
            await migrate_database(self._pool, read_migrations("runtime", RUNTIME_MIGRATIONS))
        else:
            self._pool = await create_pool(settings.database_url)

    def migrations(self, parts: ServiceParts) -> list[Migration]:
        """The runtime's migrations, then the service's own."""
        return [
            *read_migrations("runtime", RUNTIME_MIGRATIONS),
            *read_migrations(self.service.value, parts.migrations),
        ]

    async def start(self, parts: ServiceParts) -> None:
        """Connect, migrate, run start-up hooks, start projections and background work."""
        unreadable = unreadable_sources(self.service, parts.projections)
        if unreadable:
            raise RuntimeError(f"{self.service} may not read what it projects: {unreadable}")
        await self.connect()
        await migrate_database(self.pool, self.migrations(parts))
        for projection in parts.projections:
            async with self.pool.acquire() as conn, conn.transaction():
                await prepare_schema(conn, projection, projection.schema)
        for hook in parts.on_start:
            await hook(self)
        # The streams whose consumers this service asks about: those it reads (and, as
        # checked above, may read).
        read = sorted({self.ns.stream(s) for p in parts.projections for s in p.sources})
        self.backlog.suite = partial(queued_in_suite, self.js, read)
        for projection in parts.projections:
            for source in projection.sources:
                runner = self.runner(projection, source)
                self.runners.append(runner)
                self._tasks.append(asyncio.create_task(runner.run(), name=runner.stream))
        self._publisher = OutboxPublisher(
            self.pool, self.store, self._outbox_ref, self.settings.database_url
        )
        background: list[Hook] = [_run_publisher, _watch_dead_letters, *parts.background]
        for job in background:
            self._tasks.append(asyncio.create_task(_forever(job, self), name=str(job)))
        log.info("service started", projections=[p.name for p in parts.projections])

    def _outbox_ref(self, row: Any) -> AggregateRef:
        return AggregateRef(self.service, row["tenant"], row["aggregate_type"], row["aggregate_id"])

    def runner(self, projection: Projection, source: Service) -> ProjectionRunner:
        """A runner for one projection and source stream, wired to this runtime."""
        return ProjectionRunner(
            projection,
            source,
            js=self.js,
            pool=self.pool,
            database_url=self.settings.database_url,
            codec=self.store.codec,
            ns=self.ns,
            backlog=self.backlog,
        )

    async def stop(self) -> None:
        """Stop background work and close connections."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(BaseException):
                await task
        self._tasks.clear()
        self.worker.close()
        if self._pool is not None:
            await self._pool.close()
        if self._broker is not None:
            with suppress(Exception):
                await self._broker.stop()
        shutdown_tracing()

    async def readiness(self) -> dict[str, Any]:
        """What /readyz reports: connections, projection runners, dead letters, outbox."""
        database, letters, outbox = False, None, None
        with suppress(Exception):
            database = await self.pool.fetchval("SELECT true") is True
            letters = await open_dead_letters(self.pool)
            outbox = (await outbox_status(self.pool)).__dict__
        runners = {
            f"{r.projection.name}<-{r.stream}": {
                "leader": r.status.leader,
                "epoch": r.status.epoch,
                "ready": r.status.consumer_ready.is_set(),
                "awaiting_source": r.status.awaiting_source,
                "paused": r.status.paused,
                "last_seq": r.status.last_seq,
                "applied": r.status.applied,
                "batches": r.status.batches,
                "dead_lettered": r.status.dead_lettered,
                "last_error": r.status.last_error,
                "deferred": r.status.deferred,
                "waited_seconds": round(r.status.waited_seconds, 1),
                "passed": r.status.passed,
            }
            for r in self.runners
        }
        ready = (
            database
            and self.nats_connected
            and all(
                status["ready"] or status["awaiting_source"] or not status["leader"]
                for status in runners.values()
            )
        )
        return {
            "ready": ready,
            "nats": self.nats_connected,
            "database": database,
            "projections": runners,
            "open_dead_letters": letters,
            "outbox": outbox,
        }


async def _require_stream(js: JetStreamContext, stream: str) -> None:
    try:
        await js.stream_info(stream)
    except NotFoundError:
        raise NotProvisioned(
            f"stream {stream} does not exist on this NATS server: has the service ever run"
            " against it (NATS_URL, RATHAUS_NAMESPACE)?"
        ) from None


class NotProvisioned(RuntimeError):
    """An operator's command found the service's stream or database missing."""


async def _run_publisher(runtime: Runtime) -> None:
    assert runtime._publisher is not None
    await runtime._publisher.run()


async def _watch_dead_letters(runtime: Runtime, every: float = 300.0) -> None:
    """Say at warning level, now and every five minutes, which dead letters are open."""
    while True:
        letters = await open_dead_letters(runtime.pool)
        if letters:
            log.warning(
                "open dead letters: retry or dismiss them",
                open=letters,
                command=f"python -m services.{runtime.service.value} dead-letters",
            )
        await asyncio.sleep(every)


async def _retry(what: str, connect: Callable[[], Awaitable[Any]], attempts: int = 60) -> Any:
    delay = 0.25
    for attempt in range(1, attempts + 1):
        try:
            return await connect()
        except Exception as exc:
            if attempt == attempts:
                raise
            log.warning("waiting for dependency", dependency=what, error=str(exc))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
    raise AssertionError("unreachable")


async def _forever(job: Hook, runtime: Runtime) -> None:
    """Run a background job; restart it after a pause if it fails."""
    while True:
        try:
            await job(runtime)
            return
        except asyncio.CancelledError:
            raise
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning(
                "background job interrupted, restarting",
                job=getattr(job, "__name__", job),
                error=describe_error(exc),
            )
            await asyncio.sleep(2.0)
        except Exception:
            log.exception("background job failed, restarting", job=getattr(job, "__name__", job))
            await asyncio.sleep(2.0)


def create_app(
    service: Service,
    settings: ServiceSettings,
    build: Callable[[Runtime], ServiceParts],
) -> FastAPI:
    """The FastAPI application of a service, with its runtime in the lifespan."""
    configure_logging(service.value, settings.log_level)
    configure_tracing(service.value, settings.otlp_endpoint, settings.secret_values())
    runtime = Runtime(service, settings)
    parts = build(runtime)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start(parts)
        try:
            yield
        finally:
            await runtime.stop()

    docs = settings.api_docs_enabled
    app = FastAPI(
        title=parts.title,
        lifespan=lifespan,
        version="0.1.0",
        openapi_url="/openapi.json" if docs else None,
        docs_url=None,  # install_api_docs serves /docs from local, pinned files
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.token_verifier = token_verifier(
        settings.oidc_issuer,
        settings.oidc_audience,
        ClaimMapping(
            settings.oidc_roles_claim, settings.oidc_towns_claim, settings.oidc_procedures_claim
        ),
    )
    install_error_handlers(app)
    app.add_middleware(ProtectiveHeaders)
    _instrument(app)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service.value}

    # /readyz answers 503 with its report (not an ErrorBody): the contract says so.
    schema = {"type": "object", "required": ["ready"], "properties": {"ready": {"type": "boolean"}}}
    readiness: dict[int | str, dict[str, Any]] = {
        503: {
            "description": "Not ready: the same report, saying what is missing.",
            "content": {"application/json": {"schema": schema}},
        }
    }

    @app.get("/readyz", tags=["operations"], responses=readiness)
    async def readyz(request: Request) -> JSONResponse:
        """Whether the service can work (200) or not (503); the details only for operators.

        Probes need only the status. With an operator's bearer token the answer also says
        why: connections, projection runners, dead letters, outbox.
        """
        report = await runtime.readiness()
        status = 200 if report["ready"] else 503
        identity = await identity_if_any(request)
        if identity is None or not identity.has_role(OPERATOR_ROLE):
            return JSONResponse({"ready": report["ready"]}, status_code=status)
        return JSONResponse(report, status_code=status)

    app.include_router(operator_router(runtime, parts))
    for router in parts.routers:
        app.include_router(router)
    for configure in parts.configure:
        configure(app)
    if docs:
        install_api_docs(app)
    return app


def _instrument(app: FastAPI) -> None:
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz")
