"""The event store against a real nats-server: concurrency, de-duplication, atomic commits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from nats.js.api import DiscardPolicy, StorageType
from nats.js.errors import APIError

from contracts.naming import Service
from runtime.eventstore import AggregateRef, Cause, ConcurrencyConflict
from runtime.ids import new_id
from runtime.service import Runtime
from tests.support.events import CounterIncremented, CounterOpened
from tests.support.runtime import connected_runtime

CAUSE = Cause(actor="test", correlation_id=new_id())


@pytest.fixture
async def rt(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)
    yield runtime
    await runtime.stop()


def counter(name: str = "c1") -> AggregateRef:
    return AggregateRef(Service.INTAKE, "14729410", "counter", name)


def value_of(events: list) -> int:  # type: ignore[type-arg]
    value = 0
    for envelope in events:
        if isinstance(envelope.event, CounterIncremented):
            value = envelope.event.value
    return value


async def increment(rt: Runtime, ref: AggregateRef, by: int, pause: float = 0.0) -> int:
    """Load, decide, append; on a conflict load again and decide on the new state."""
    for _ in range(10):
        loaded = await rt.store.load(ref)
        new_value = value_of(loaded.events) + by
        await asyncio.sleep(pause)
        try:
            await rt.store.append(
                ref,
                [CounterIncremented(by=by, value=new_value)],
                expected_seq=loaded.last_seq,
                cause=CAUSE,
            )
            return new_value
        except ConcurrencyConflict:
            pause = 0
    raise AssertionError("no progress")


async def test_appended_events_load_back_in_order(rt: Runtime) -> None:
    ref = counter()
    first = await rt.store.append(
        ref,
        [CounterOpened(owner="Erika Mustermann")],
        expected_seq=0,
        cause=CAUSE,
        data_key="case-1",
    )
    await rt.store.append(
        ref, [CounterIncremented(by=2, value=2)], expected_seq=first.stream_seq, cause=CAUSE
    )
    loaded = await rt.store.load(ref)
    assert [type(e.event) for e in loaded.events] == [CounterOpened, CounterIncremented]
    assert loaded.events[0].event == CounterOpened(owner="Erika Mustermann")
    assert loaded.events[0].meta.tenant == "14729410"
    assert loaded.events[0].meta.correlation_id == CAUSE.correlation_id
    assert loaded.last_seq == loaded.events[1].stream_seq


async def test_two_concurrent_writers_exactly_one_wins_the_other_decides_again(rt: Runtime) -> None:
    ref = counter()
    await rt.store.append(ref, [CounterOpened(owner=None)], expected_seq=0, cause=CAUSE)
    loaded = await rt.store.load(ref)
    results = await asyncio.gather(
        rt.store.append(
            ref, [CounterIncremented(by=1, value=1)], expected_seq=loaded.last_seq, cause=CAUSE
        ),
        rt.store.append(
            ref, [CounterIncremented(by=5, value=5)], expected_seq=loaded.last_seq, cause=CAUSE
        ),
        return_exceptions=True,
    )
    conflicts = [r for r in results if isinstance(r, ConcurrencyConflict)]
    assert len(conflicts) == 1, results
    # Retried through load-decide-append, the loser decides on the winner's state.
    values = await asyncio.gather(increment(rt, ref, 10, pause=0.05), increment(rt, ref, 100))
    final = value_of((await rt.store.load(ref)).events)
    winner = 1 if not isinstance(results[0], ConcurrencyConflict) else 5
    assert final == winner + 110
    assert sorted(values)[-1] == final


async def test_same_commit_id_twice_is_stored_once(rt: Runtime) -> None:
    ref = counter()
    commit_id = new_id()
    first = await rt.store.append(
        ref, [CounterOpened(owner=None)], expected_seq=0, cause=CAUSE, commit_id=commit_id
    )
    again = await rt.store.append(
        ref, [CounterOpened(owner=None)], expected_seq=0, cause=CAUSE, commit_id=commit_id
    )
    assert not first.duplicate
    assert again.duplicate
    assert again.stream_seq == first.stream_seq
    assert len((await rt.store.load(ref)).events) == 1


async def test_a_multi_event_commit_lands_whole_or_not_at_all(rt: Runtime) -> None:
    ref = counter()
    three = [
        CounterOpened(owner=None),
        CounterIncremented(by=1, value=1),
        CounterIncremented(by=1, value=2),
    ]
    landed = await rt.store.append(ref, three, expected_seq=0, cause=CAUSE)
    refused = [CounterIncremented(by=1, value=3), CounterIncremented(by=1, value=4)]
    with pytest.raises(ConcurrencyConflict):
        await rt.store.append(ref, refused, expected_seq=0, cause=CAUSE)
    loaded = await rt.store.load(ref)
    assert [e.event for e in loaded.events] == three
    assert {e.stream_seq for e in loaded.events} == {landed.stream_seq}


async def test_the_log_keeps_history_and_refuses_delete_and_purge(rt: Runtime) -> None:
    ref = counter()
    appended = await rt.store.append(ref, [CounterOpened(owner=None)], expected_seq=0, cause=CAUSE)
    stream = rt.settings.ns.stream(Service.INTAKE)
    config = (await rt.js.stream_info(stream)).config
    assert config.storage == StorageType.FILE
    assert config.discard == DiscardPolicy.NEW  # a limit would refuse writes, never drop history
    assert (config.max_msgs, config.max_bytes, config.max_age) == (-1, -1, 0)
    assert (config.duplicate_window or 0) >= 60
    with pytest.raises(APIError):
        await rt.js.purge_stream(stream)
    with pytest.raises(APIError):
        await rt.js.delete_msg(stream, appended.stream_seq)
    assert (await rt.store.load(ref)).last_seq == appended.stream_seq


async def test_a_kept_aggregate_is_read_again_only_for_what_was_appended_since(
    rt: Runtime, nats_url: str, namespace: str, database_url: str
) -> None:
    ref = counter("kept")
    first = await rt.store.append(
        ref, [CounterIncremented(by=1, value=1)], expected_seq=0, cause=CAUSE
    )
    kept = await rt.store.load_kept(ref)
    assert await rt.store.load_kept(ref) is kept  # nothing new: nothing decoded again
    other = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)
    try:  # another replica appends
        await other.store.append(
            ref, [CounterIncremented(by=1, value=2)], expected_seq=first.stream_seq, cause=CAUSE
        )
    finally:
        await other.stop()
    now = await rt.store.load_kept(ref)
    assert value_of(now.events) == 2
    assert now.last_seq == (await rt.store.load(ref)).last_seq
    assert value_of(kept.events) == 1  # what a caller holds does not change under it


async def test_an_aggregate_with_personal_data_is_not_kept_past_its_erasure(rt: Runtime) -> None:
    ref = counter("kept-personal")
    await rt.keys.create("key-kept")
    await rt.store.append(
        ref,
        [CounterOpened(owner="Erika Mustermann")],
        expected_seq=0,
        cause=CAUSE,
        data_key="key-kept",
    )
    [opened] = (await rt.store.load_kept(ref)).events
    assert opened.event == CounterOpened(owner="Erika Mustermann")
    await rt.keys.destroy("key-kept")
    [erased] = (await rt.store.load_kept(ref)).events
    assert isinstance(erased.event, CounterOpened)
    assert erased.event.owner is None
