"""The transactional outbox against real NATS and PostgreSQL: once, in order, through outages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from contracts.naming import Service
from devstack.embedded import EmbeddedNats
from runtime import outbox
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import derived_id, new_id
from runtime.outbox import OutboxPublisher
from runtime.service import Runtime
from tests.support.events import CounterIncremented, CounterOpened
from tests.support.runtime import connected_runtime

CAUSE = Cause(actor="test", correlation_id=new_id())
TOWN = "14729410"


def counter(name: str) -> AggregateRef:
    return AggregateRef(Service.INTAKE, TOWN, "counter", name)


def publisher_for(rt: Runtime) -> OutboxPublisher:
    def ref_of(row: Any) -> AggregateRef:
        return AggregateRef(
            Service.INTAKE, row["tenant"], row["aggregate_type"], row["aggregate_id"]
        )

    return OutboxPublisher(rt.pool, rt.store, ref_of, rt.settings.database_url)


@pytest.fixture
async def rt(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)
    yield runtime
    await runtime.stop()


async def record_counter(rt: Runtime, name: str, increments: int, *, owner: str = "o") -> None:
    """One transaction: a new counter and its increments, as one commit each."""
    async with rt.pool.acquire() as conn, conn.transaction():
        await outbox.record(
            conn,
            counter(name),
            [CounterOpened(owner=owner)],
            commit_id=derived_id(name, 0),
            cause=CAUSE,
            data_key=f"key-{name}",
            expected_seq=0,
        )
        for i in range(1, increments + 1):
            await outbox.record(
                conn,
                counter(name),
                [CounterIncremented(by=1, value=i)],
                commit_id=derived_id(name, i),
                cause=CAUSE,
            )


async def publish_all(publisher: OutboxPublisher) -> None:
    while await publisher.publish_due():
        pass


async def values(rt: Runtime, name: str) -> list[Any]:
    loaded = await rt.store.load(counter(name))
    return [getattr(e.event, "value", "opened") for e in loaded.events]


async def test_recorded_commits_are_published_once_each_in_order(rt: Runtime) -> None:
    await record_counter(rt, "a", 3)
    await record_counter(rt, "b", 2)
    await publish_all(publisher_for(rt))
    assert await values(rt, "a") == ["opened", 1, 2, 3]
    assert await values(rt, "b") == ["opened", 1, 2]
    assert await rt.pool.fetchval("SELECT count(*) FROM rc_outbox") == 0
    # The announcement says when it was decided, not when NATS took it.
    loaded = await rt.store.load(counter("a"))
    assert loaded.events[0].meta.actor == "test"
    assert loaded.events[0].meta.correlation_id == CAUSE.correlation_id


async def test_a_rolled_back_transaction_announces_nothing(rt: Runtime) -> None:
    async with rt.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await outbox.record(
            conn, counter("gone"), [CounterOpened(owner=None)], commit_id=new_id(), cause=CAUSE
        )
        await transaction.rollback()  # the effect's transaction failed
    await publish_all(publisher_for(rt))
    assert await values(rt, "gone") == []


@pytest.mark.parametrize("hint", [0, None])
async def test_a_repeat_after_a_lost_deletion_appends_nothing(
    rt: Runtime, hint: int | None
) -> None:
    """Published, then a crash took the row's deletion back: the repeat finds its commit."""
    commit_id = new_id()

    async def record() -> None:
        async with rt.pool.acquire() as conn, conn.transaction():
            await outbox.record(
                conn,
                counter("twice"),
                [CounterOpened(owner=None)],
                commit_id=commit_id,
                cause=CAUSE,
                expected_seq=hint,
            )

    publisher = publisher_for(rt)
    await record()
    await publish_all(publisher)
    await record()  # the same row again, as after the crash
    await publish_all(publisher)
    assert await values(rt, "twice") == ["opened"]
    assert await rt.pool.fetchval("SELECT count(*) FROM rc_outbox") == 0


async def test_erased_before_it_was_announced_goes_out_without_personal_data(
    rt: Runtime,
) -> None:
    await record_counter(rt, "erased", 0, owner="Erika Mustermann")
    await rt.keys.create("key-erased")
    await rt.keys.destroy("key-erased")
    await publish_all(publisher_for(rt))
    [opened] = (await rt.store.load(counter("erased"))).events
    assert isinstance(opened.event, CounterOpened)
    assert opened.event.owner is None
    assert b"Erika" not in opened.commit


async def test_a_nats_outage_delays_announcements_and_repeats_none(
    tmp_path: Path, namespace: str, database_url: str
) -> None:
    server = EmbeddedNats(tmp_path / "nats", port=0).start()
    runtime = await connected_runtime(Service.INTAKE, server.url, namespace, database_url)
    publisher = publisher_for(runtime)
    task = asyncio.create_task(publisher.run())
    try:
        server.kill()
        for name in ("x", "y", "z"):
            await record_counter(runtime, name, 2)
        for _ in range(150):  # the publisher tries and fails meanwhile
            if publisher.last_error is not None:
                break
            await asyncio.sleep(0.1)
        assert publisher.last_error is not None
        assert await runtime.pool.fetchval("SELECT count(*) FROM rc_outbox") == 9
        server = EmbeddedNats(tmp_path / "nats", port=server.port).start()
        for _ in range(300):
            if await runtime.pool.fetchval("SELECT count(*) FROM rc_outbox") == 0:
                break
            await asyncio.sleep(0.1)
        for name in ("x", "y", "z"):
            assert await values(runtime, name) == ["opened", 1, 2]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await runtime.stop()
        server.stop()
