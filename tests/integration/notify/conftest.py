"""notify's senders against the test run's NATS and PostgreSQL and a real SMTP server.

``rt`` is a runtime (intake's: it may create data keys) whose database also holds notify's
outbox tables; ``queued`` puts a message into that outbox as notify's projection would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from contracts.naming import Service
from runtime.database import lock_key
from runtime.ids import new_id
from runtime.service import Runtime
from services.notify.projections.outbox import migrations
from services.notify.sender import Baton, Sender
from services.notify.settings import NotifySettings
from tests.support.mail import SmtpServer
from tests.support.runtime import connected_runtime

HOLDER = lock_key("notify-sender:integration-test")


@pytest.fixture
async def rt(nats_url: str, namespace: str, database_url: str) -> AsyncIterator[Runtime]:
    runtime = await connected_runtime(Service.INTAKE, nats_url, namespace, database_url)
    async with runtime.pool.acquire() as conn:
        await conn.execute("CREATE SCHEMA rm_outbox; SET search_path TO rm_outbox")
        for migration in migrations():
            await conn.execute(migration)
        await conn.execute("RESET search_path")
    yield runtime
    await runtime.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


async def queued(db: asyncpg.Pool, data_key: str, recipient: str) -> object:
    message = new_id()
    await db.execute(
        "INSERT INTO rm_outbox.outbox (message_id, tenant, case_id, data_key, template,"
        " recipient, subject, body) VALUES ($1, '14729410', $2, $3, 'decision', $4,"
        " 'Bescheid', 'Text')",
        message,
        new_id(),
        data_key,
        recipient,
    )
    return message


async def deliver_all(rt: Runtime, settings: NotifySettings, database_url: str) -> None:
    """One sender sends every due message, its process present (holding ``HOLDER``)."""
    sender = Sender(rt, settings, Baton(), HOLDER)
    presence = await asyncpg.connect(database_url)  # this process's sign of life
    await presence.execute("SELECT pg_advisory_lock($1)", HOLDER)
    try:
        while await sender.deliver_one():
            pass
    finally:
        await presence.close()
