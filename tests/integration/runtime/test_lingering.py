"""A lingering source's runner lets commits gather after a short batch and applies them
together — all of them, each once — while any other runner takes each as it comes."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest

from contracts.naming import Service
from runtime import runner as runner_module
from runtime.projection import Projection
from runtime.service import Runtime
from tests.integration.runtime.test_passing_over import increment
from tests.integration.runtime.test_projection import wait_for, write_counter
from tests.support.projections import counter_projection
from tests.support.runtime import connected_runtime

LINGERING = dataclasses.replace(counter_projection(), lingering=frozenset({Service.INTAKE}))


@pytest.fixture
async def rt(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)
    yield runtime
    await runtime.stop()


async def batches_for_spaced_commits(rt: Runtime, projection: Projection, counter: str) -> int:
    """Transactions the runner took for five commits written 0.1 s apart."""
    opened = await write_counter(rt, counter, 0)
    runner = rt.runner(projection, Service.INTAKE)
    task = asyncio.create_task(runner.run())
    try:

        async def caught_up_to(seq: int) -> bool:
            return runner.status.last_seq >= seq

        await wait_for(lambda: caught_up_to(opened))
        batches = runner.status.batches
        last = opened
        for _ in range(5):
            await asyncio.sleep(0.1)
            last = await increment(rt, counter, last, 1)
        await wait_for(lambda: caught_up_to(last))
        applied = await rt.pool.fetch(
            "SELECT stream_seq FROM rm_counters.applied WHERE stream_seq > $1", opened
        )
        assert len(applied) == 5  # every commit applied, once
        return runner.status.batches - batches
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_commits_arriving_while_it_lingers_are_applied_in_one_batch(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner_module, "LINGER", 1.0)
    assert await batches_for_spaced_commits(rt, LINGERING, "lingering") <= 2


async def test_without_lingering_each_commit_is_a_batch_of_its_own(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner_module, "LINGER", 1.0)
    assert await batches_for_spaced_commits(rt, counter_projection(), "prompt") >= 3
