"""An event acknowledged to a caller survives kill -9 of the NATS server right after the ack.

The embedded server runs with ``sync_interval: always``, so a publish is fsynced before it
is acknowledged. This test starts its own server (it must kill it), publishes, kills it at
once with SIGKILL, restarts it on the same store and checks every acknowledged sequence.

Note: a killed *process* leaves its written pages in the operating system's cache, so on
this machine the same test also passes without ``sync_interval: always`` (tried: 10 of 10
runs lost nothing). What the fsync adds — surviving a crash of the machine or a power
loss — cannot be shown without crashing the kernel; the second test pins the setting.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest

from contracts.naming import Namespace, Service
from devstack.embedded import EmbeddedNats
from runtime.streams import ensure_event_stream

EVENTS = 300


async def publish_then_kill(server: EmbeddedNats, ns: Namespace) -> list[int]:
    nc = await nats.connect(server.url)
    js = nc.jetstream()
    await ensure_event_stream(js, ns, Service.INTAKE)
    subject = ns.aggregate_subject(Service.INTAKE, "14729410", "counter", "c")

    async def one(i: int) -> int:
        ack = await js.publish(subject, f'{{"n": {i}}}'.encode(), headers={"Nats-Msg-Id": f"m{i}"})
        return ack.seq

    acked = list(await asyncio.gather(*(one(i) for i in range(EVENTS))))
    server.kill()  # SIGKILL right after the last acknowledgement
    await nc.close()
    return acked


async def stored_sequences(server: EmbeddedNats, ns: Namespace) -> set[int]:
    nc = await nats.connect(server.url)
    try:
        js = nc.jetstream()
        info = await js.stream_info(ns.stream(Service.INTAKE))
        return set(range(info.state.first_seq, info.state.last_seq + 1))
    finally:
        await nc.close()


@pytest.mark.timeout(120)
async def test_acknowledged_events_survive_kill_9_of_the_server(tmp_path: Path) -> None:
    ns = Namespace("durable")
    server = EmbeddedNats(tmp_path / "nats", port=0).start()
    try:
        acked = await publish_then_kill(server, ns)
        server.start()
        stored = await stored_sequences(server, ns)
    finally:
        server.stop()
    assert len(acked) == EVENTS
    assert set(acked) <= stored


def test_the_embedded_server_syncs_every_write(tmp_path: Path) -> None:
    config = EmbeddedNats(tmp_path, port=4222).config_text()
    assert "sync_interval: always" in config
