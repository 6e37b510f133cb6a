"""Deferred runners wait while the service's urgent runners have a backlog — boundedly."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from contracts.base import DomainEvent
from contracts.naming import Service
from runtime.backlog import Backlog
from runtime.codec import Envelope
from runtime.projection import Projection
from runtime.service import Runtime
from tests.integration.runtime.test_projection import wait_for, write_counter
from tests.support.projections import counter_projection
from tests.support.runtime import connected_runtime


@pytest.fixture
async def rt(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)
    yield runtime
    await runtime.stop()


def gated(gate: asyncio.Event) -> Projection:
    """An urgent projection that applies nothing until ``gate`` opens: its backlog stays."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        await gate.wait()

    return Projection(
        name="gated",
        owner=Service.CASEWORK,
        sources=(Service.INTAKE,),
        event_types=frozenset({"test.CounterOpened", "test.CounterIncremented"}),
        handle=handle,
        batch_size=4,
    )


DEFERRED = dataclasses.replace(counter_projection(), deferred=frozenset({Service.INTAKE}))


async def applied(rt: Runtime) -> int:
    return int(await rt.pool.fetchval("SELECT count(*) FROM rm_counters.applied"))


async def start(rt: Runtime, projection: Projection) -> asyncio.Task[None]:
    runner = rt.runner(projection, Service.INTAKE)
    rt.runners.append(runner)
    return asyncio.create_task(runner.run())


@asynccontextmanager
async def urgent_then_deferred(rt: Runtime, gate: asyncio.Event) -> AsyncIterator[None]:
    """The gated urgent runner, and once it holds a backlog, the deferred one; both stopped
    at the end. ``rt.runners`` is ``[urgent, deferred]`` inside."""
    tasks = [await start(rt, gated(gate))]

    async def urgent_holds_a_backlog() -> bool:
        return rt.backlog.pending > 0

    try:
        await wait_for(urgent_holds_a_backlog)
        tasks.append(await start(rt, DEFERRED))
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_deferred_runner_waits_until_the_urgent_backlog_is_gone(rt: Runtime) -> None:
    last = await write_counter(rt, "a", 19)
    gate = asyncio.Event()
    async with urgent_then_deferred(rt, gate):
        urgent, deferred = rt.runners
        await asyncio.wait_for(deferred.status.consumer_ready.wait(), 20)
        await asyncio.sleep(2.0)
        assert await applied(rt) == 0
        assert deferred.status.deferred
        assert not urgent.status.deferred
        gate.set()

        async def both_caught_up() -> bool:
            return urgent.status.last_seq >= last and deferred.status.last_seq >= last

        await wait_for(both_caught_up)
        assert await applied(rt) == last
        assert rt.backlog.pending == 0
        assert deferred.status.waited_seconds >= 1.9


async def test_a_deferred_runner_waits_only_so_long(rt: Runtime) -> None:
    rt.backlog = Backlog(longest_wait=0.5)
    last = await write_counter(rt, "b", 19)
    async with urgent_then_deferred(rt, asyncio.Event()):  # never opens: always a backlog
        deferred = rt.runners[1]

        async def deferred_caught_up() -> bool:
            return deferred.status.last_seq >= last

        await wait_for(deferred_caught_up)
        assert await applied(rt) == last
        assert rt.backlog.pending > 0
        assert deferred.status.waited_seconds >= 0.5


async def test_an_urgent_runner_that_stops_takes_its_backlog_back(rt: Runtime) -> None:
    await write_counter(rt, "c", 19)
    async with urgent_then_deferred(rt, asyncio.Event()):
        pass  # left while the urgent runner still holds its backlog
    assert rt.backlog.pending == 0
    assert await rt.backlog.wait_quiet() == 0.0
