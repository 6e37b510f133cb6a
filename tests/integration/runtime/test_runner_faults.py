"""The projection runner when things go wrong: a fenced leader, a newer event version, a
malformed commit, a retried dead letter with later commits — against real NATS and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime

import asyncpg
import pytest

from contracts.base import REGISTRY, DomainEvent
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.deadletters import (
    DeadLetterNotRetried,
    dismiss_dead_letter,
    list_dead_letters,
    retry_dead_letter,
)
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.operations import RebuildFailed, rebuild
from runtime.runner import ProjectionRunner
from runtime.service import Runtime
from tests.support import projections
from tests.support.events import CounterIncremented, CounterOpened
from tests.support.projections import counter_projection, state_projection
from tests.support.runtime import connected_runtime

CAUSE = Cause(actor="test", correlation_id=new_id())
TOWN = "14729410"


@pytest.fixture
async def rt(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)
    yield runtime
    await runtime.stop()


@pytest.fixture(autouse=True)
def no_refusals() -> Iterator[None]:
    projections.FAILING.clear()
    yield
    projections.FAILING.clear()


def ref(name: str) -> AggregateRef:
    return AggregateRef(Service.INTAKE, TOWN, "counter", name)


async def write(rt: Runtime, name: str, increments: int, start: int = 0) -> list[int]:
    """A counter's commits; returns their stream sequences."""
    seqs = []
    if start == 0:
        opened = await rt.store.append(
            ref(name), [CounterOpened(owner=name)], expected_seq=0, cause=CAUSE, data_key=name
        )
        seqs.append(opened.stream_seq)
    last, _ = await rt.store.head(ref(name))
    for value in range(start + 1, start + increments + 1):
        result = await rt.store.append(
            ref(name), [CounterIncremented(by=1, value=value)], expected_seq=last, cause=CAUSE
        )
        last = result.stream_seq
        seqs.append(last)
    return seqs


