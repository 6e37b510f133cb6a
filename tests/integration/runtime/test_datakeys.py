"""Data keys in the real key bucket: created once, destroyed for good, never recreated."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contracts.naming import Service
from runtime.crypto import new_data_key, seal
from runtime.datakeys import DataKeyStore, KeyErased, KeyMissing
from runtime.reader import read_stream
from runtime.service import Runtime
from runtime.streams import key_bucket_stream
from tests.support.runtime import connected_runtime


@pytest.fixture
async def rt(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)
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


async def test_only_a_creating_store_creates_keys(rt: Runtime) -> None:
    reader = DataKeyStore(
        rt.js, rt.ns.key_bucket(), key_bucket_stream(rt.ns), rt.settings.kek, may_create=False
    )
    with pytest.raises(KeyMissing):
        await reader.create("case-d")
    created = await rt.keys.create("case-d")
    found = await reader.create("case-d")  # sealing with an existing key is fine
    sealed = created.encrypt(b"\x00" * 12, b"Erika", None)
    assert found.decrypt(b"\x00" * 12, sealed, None) == b"Erika"


async def test_keys_of_a_previous_kek_and_unversioned_keys_stay_readable(rt: Runtime) -> None:
    old_kek, data_key = new_data_key(), new_data_key()
    stream, prefix = key_bucket_stream(rt.ns), f"$KV.{rt.ns.key_bucket()}."
    # As stored before key ids: nonce ‖ ciphertext ‖ tag, with the current KEK.
    await rt.js.publish(prefix + "legacy", seal(AESGCM(rt.settings.kek), data_key, b"legacy"))
    old = DataKeyStore(rt.js, rt.ns.key_bucket(), stream, old_kek)
    await old.create("old-kek")
    rotated = DataKeyStore(
        rt.js, rt.ns.key_bucket(), stream, rt.settings.kek, previous_keks=[old_kek]
    )

    legacy = await rt.keys.get("legacy")
    assert legacy is not None
    sealed = AESGCM(data_key).encrypt(b"\x00" * 12, b"Erika", None)
    assert legacy.decrypt(b"\x00" * 12, sealed, None) == b"Erika"
    assert await rotated.get("old-kek") is not None


async def test_erased_asks_the_bucket_even_while_the_key_is_cached(rt: Runtime) -> None:
    await rt.keys.create("case-e")
    other = rt.keys.__class__(rt.js, rt.ns.key_bucket(), key_bucket_stream(rt.ns), rt.settings.kek)
    assert await other.get("case-e") is not None  # in the other process's cache now
    assert await other.erased("case-e") is False
    await rt.keys.destroy("case-e")
    assert await other.erased("case-e") is True  # its erasure event has not arrived there
    assert await other.erased("never-created") is False
