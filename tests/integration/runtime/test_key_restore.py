"""A key bucket restored from a backup does not bring an erased key back.

The backup is real: every message of the bucket's stream copied, the stream deleted and
created again, the copied messages published back — a restore from before the erasure. Then
archive starts (its start-up hook) and a reading service asks for keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from contracts.events.archive import PersonalDataErased
from contracts.naming import Service
from runtime.datakeys import open_key_store
from runtime.eventstore import Cause
from runtime.ids import new_id
from runtime.reader import read_stream
from runtime.service import Runtime
from runtime.streams import ensure_key_bucket, key_bucket_stream
from services.archive.aggregates import erasure_ref
from services.archive.bootstrap import build
from services.archive.erasure import reapply_erasures
from services.archive.settings import ArchiveSettings
from tests.conftest import DatabaseFactory
from tests.support.applications import WURZEN
from tests.support.runtime import connected_runtime, settings_for


@dataclass(frozen=True)
class Stored:
    subject: str
    data: bytes
    headers: dict[str, str]


@pytest.fixture
async def intake(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)
    yield runtime
    await runtime.stop()


@pytest.fixture
async def archive(
    nats_url: str, namespace: str, new_database: DatabaseFactory
) -> AsyncIterator[Runtime]:
    settings = ArchiveSettings(
        environment="test",
        nats_url=nats_url,
        namespace=namespace,
        database_url=await new_database(),
    )
    runtime = Runtime(Service.ARCHIVE, settings)
    await runtime.connect()
    yield runtime
    await runtime.stop()


async def back_up(rt: Runtime) -> list[Stored]:
    return [
        Stored(msg.subject, msg.data, dict(msg.headers or {}))
        async for msg in read_stream(rt.js, key_bucket_stream(rt.ns))
    ]


async def restore(rt: Runtime, backup: list[Stored]) -> None:
    """What an operator does with the admin's rights: the bucket as it was in the backup."""
    await rt.js.delete_stream(key_bucket_stream(rt.ns))
    await ensure_key_bucket(rt.js, rt.ns)
    for msg in backup:
        headers = {k: v for k, v in msg.headers.items() if not k.startswith("Nats-")}
        await rt.js.publish(msg.subject, msg.data, headers=headers or None)


async def erase(archive: Runtime, case_id: UUID) -> None:
    """archive's erasure: destroy the key, record the erasure, move the marker."""
    await archive.keys.destroy(str(case_id))
    erased = PersonalDataErased(
        data_key=str(case_id), case_id=case_id, reason="test", erased_at=datetime.now(UTC)
    )
    cause = Cause(actor="test", correlation_id=new_id())
    await archive.store.append(erasure_ref(WURZEN, case_id), [erased], expected_seq=0, cause=cause)
    await reapply_erasures(archive)


async def test_a_restored_bucket_loses_the_erased_key_again_before_anyone_reads_it(
    intake: Runtime, archive: Runtime, nats_url: str, namespace: str, database_url: str
) -> None:
    erased_case, kept_case = uuid4(), uuid4()
    await intake.keys.create(str(erased_case))
    await intake.keys.create(str(kept_case))
    backup = await back_up(intake)  # before the erasure: the key is in it, no marker yet

    await erase(archive, erased_case)
    assert (await archive.keys.erasures_applied())[0] > 0
    await restore(intake, backup)

    # The restored bucket holds the erased key again, and no marker …
    restored = {m.subject for m in await back_up(intake) if m.data}
    assert f"$KV.{intake.ns.key_bucket()}.{erased_case}" in restored
    # … so a service that reads keys (casework, here) waits rather than read it.
    reader = open_key_store(
        intake.js, intake.ns, Service.CASEWORK, settings_for(nats_url, namespace, database_url)
    )
    waiting = asyncio.create_task(reader.get(str(erased_case)))
    await asyncio.sleep(1.5)
    assert not waiting.done()

    # archive starts: its start-up hook applies the erasures after the (old) marker again.
    for hook in build(archive).on_start:
        await hook(archive)

    assert await asyncio.wait_for(waiting, 5) is None
    assert await reader.get(str(kept_case)) is not None
    assert f"$KV.{intake.ns.key_bucket()}.{erased_case}" not in {
        m.subject for m in await back_up(intake) if m.data
    }


async def test_with_no_erasure_nobody_waits_and_a_fresh_marker_opens_at_once(
    intake: Runtime, archive: Runtime, nats_url: str, namespace: str, database_url: str
) -> None:
    case = uuid4()
    await intake.keys.create(str(case))
    reader = open_key_store(
        intake.js, intake.ns, Service.NOTIFY, settings_for(nats_url, namespace, database_url)
    )
    assert await asyncio.wait_for(reader.get(str(case)), 5) is not None

    await erase(archive, uuid4())  # another case: the marker follows at once
    later = open_key_store(
        intake.js, intake.ns, Service.NOTIFY, settings_for(nats_url, namespace, database_url)
    )
    assert await asyncio.wait_for(later.get(str(case)), 5) is not None
