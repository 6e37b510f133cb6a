"""A projector killed in the middle of a batch: after restart nothing is applied twice or lost."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from contracts.naming import Service
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.service import Runtime
from tests.support.events import CounterIncremented, CounterOpened
from tests.support.runtime import connected_runtime

ROOT = Path(__file__).resolve().parents[3]
EVENTS = 400


@pytest.fixture
async def rt(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)
    yield runtime
    await runtime.stop()


def start_projector(
    nats_url: str, namespace: str, database_url: str, touched: Path
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.projector_process",
            nats_url,
            namespace,
            database_url,
            str(touched),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def checkpoint(conn: asyncpg.Connection) -> int:
    value = (
        await conn.fetchval("SELECT coalesce(max(last_seq), 0) FROM rm_counters.rc_checkpoint")
        if await conn.fetchval("SELECT to_regclass('rm_counters.rc_checkpoint') IS NOT NULL")
        else 0
    )
    return int(value or 0)


@pytest.mark.timeout(180)
async def test_kill_mid_batch_then_restart_applies_each_event_exactly_once(
    rt: Runtime, nats_url: str, namespace: str, database_url: str, tmp_path: Path
) -> None:
    ref = AggregateRef(Service.INTAKE, "14729410", "counter", "crash")
    cause = Cause(actor="test", correlation_id=new_id())
    result = await rt.store.append(ref, [CounterOpened(owner=None)], expected_seq=0, cause=cause)
    for i in range(1, EVENTS):
        result = await rt.store.append(
            ref, [CounterIncremented(by=1, value=i)], expected_seq=result.stream_seq, cause=cause
        )
    last = result.stream_seq
    touched = tmp_path / "touched"
    conn = await asyncpg.connect(database_url)
    try:
        projector = start_projector(nats_url, namespace, database_url, touched)
        # Kill while a batch is in flight: events touched beyond the committed checkpoint.
        while True:
            await asyncio.sleep(0.02)
            seen = [int(x) for x in touched.read_text().split()] if touched.exists() else []
            committed = await checkpoint(conn)
            if committed >= 50 and seen and max(seen) > committed + 5:
                projector.send_signal(signal.SIGKILL)
                break
        projector.wait()
        killed_at = await checkpoint(conn)
        in_flight = max(int(x) for x in touched.read_text().split())
        assert in_flight > killed_at, "the kill did not hit the middle of a batch"
        assert killed_at < last

        projector = start_projector(nats_url, namespace, database_url, touched)
        try:
            while await checkpoint(conn) < last:
                assert projector.poll() is None, "projector died"
                await asyncio.sleep(0.1)
        finally:
            projector.terminate()
            projector.wait()
        rows = await conn.fetch(
            "SELECT stream_seq, count(*) AS n FROM rm_counters.applied"
            " GROUP BY stream_seq ORDER BY stream_seq"
        )
    finally:
        await conn.close()
    assert [r["stream_seq"] for r in rows] == list(range(1, last + 1)), "an event was skipped"
    assert all(r["n"] == 1 for r in rows), "an event was applied twice"
    # Some events were handled twice by the handler (touched), yet applied once.
    touches = touched.read_text().split()
    assert len(touches) > len(set(touches))
