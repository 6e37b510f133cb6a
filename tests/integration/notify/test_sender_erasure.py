"""A mail never goes out after its case was erased, even before notify heard of the erasure.

Archive destroys the case's data key first and announces ``PersonalDataErased`` after; notify's
projection drops the case's pending messages when that event arrives. In between, a sender
would still send one. So a sender asks the key bucket itself right before sending: a destroyed
key drops the message; a bucket it cannot reach (NATS away) postpones it, without an attempt.
Real NATS (the key bucket), PostgreSQL (the outbox) and SMTP (aiosmtpd).
"""

from __future__ import annotations

from types import SimpleNamespace

import asyncpg
import nats

from runtime.datakeys import DataKeyStore
from runtime.ids import new_id
from runtime.service import Runtime
from runtime.streams import key_bucket_stream
from services.notify.sender import Baton, Sender
from services.notify.settings import NotifySettings
from tests.integration.notify.conftest import HOLDER, deliver_all, queued
from tests.support.mail import SmtpServer


async def test_a_message_of_a_case_whose_key_is_destroyed_is_dropped_not_sent(
    rt: Runtime, smtp: SmtpServer, database_url: str
) -> None:
    settings = NotifySettings(environment="test", smtp_port=smtp.port)
    kept, erased = str(new_id()), str(new_id())
    await rt.keys.create(kept)
    await rt.keys.create(erased)
    keep = await queued(rt.pool, kept, "bleibt@example.org")
    drop = await queued(rt.pool, erased, "geloescht@example.org")
    await rt.keys.destroy(erased)  # archive's first step; its event is not here yet
    await deliver_all(rt, settings, database_url)

    assert [m["To"] for m in smtp.mailbox.messages] == ["bleibt@example.org"]
    rows = {
        r["message_id"]: r
        for r in await rt.pool.fetch("SELECT * FROM rm_outbox.outbox ORDER BY message_id")
    }
    assert (rows[keep]["status"], rows[keep]["attempts"]) == ("delivered", 1)
    assert (rows[drop]["status"], rows[drop]["attempts"]) == ("erased", 0)
    assert (rows[drop]["recipient"], rows[drop]["body"], rows[drop]["lease_token"]) == (
        None,
        None,
        None,
    )


async def test_without_the_key_bucket_a_message_waits_and_no_attempt_is_counted(
    rt: Runtime, smtp: SmtpServer, database_url: str, nats_url: str
) -> None:
    settings = NotifySettings(environment="test", smtp_port=smtp.port)
    key = str(new_id())
    await rt.keys.create(key)
    message = await queued(rt.pool, key, "wartet@example.org")
    # This process's NATS connection is gone: nobody can say whether the case was erased.
    connection = await nats.connect(nats_url)
    keys = DataKeyStore(
        connection.jetstream(), rt.ns.key_bucket(), key_bucket_stream(rt.ns), rt.settings.kek
    )
    await connection.close()
    away = SimpleNamespace(pool=rt.pool, keys=keys, settings=settings)
    sender = Sender(away, settings, Baton(), HOLDER)  # type: ignore[arg-type]
    presence = await asyncpg.connect(database_url)
    await presence.execute("SELECT pg_advisory_lock($1)", HOLDER)
    try:
        assert await sender.deliver_one() is True
        assert await sender.deliver_one() is False  # not due again at once
    finally:
        await presence.close()

    assert smtp.mailbox.messages == []
    row = await rt.pool.fetchrow(
        "SELECT status, attempts, lease_token, next_attempt_at > now() AS later"
        " FROM rm_outbox.outbox WHERE message_id = $1",
        message,
    )
    assert dict(row) == {"status": "pending", "attempts": 0, "lease_token": None, "later": True}
