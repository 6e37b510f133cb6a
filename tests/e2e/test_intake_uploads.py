"""Uploads: streamed with bounded memory, stored encrypted, removed when never submitted."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import nats
import pytest
from nats.js.errors import NotFoundError

from contracts.naming import Namespace
from tests.conftest import DatabaseFactory
from tests.support.applications import PDF, WURZEN, upload
from tests.support.suite import Suite

MB = 1024 * 1024


@pytest.fixture
async def intake(
    nats_url: str, namespace: str, new_database: DatabaseFactory, tmp_path: Path
) -> AsyncIterator[Suite]:
    suite = Suite(
        nats_url=nats_url,
        database_urls={"intake": await new_database()},
        smtp_port=1,
        workdir=tmp_path,
        namespace=namespace,
        extra_env={"INTAKE_UPLOAD_EXPIRY_HOURS": "0.0005", "INTAKE_UPLOAD_SWEEP_SECONDS": "0.5"},
    )
    suite.start(("intake",))
    try:
        async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=30) as client:
            for _ in range(100):
                if len((await client.get("/api/v1/towns")).json()) == 18:
                    break
                await asyncio.sleep(0.1)
        yield suite
    finally:
        suite.stop()


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


async def test_eight_uploads_of_the_largest_size_at_once_keep_intake_small(
    intake: Suite,
) -> None:
    marker = os.urandom(16).hex().encode()
    content = PDF + marker + os.urandom(5 * MB - len(PDF) - 32 - 100)
    async with httpx.AsyncClient(base_url=intake.url("intake"), timeout=120) as client:
        answers = await asyncio.gather(
            *(upload(client, WURZEN, "gewerbeanmeldung", f"big-{i}", content) for i in range(8))
        )
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    assert {a.json()["size"] for a in answers} == {len(content)}
    peak = peak_memory_mb(intake.processes["intake"].process.pid)
    print(f"intake's peak resident memory after 8 concurrent 5 MB uploads: {peak:.0f} MB")
    assert peak < 250


async def test_a_file_never_submitted_is_removed_and_stored_only_encrypted(
    intake: Suite, nats_url: str, namespace: str
) -> None:
    marker = os.urandom(16).hex().encode()
    async with httpx.AsyncClient(base_url=intake.url("intake"), timeout=30) as client:
        stored = await upload(client, WURZEN, "gewerbeanmeldung", "abandoned", PDF + marker)
    assert stored.status_code == 201, stored.text
    client_nats = await nats.connect(nats_url)
    try:
        objects = await client_nats.jetstream().object_store(
            Namespace(namespace).attachment_bucket()
        )
        [info] = [
            i
            for i in await objects.list()
            if i.name and i.name.endswith(stored.json()["attachment_id"])
        ]
        sealed = (await objects.get(info.name)).data or b""
        assert sealed.startswith(b"RCD1")  # sealed with the case's key
        assert marker not in sealed
        conn = await asyncpg.connect(intake.database_urls["intake"])
        try:
            for _ in range(100):
                if not await conn.fetchval("SELECT count(*) FROM uploads"):
                    break
                await asyncio.sleep(0.1)
            assert await conn.fetchval("SELECT count(*) FROM uploads") == 0
        finally:
            await conn.close()
        try:
            left = [i.name for i in await objects.list(ignore_deletes=True) if i.name == info.name]
        except NotFoundError:  # nats-py's way of saying "no objects at all"
            left = []
        assert left == []
    finally:
        await client_nats.close()
