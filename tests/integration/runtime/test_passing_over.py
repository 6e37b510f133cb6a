"""A batch with nothing for the projection is acknowledged without a transaction — and the
checkpoint still gets there, so nothing is applied twice or skipped."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest

from contracts.naming import Service
from runtime import runner as runner_module
from runtime.eventstore import AggregateRef
from runtime.projection import Projection
from runtime.runner import ProjectionRunner
from runtime.service import Runtime
from tests.integration.runtime.test_projection import CAUSE, run_until, wait_for, write_counter
from tests.support.events import CounterIncremented
from tests.support.projections import counter_projection
from tests.support.runtime import connected_runtime

OPENINGS_ONLY = dataclasses.replace(
    counter_projection(), event_types=frozenset({"test.CounterOpened"})
)


@pytest.fixture
async def rt(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)
    yield runtime
    await runtime.stop()


async def increment(rt: Runtime, name: str, after: int, times: int) -> int:
    """``times`` commits more on counter ``name`` (whose last sequence is ``after``)."""
    ref = AggregateRef(Service.INTAKE, "14729410", "counter", name)
    seq = after
    for i in range(times):
        result = await rt.store.append(
            ref, [CounterIncremented(by=1, value=i)], expected_seq=seq, cause=CAUSE
        )
        seq = result.stream_seq
    return seq


async def checkpoint(rt: Runtime) -> int:
    return int(await rt.pool.fetchval("SELECT last_seq FROM rm_counters.rc_checkpoint"))


def quick(rt: Runtime, projection: Projection = OPENINGS_ONLY) -> ProjectionRunner:
    runner = rt.runner(projection, Service.INTAKE)
    runner._fetch_timeout = 0.3  # quiet moments come quickly
    return runner


async def twelve_passed_over(rt: Runtime, projection: Projection, counter: str) -> None:
    """A counter opened, then incremented twelve times: the opening applied, the twelve
    passed over, and at most one transaction for them — the one that recorded the
    checkpoint, in a quiet moment."""
    opened = await write_counter(rt, counter, 0)
    runner = quick(rt, projection)
    task = asyncio.create_task(runner.run())
    try:

        async def caught_up_to_opening() -> bool:
            return runner.status.last_seq >= opened

        await wait_for(caught_up_to_opening)
        batches = runner.status.batches
        last = await increment(rt, counter, opened, 12)

        async def passed_all() -> bool:
            return runner.status.passed == 12 and await checkpoint(rt) == last

        await wait_for(passed_all)
        assert runner.status.batches - batches <= 1
        assert runner.status.applied == 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_passed_over_commits_reach_the_checkpoint_in_a_quiet_moment(rt: Runtime) -> None:
    await twelve_passed_over(rt, OPENINGS_ONLY, "a")
    # a restart resumes after them and applies each opening once
    more = await write_counter(rt, "b", 3)
    await run_until(quick(rt), rt, more)
    kinds = [r[0] for r in await rt.pool.fetch("SELECT kind FROM rm_counters.applied")]
    assert kinds == ["test.CounterOpened", "test.CounterOpened"]
    assert await checkpoint(rt) == more


async def test_a_long_stretch_records_its_checkpoint_on_the_way(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner_module, "PASS_AT_MOST", 5)
    opened = await write_counter(rt, "c", 0)
    runner = rt.runner(dataclasses.replace(OPENINGS_ONLY, batch_size=2), Service.INTAKE)
    task = asyncio.create_task(runner.run())
    try:

        async def caught_up_to_opening() -> bool:
            return runner.status.last_seq >= opened

        await wait_for(caught_up_to_opening)
        last = await increment(rt, "c", opened, 20)

        async def caught_up() -> bool:
            return runner.status.last_seq >= last

        await wait_for(caught_up)
        # no quiet moment yet (fetches wait 5 s): only the stretch bound moved it
        assert await checkpoint(rt) >= last - 6
        assert runner.status.passed >= 14
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_events_of_its_types_the_projection_does_not_want_are_passed_over(
    rt: Runtime,
) -> None:
    """``wants``: the counter's increments are of a type it handles, but only the openings
    are wanted — the increments pass without a transaction and are never applied."""
    openings = dataclasses.replace(
        counter_projection(), wants=lambda event: not isinstance(event, CounterIncremented)
    )
    assert "test.CounterIncremented" in openings.event_types
    await twelve_passed_over(rt, openings, "d")
    more = await write_counter(rt, "e", 3)  # an opening, then three increments
    await run_until(rt.runner(openings, Service.INTAKE), rt, more)
    kinds = [r[0] for r in await rt.pool.fetch("SELECT kind FROM rm_counters.applied")]
    assert kinds == ["test.CounterOpened", "test.CounterOpened"]