async def until(predicate: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def stop(*tasks: asyncio.Task[None]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_leader_that_lost_its_lock_is_fenced_and_nothing_is_lost(
    rt: Runtime, database_url: str
) -> None:
    async def slow(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        await asyncio.sleep(0.01)
        await projections.record(conn, envelope)

    projection = replace(counter_projection(batch_size=20), handle=slow)
    first = rt.runner(projection, Service.INTAKE)
    first._lock_check = 3600.0  # it must not notice by pinging: only the fence may stop it
    second = rt.runner(projection, Service.INTAKE)
    seqs = await write(rt, "fence", 60)
    one = asyncio.create_task(first.run())
    await until(lambda: _at_least(first, 10))
    two = asyncio.create_task(second.run())
    try:
        # The first leader's lock connection dies: PostgreSQL frees its lock, the second
        # replica takes the lead while the first is still in the middle of consuming.
        admin = await asyncpg.connect(database_url)
        await admin.execute("SELECT pg_terminate_backend($1)", first.status.lock_pid)
        await admin.close()
        await until(lambda: _leads(second))
        seqs += await write(rt, "fence", 40, start=60)
        await until(lambda: _at_least(second, seqs[-1]))
        assert second.status.epoch == 2
        await until(lambda: _not_leading(first), timeout=15)
    finally:
        await stop(one, two)
    rows = await rt.pool.fetch(
        "SELECT stream_seq, count(*) AS n FROM rm_counters.applied GROUP BY 1 ORDER BY 1"
    )
    assert [r["stream_seq"] for r in rows] == seqs, "an event was skipped"
    assert all(r["n"] == 1 for r in rows), "an event was applied twice"


async def _at_least(runner: ProjectionRunner, seq: int) -> bool:
    return runner.status.last_seq >= seq


async def _not_leading(runner: ProjectionRunner) -> bool:
    return not runner.status.leader


async def _leads(runner: ProjectionRunner) -> bool:
    return runner.status.leader and runner.status.consumer_ready.is_set()


async def test_a_newer_event_version_pauses_the_projection_until_an_upgrade(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    projection = state_projection()
    before = await write(rt, "v", 2)
    # A newer release wrote version 2 of an event this release knows as version 1.
    subject = ref("v").subject(rt.ns)
    newer = await rt.js.publish(
        subject,
        await _v2_commit(rt, "v", value=3),
        headers={"Rc-Event-Types": "test.CounterIncremented/2"},
    )
    after = await write(rt, "w", 1)
    runner = rt.runner(projection, Service.INTAKE)
    runner._pause_recheck = 0.5
    task = asyncio.create_task(runner.run())
    try:
        await until(lambda: _paused(runner))
        assert runner.status.last_seq == before[-1]
        assert str(newer.seq) in (runner.status.paused or "")
        assert await rt.pool.fetchval("SELECT value FROM rm_counter_state.state") == 2
        assert await list_dead_letters(rt.pool) == [], "a newer version is not a dead letter"
        paused = await rt.pool.fetchval("SELECT paused_reason FROM rc_projection_leases")
        assert "test.CounterIncremented/2" in paused
        # The upgrade: this code now knows version 2 (and how to read version 1).
        monkeypatch.setattr(CounterIncremented, "version", 2)
        monkeypatch.setitem(REGISTRY._upcasters, ("test.CounterIncremented", 1), lambda d: d)
        await until(lambda: _at_least(runner, after[-1]))
        assert runner.status.paused is None
    finally:
        await stop(task)
    rows = await rt.pool.fetch("SELECT counter, value FROM rm_counter_state.state ORDER BY 1")
    assert [(r["counter"], r["value"]) for r in rows] == [("v", 3), ("w", 1)]


async def _paused(runner: ProjectionRunner) -> bool:
    return runner.status.paused is not None


async def _v2_commit(rt: Runtime, name: str, value: int) -> bytes:
    """A commit as a newer release would write it (version 2 in meta and header)."""
    event = CounterIncremented(by=1, value=value)
    commit_id = new_id()
    meta = rt.store._meta(ref(name), event, CAUSE, None, datetime.now(UTC))
    return await rt.store.codec.encode(commit_id, [(meta.model_copy(update={"version": 2}), event)])


async def test_a_malformed_commit_is_a_dead_letter_everywhere_and_can_be_dismissed(
    rt: Runtime,
) -> None:
    projection = state_projection()
    await write(rt, "m", 1)
    bad = await rt.js.publish(
        ref("m").subject(rt.ns),
        b'{"commit_id": "not a uuid", "events": [{"secret": "Erika Mustermann"}]}',
        headers={
            "Rc-Event-Types": "test.CounterIncremented/1",
            "Rc-Tenant": TOWN,
            "Rc-Correlation-Id": str(CAUSE.correlation_id),
            "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        },
    )
    after = await write(rt, "m", 1, start=1)
    runner = rt.runner(projection, Service.INTAKE)
    runner._applier._delays = (0.01,)
    task = asyncio.create_task(runner.run())
    try:
        await until(lambda: _at_least(runner, after[-1]))
    finally:
        await stop(task)
    [letter] = await list_dead_letters(rt.pool)
    assert letter.stream_seq == bad.seq
    assert letter.attempts == 1, "a commit that cannot be decoded is not retried"
    assert letter.error.startswith("ValidationError: ")
    assert "\n" not in letter.error
    assert "Erika" not in letter.error
    assert (letter.tenant, letter.correlation_id) == (TOWN, str(CAUSE.correlation_id))
    assert letter.trace_id == "0af7651916cd43dd8448eb211c80319c"
    # A rebuild meets it the same way: a dead letter, not a crash; nothing left behind.
    await rebuild(rt.pool, rt.js, rt.ns, rt.store.codec, projection)
    assert await rt.pool.fetchval("SELECT value FROM rm_counter_state.state") == 2
    assert await _schemas(rt) == ["rm_counter_state"]
    [still] = await list_dead_letters(rt.pool)
    assert still.id == letter.id
    # A retry fails again and says so; a dismissal closes it with who and why.
    with pytest.raises(DeadLetterNotRetried):
        await retry_dead_letter(
            rt.pool, rt.js, {projection.name: projection}, rt.store.codec, letter.id, actor="op"
        )
    await dismiss_dead_letter(rt.pool, letter.id, reason="forged commit", actor="operator:anna")
    assert await list_dead_letters(rt.pool) == []
    [closed] = await list_dead_letters(rt.pool, include_resolved=True)
    assert (closed.resolution, closed.resolved_by, closed.reason) == (
        "dismissed",
        "operator:anna",
        "forged commit",
    )
    assert closed.attempts == 3  # live, the rebuild, the retry


async def _schemas(rt: Runtime) -> list[str]:
    rows = await rt.pool.fetch(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rm_counter_state%' ORDER BY 1"
    )
    return [r[0] for r in rows]


async def test_a_failed_rebuild_leaves_nothing_behind(rt: Runtime) -> None:
    projection = state_projection()
    seqs = await write(rt, "r", 3)
    runner = rt.runner(projection, Service.INTAKE)
    task = asyncio.create_task(runner.run())
    await until(lambda: _at_least(runner, seqs[-1]))
    await stop(task)
    await rt.js.publish(
        ref("r").subject(rt.ns),
        await _v2_commit(rt, "r", value=4),
        headers={"Rc-Event-Types": "test.CounterIncremented/2"},
    )
    with pytest.raises(RebuildFailed, match="newer than this version knows"):
        await rebuild(rt.pool, rt.js, rt.ns, rt.store.codec, projection)
    assert await _schemas(rt) == ["rm_counter_state"]
    assert await rt.pool.fetchval("SELECT value FROM rm_counter_state.state") == 3


async def test_a_retried_dead_letter_does_not_overwrite_newer_state(rt: Runtime) -> None:
    projection = state_projection()
    seqs = await write(rt, "late", 3)
    projections.FAILING.add(seqs[0])  # the opening fails; the increments go ahead without it
    runner = rt.runner(projection, Service.INTAKE)
    runner._applier._delays = ()
    task = asyncio.create_task(runner.run())
    await until(lambda: _at_least(runner, seqs[-1]))
    await stop(task)
    assert await rt.pool.fetchval("SELECT count(*) FROM rm_counter_state.state") == 0
    [letter] = await list_dead_letters(rt.pool)
    projections.FAILING.clear()  # the fix is deployed
    applied = await retry_dead_letter(
        rt.pool, rt.js, {projection.name: projection}, rt.store.codec, letter.id, actor="op"
    )
    assert applied == 4, "the opening and then its three later commits"
    # Not the opening's value 0: the state the later commits made.
    assert await rt.pool.fetchval("SELECT value FROM rm_counter_state.state") == 3
    [closed] = await list_dead_letters(rt.pool, include_resolved=True)
    assert (closed.resolution, closed.resolved_by) == ("retried", "op")


async def test_a_retried_dead_letter_of_a_reaction_is_committed_to_disk(rt: Runtime) -> None:
    """A reaction's effects must survive a crash once committed, the runner's and a retry's:
    the test database, like the chaos run's, does not wait for the disk by default."""
    commit_modes: list[str] = []

    async def reacting(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        await projections.keep_state(conn, envelope)
        commit_modes.append(await conn.fetchval("SELECT current_setting('synchronous_commit')"))

    projection = replace(
        state_projection(), name="counter-reaction", handle=reacting, rebuildable=False
    )
    assert await rt.pool.fetchval("SELECT current_setting('synchronous_commit')") == "off"
    seqs = await write(rt, "reacted", 2)
    projections.FAILING.add(seqs[0])
    runner = rt.runner(projection, Service.INTAKE)
    runner._applier._delays = ()
    task = asyncio.create_task(runner.run())
    await until(lambda: _at_least(runner, seqs[-1]))
    await stop(task)
    [letter] = await list_dead_letters(rt.pool)
    projections.FAILING.clear()
    commit_modes.clear()

    await retry_dead_letter(
        rt.pool, rt.js, {projection.name: projection}, rt.store.codec, letter.id, actor="op"
    )

    assert commit_modes == ["on", "on", "on"]  # the opening and the increments after it
