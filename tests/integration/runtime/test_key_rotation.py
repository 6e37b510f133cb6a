"""Rotating the KEK: every live data key re-wrapped under the new one, on a real key bucket."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contracts.naming import Service
from runtime.crypto import kek_id, new_data_key, seal
from runtime.datakeys import DataKeyStore, RewrapReport, rewrap_all
from runtime.reader import read_stream
from runtime.service import Runtime
from runtime.streams import key_bucket_stream
from tests.support.runtime import connected_runtime

NONCE = b"\x00" * 12


@pytest.fixture
async def rt(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)
    yield runtime
    await runtime.stop()


def store(rt: Runtime, kek: bytes, *previous: bytes) -> DataKeyStore:
    return DataKeyStore(
        rt.js,
        rt.ns.key_bucket(),
        key_bucket_stream(rt.ns),
        kek,
        previous_keks=previous,
        cache_seconds=0,
    )


async def wrapped_by(rt: Runtime) -> dict[str, bytes]:
    prefix = f"$KV.{rt.ns.key_bucket()}."
    return {
        msg.subject.removeprefix(prefix): msg.data
        async for msg in read_stream(rt.js, key_bucket_stream(rt.ns))
    }


async def test_rewrap_all_moves_every_live_key_to_the_current_kek(rt: Runtime) -> None:
    old, new = new_data_key(), new_data_key()
    before = store(rt, old)
    sealed = {}
    for case in ("case-1", "case-2"):
        sealed[case] = (await before.create(case)).encrypt(NONCE, b"Erika", None)
    await before.create("case-erased")
    await before.destroy("case-erased")
    legacy_key = new_data_key()  # as stored before wrapped keys named their KEK
    await rt.js.publish(
        f"$KV.{rt.ns.key_bucket()}.case-legacy", seal(AESGCM(old), legacy_key, b"case-legacy")
    )
    await before.mark_erasures_applied(7)  # the marker is no key: left alone

    report = await rewrap_all(rt.js, rt.ns, new, [old])

    assert report == RewrapReport(rewrapped=3, current=0, erased=1, raced=0, unreadable=[])
    after = store(rt, new)  # the previous KEK is no longer needed
    for case, ciphertext in sealed.items():
        key = await after.get(case)
        assert key is not None
        assert key.decrypt(NONCE, ciphertext, None) == b"Erika"
    legacy = await after.get("case-legacy")
    assert legacy is not None
    assert legacy.encrypt(NONCE, b"x", None) == AESGCM(legacy_key).encrypt(NONCE, b"x", None)
    assert await after.get("case-erased") is None
    stored = await wrapped_by(rt)
    for case in ("case-1", "case-2", "case-legacy"):
        assert stored[case].startswith(b"RCK1" + kek_id(new).encode())
    assert (await after.erasures_applied())[0] == 7

    again = await rewrap_all(rt.js, rt.ns, new, [old])

    assert again == RewrapReport(rewrapped=0, current=3, erased=1, raced=0, unreadable=[])


async def test_keys_no_configured_kek_opens_are_reported_and_left_alone(rt: Runtime) -> None:
    lost, current = new_data_key(), new_data_key()
    await store(rt, lost).create("case-lost")
    await store(rt, current).create("case-fine")

    report = await rewrap_all(rt.js, rt.ns, current)

    assert report.unreadable == ["case-lost"]
    assert (report.rewrapped, report.current) == (0, 1)
    assert (await wrapped_by(rt))["case-lost"].startswith(b"RCK1" + kek_id(lost).encode())
