"""Test infrastructure: a real NATS JetStream and a real PostgreSQL for the whole run.

Both are started from the wheels on free ports in a temporary folder and removed afterwards,
unless ``NATS_URL`` / ``DATABASE_URL`` point at servers to use instead. Each test gets its
own namespace (streams, buckets) and, where it asks, its own database, so tests never see
each other's data even on shared servers.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import nats
import pytest
from nats.aio.client import Client as NatsClient

from devstack.embedded import EmbeddedNats, EmbeddedPostgres

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    """A temporary folder for the run's servers, removed at the end."""
    path = Path(tempfile.mkdtemp(prefix="rathaus-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def nats_url(workdir: Path) -> Iterator[str]:
    """URL of the NATS server the tests use."""
    if os.environ.get("NATS_URL"):
        yield os.environ["NATS_URL"]
        return
    server = EmbeddedNats(workdir / "nats", port=0).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def pg_admin_url(workdir: Path) -> Iterator[str]:
    """Superuser URL of the PostgreSQL server the tests use."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    server = EmbeddedPostgres(workdir / "pg", port=0).start(fsync=False)
    yield server.url
    server.stop()


@pytest.fixture
def namespace() -> str:
    """A namespace of the test's own: streams, subjects and buckets no other test sees."""
    return f"t{secrets.token_hex(4)}"


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[NatsClient]:
    """A plain NATS connection."""
    client = await nats.connect(nats_url)
    yield client
    await client.drain()


DatabaseFactory = Callable[[], Awaitable[str]]


@pytest.fixture
async def new_database(pg_admin_url: str) -> AsyncIterator[DatabaseFactory]:
    """Creates fresh databases on demand; drops them after the test."""
    created: list[str] = []
    admin = await asyncpg.connect(pg_admin_url)

    async def create() -> str:
        name = f"test_{secrets.token_hex(5)}"
        await admin.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return pg_admin_url.rsplit("/", 1)[0] + f"/{name}"

    yield create
    for name in created:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


@pytest.fixture
async def database_url(new_database: DatabaseFactory) -> str:
    """A fresh, empty database for this test."""
    return await new_database()
