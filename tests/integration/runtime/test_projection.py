"""The projection runner against real NATS and PostgreSQL: order, dead letters, rebuild."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from contracts.naming import Service
from runtime.deadletters import list_dead_letters, retry_dead_letter
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.operations import rebuild
from runtime.runner import ProjectionRunner
from runtime.service import Runtime
from tests.support.events import CounterBroke, CounterIncremented, CounterOpened
from tests.support.projections import counter_projection
from tests.support.runtime import connected_runtime

CAUSE = Cause(actor="test", correlation_id=new_id())


@pytest.fixture
async def rt(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)
    yield runtime
    await runtime.stop()


async def write_counter(rt: Runtime, name: str, increments: int) -> int:
    ref = AggregateRef(Service.INTAKE, "14729410", "counter", name)
    result = await rt.store.append(
        ref,
        [CounterOpened(owner=f"owner {name}")],
        expected_seq=0,
        cause=CAUSE,
        data_key=f"key-{name}",
    )
    for i in range(1, increments + 1):
        result = await rt.store.append(
            ref, [CounterIncremented(by=1, value=i)], expected_seq=result.stream_seq, cause=CAUSE
        )
    return result.stream_seq


async def wait_for(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def run_until(runner: ProjectionRunner, rt: Runtime, last_seq: int) -> None:
    task = asyncio.create_task(runner.run())
    try:

        async def caught_up() -> bool:
            return runner.status.last_seq >= last_seq

        await wait_for(caught_up)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_events_are_applied_in_order_with_checkpoint(rt: Runtime) -> None:
    last = await write_counter(rt, "a", 30)
    projection = counter_projection(batch_size=7)
    await run_until(rt.runner(projection, Service.INTAKE), rt, last)
    rows = await rt.pool.fetch("SELECT stream_seq, value FROM rm_counters.applied ORDER BY 1")
    assert [r["stream_seq"] for r in rows] == list(range(1, last + 1))
    assert [r["value"] for r in rows][1:] == list(range(1, 31))
    checkpoint = await rt.pool.fetchval("SELECT last_seq FROM rm_counters.rc_checkpoint")
    assert checkpoint == last
    # Personal data was encrypted in the log and decrypted for the read model.
    assert await rt.pool.fetchval("SELECT owner FROM rm_counters.owners") == "owner a"


async def test_restart_resumes_after_the_checkpoint(rt: Runtime) -> None:
    projection = counter_projection()
    first = await write_counter(rt, "a", 5)
    await run_until(rt.runner(projection, Service.INTAKE), rt, first)
    second = await write_counter(rt, "b", 5)
    await run_until(rt.runner(projection, Service.INTAKE), rt, second)
    seqs = [r[0] for r in await rt.pool.fetch("SELECT stream_seq FROM rm_counters.applied")]
    assert sorted(seqs) == list(range(1, second + 1))


async def test_a_failing_event_becomes_a_dead_letter_and_the_projection_goes_on(
    rt: Runtime,
) -> None:
    projection = counter_projection()
    ref = AggregateRef(Service.INTAKE, "14729410", "counter", "p")
    poison = await rt.store.append(ref, [CounterBroke(note="poison")], expected_seq=0, cause=CAUSE)
    last = await write_counter(rt, "after", 2)
    runner = rt.runner(projection, Service.INTAKE)
    runner._applier._delays = (0.01, 0.01)  # keep the test quick
    await run_until(runner, rt, last)
    applied = [r[0] for r in await rt.pool.fetch("SELECT stream_seq FROM rm_counters.applied")]
    assert poison.stream_seq not in applied
    assert sorted(applied) == list(range(poison.stream_seq + 1, last + 1))
    [letter] = await list_dead_letters(rt.pool)
    assert letter.stream_seq == poison.stream_seq
    assert letter.attempts == 3
    assert "cannot apply: poison" in letter.error
    assert letter.event_types == "test.CounterBroke/1"


async def test_an_unknown_event_type_is_kept_and_reported(rt: Runtime) -> None:
    subject = rt.ns.aggregate_subject(Service.INTAKE, "14729410", "counter", "future")
    body = (
        b'{"commit_id":"01a20144-1f6c-75d1-be5e-d99d278231ee","events":[{"meta":{'
        b'"event_id":"01a20144-1f6c-75d1-be5e-d99d278231ef","type":"test.CounterMelted",'
        b'"version":1,"tenant":"14729410","aggregate_type":"counter","aggregate_id":"future",'
        b'"occurred_at":"2026-11-22T10:00:00Z","actor":"future",'
        b'"correlation_id":"01a20144-1f6c-75d1-be5e-d99d278231ee"},"data":{}}]}'
    )
    ack = await rt.js.publish(subject, body, headers={"Rc-Event-Types": "test.CounterMelted/1"})
    last = await write_counter(rt, "x", 1)
    await run_until(rt.runner(counter_projection(), Service.INTAKE), rt, last)
    [letter] = await list_dead_letters(rt.pool)
    assert letter.stream_seq == ack.seq
    assert "unknown event type" in letter.error
    assert "test.CounterMelted/1" in letter.error


async def test_a_retried_dead_letter_is_applied_once_it_can_be(rt: Runtime) -> None:
    projection = counter_projection()
    last = await write_counter(rt, "r", 1)
    runner = rt.runner(projection, Service.INTAKE)
    await run_until(runner, rt, last)
    # Simulate an event that failed earlier: record it as a dead letter, then retry it.
    ref = AggregateRef(Service.INTAKE, "14729410", "counter", "r")
    extra = await rt.store.append(
        ref, [CounterIncremented(by=1, value=2)], expected_seq=last, cause=CAUSE
    )
    msg = await rt.js.get_msg(rt.ns.stream(Service.INTAKE), extra.stream_seq)
    await rt.pool.execute(
        "INSERT INTO rc_dead_letters (projection, stream, stream_seq, subject, event_types,"
        " headers, data, error, attempts) VALUES ($1,$2,$3,$4,$5,$6,$7,'ValueError: x',3)",
        "counters",
        rt.ns.stream(Service.INTAKE),
        extra.stream_seq,
        msg.subject,
        "test.CounterIncremented/1",
        dict(msg.headers or {}),
        msg.data,
    )
    [letter] = await list_dead_letters(rt.pool)
    await retry_dead_letter(
        rt.pool, rt.js, {"counters": projection}, rt.store.codec, letter.id, actor="test"
    )
    assert await list_dead_letters(rt.pool) == []
    values = [
        r[0]
        for r in await rt.pool.fetch(
            "SELECT value FROM rm_counters.applied WHERE stream_seq = $1", extra.stream_seq
        )
    ]
    assert values == [2]


async def test_rebuild_replays_into_a_fresh_schema_and_swaps_it_in(rt: Runtime) -> None:
    projection = counter_projection()
    last = await write_counter(rt, "a", 20)
    await run_until(rt.runner(projection, Service.INTAKE), rt, last)
    await rt.pool.execute("DELETE FROM rm_counters.applied WHERE stream_seq > 5")  # damage it
    counts = await rebuild(rt.pool, rt.js, rt.ns, rt.store.codec, projection)
    assert counts == {rt.ns.stream(Service.INTAKE): last}
    seqs = [r[0] for r in await rt.pool.fetch("SELECT stream_seq FROM rm_counters.applied")]
    assert sorted(seqs) == list(range(1, last + 1))
    assert await rt.pool.fetchval("SELECT last_seq FROM rm_counters.rc_checkpoint") == last
    schemas = [
        r[0]
        for r in await rt.pool.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rm_counters%'"
        )
    ]
    assert schemas == ["rm_counters"]
    # The live projection carries on from the swapped-in checkpoint.
    more = await write_counter(rt, "b", 3)
    await run_until(rt.runner(projection, Service.INTAKE), rt, more)
    seqs = [r[0] for r in await rt.pool.fetch("SELECT stream_seq FROM rm_counters.applied")]
    assert sorted(seqs) == list(range(1, more + 1))
