"""Deferred runners wait while urgent runners — the service's own, or any in the suite —
have a backlog; boundedly."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import asyncpg
import pytest

from contracts.base import DomainEvent
from contracts.naming import Service
from runtime import backlog as backlog_module
from runtime.backlog import Backlog, queued_in_suite
from runtime.codec import Envelope
from runtime.projection import Projection
from runtime.runner import ProjectionRunner
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
async def urgent_then_deferred(
    rt: Runtime, gate: asyncio.Event, deferred: Projection = DEFERRED
) -> AsyncIterator[None]:
    """The gated urgent runner, and once it holds a backlog, the deferred one; both stopped
    at the end. ``rt.runners`` is ``[urgent, deferred]`` inside."""
    tasks = [await start(rt, gated(gate))]

    async def urgent_holds_a_backlog() -> bool:
        return rt.backlog.pending > 0

    try:
        await wait_for(urgent_holds_a_backlog)
        tasks.append(await start(rt, deferred))
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
    # at most the short settling after its last fetch, not the two minutes of a backlog
    assert await rt.backlog.wait_quiet() <= rt.backlog.settle + 0.2


@pytest.fixture
async def other(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    """Another service of the same suite, with its own runners."""
    runtime = await connected_runtime(Service.CASEWORK, nats_url, namespace, database_url)
    yield runtime
    await runtime.stop()


@asynccontextmanager
async def running(runner: ProjectionRunner) -> AsyncIterator[ProjectionRunner]:
    """``runner`` at work until the block ends."""
    task = asyncio.create_task(runner.run())
    try:
        yield runner
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@asynccontextmanager
async def gated_elsewhere(rt: Runtime, other: Runtime, gate: asyncio.Event) -> AsyncIterator[None]:
    """The gated urgent runner in ``other``, holding work on intake's stream; ``rt``'s
    backlog asks the suite about that stream. Stopped at the end."""
    rt.backlog = Backlog(
        settle=0.2, suite=partial(queued_in_suite, rt.js, [rt.ns.stream(Service.INTAKE)])
    )

    async def holding() -> bool:
        return await rt.backlog.suite() > 0  # type: ignore[misc]

    async with running(other.runner(gated(gate), Service.INTAKE)):
        await wait_for(holding)
        yield


async def test_a_deferred_runner_waits_for_urgent_work_in_another_service(
    rt: Runtime, other: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backlog_module, "ACTIVE_WITHIN", 60.0)  # a slow machine stays busy
    last = await write_counter(rt, "d", 19)
    gate = asyncio.Event()
    async with (
        gated_elsewhere(rt, other, gate),
        running(rt.runner(DEFERRED, Service.INTAKE)) as deferred,
    ):
        await asyncio.wait_for(deferred.status.consumer_ready.wait(), 20)
        await asyncio.sleep(2.0)
        assert rt.backlog.pending == 0  # nothing urgent of its own service is queued
        assert await applied(rt) == 0  # yet it waits: the other service is busy
        gate.set()

        async def caught_up() -> bool:
            return deferred.status.last_seq >= last

        await wait_for(caught_up)
        assert await applied(rt) == last
        assert deferred.status.waited_seconds >= 1.9


async def test_urgent_work_nobody_is_doing_holds_nothing_back(
    rt: Runtime, other: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A consumer whose service is down keeps its queue; the deferred runners go on."""
    monkeypatch.setattr(backlog_module, "ACTIVE_WITHIN", 1.0)
    last = await write_counter(rt, "e", 19)
    async with gated_elsewhere(rt, other, asyncio.Event()):
        pass  # its runner stops with commits in hand and queued
    stream = await rt.js.stream_info(rt.ns.stream(Service.INTAKE))
    consumers = await rt.js.consumers_info(rt.ns.stream(Service.INTAKE))
    assert any(c.num_pending or c.num_ack_pending for c in consumers)  # the work is still there
    assert stream.state.last_seq >= last
    await asyncio.sleep(1.2)
    assert await rt.backlog.suite() == 0  # type: ignore[misc]
    async with asyncio.timeout(20), running(rt.runner(DEFERRED, Service.INTAKE)) as deferred:

        async def caught_up() -> bool:
            return deferred.status.last_seq >= last

        await wait_for(caught_up)
    assert await applied(rt) == last


async def test_a_deferred_runner_that_waited_the_longest_catches_up_before_it_waits_again(
    rt: Runtime,
) -> None:
    """Not one batch per longest wait: under a load that never ends its backlog would grow
    without end. What was queued when the wait ran out is applied at once; what comes later
    waits for the next."""
    rt.backlog = Backlog(longest_wait=3.0)
    last = await write_counter(rt, "f", 19)
    small_batches = dataclasses.replace(DEFERRED, batch_size=4)
    async with urgent_then_deferred(rt, asyncio.Event(), small_batches):  # always a backlog
        deferred = rt.runners[1]

        async def started_applying() -> bool:
            return deferred.status.batches > 0

        await wait_for(started_applying)
        began = asyncio.get_running_loop().time()

        async def caught_up() -> bool:
            return deferred.status.last_seq >= last

        await wait_for(caught_up)
        # five batches of four, well within one wait (one batch per wait: 12 s more)
        assert asyncio.get_running_loop().time() - began < 2.0
        assert await applied(rt) == last
        assert deferred.status.batches >= 5

        later = await write_counter(rt, "g", 3)
        await asyncio.sleep(1.0)
        assert deferred.status.last_seq < later  # waiting again
