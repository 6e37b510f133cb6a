"""Data keys in the real key bucket: created once, destroyed for good, never recreated."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from contracts.naming import Service
from runtime.datakeys import KeyErased
from runtime.reader import read_stream
from runtime.service import Runtime
from runtime.streams import key_bucket_stream
from tests.support.runtime import connected_runtime


@pytest.fixture
async def rt(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await connected_runtime(Service.ARCHIVE, nats_url, namespace, database_url)
    yield runtime
    await runtime.stop()


async def test_create_is_idempotent_and_survives_the_cache(rt: Runtime) -> None:
    first = await rt.keys.create("case-a")
    rt.keys.forget("case-a")
    again = await rt.keys.create("case-a")
    sealed = first.encrypt(b"\x00" * 12, b"Erika", None)
    assert again.decrypt(b"\x00" * 12, sealed, None) == b"Erika"


async def test_a_destroyed_key_is_gone_and_cannot_be_created_again(rt: Runtime) -> None:
    await rt.keys.create("case-b")
    assert await rt.keys.destroy("case-b") is True
    assert await rt.keys.get("case-b") is None
    with pytest.raises(KeyErased):
        await rt.keys.create("case-b")
    assert await rt.keys.destroy("case-b") is False  # a second erasure changes nothing
    stored = [
        msg
        async for msg in read_stream(rt.js, key_bucket_stream(rt.ns))
        if msg.subject.endswith("case-b")
    ]
    assert [msg.data for msg in stored] == [b""]  # the tombstone, nothing of the key


async def test_another_process_sees_the_erasure_once_it_forgets(rt: Runtime) -> None:
    await rt.keys.create("case-c")
    other = rt.keys.__class__(rt.js, rt.ns.key_bucket(), key_bucket_stream(rt.ns), rt.settings.kek)
    assert await other.get("case-c") is not None
    await rt.keys.destroy("case-c")
    other.forget("case-c")  # what a service does on PersonalDataErased
    assert await other.get("case-c") is None
