"""Bounces come back to the message they are about, and are applied once.

A mail goes out with its VERP envelope sender to a real SMTP server (aiosmtpd); a delivery
status notification for it arrives on notify's bounce port (a real SMTP conversation,
aiosmtplib) and turns the outbox row ``bounced`` with one ``MessageBounced``, however often it
comes. A delay report sent to the plain From address is matched by the returned Message-ID.
A report of nothing, a mail that is no report, a DSN for an unknown message: dropped, answered
250. Real PostgreSQL (outbox, the event outbox), NATS (the key bucket) and SMTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import aiosmtplib
import asyncpg
import pytest

from devstack.embedded import free_port
from runtime.ids import new_id
from runtime.service import Runtime
from services.notify.bounce_mail import serve_bounces
from services.notify.settings import NotifySettings
from tests.integration.notify.conftest import deliver_all, queued
from tests.support.mail import SmtpServer
from tests.unit.services.notify.test_bounces import DELAYED_NOTICE, MESSAGE, POSTFIX_BOUNCE

DOMAIN = "rathauscloud.example"


@pytest.fixture
async def settings(rt: Runtime, smtp: SmtpServer) -> AsyncIterator[NotifySettings]:
    """notify's settings, and its bounce port listening (the conftest's outbox has every step,
    the ``REPORTS`` table too)."""
    config = NotifySettings(
        environment="test", smtp_port=smtp.port, sender_domain=DOMAIN, bounce_smtp_port=free_port()
    )
    server = await serve_bounces(rt, config)
    yield config
    server.close()
    await server.wait_closed()


async def report(settings: NotifySettings, to: str, raw: bytes) -> None:
    """Send ``raw`` to the bounce port as a relay would: null sender, to ``to``."""
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=settings.bounce_smtp_port) as client:
        await client.mail("")  # MAIL FROM:<>, as DSNs are sent (RFC 3464)
        await client.rcpt(to)
        await client.data(raw)


def for_message(raw: bytes, message_id: object) -> bytes:
    return raw.replace(str(MESSAGE).encode(), str(message_id).encode())


async def events_of(db: asyncpg.Pool, message_id: object) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT events FROM rc_outbox WHERE aggregate_id = $1 ORDER BY id", str(message_id)
    )
    return [e for row in rows for e in row["events"]]


async def row_of(db: asyncpg.Pool, message_id: object) -> asyncpg.Record:
    row = await db.fetchrow("SELECT * FROM rm_outbox.outbox WHERE message_id = $1", message_id)
    assert row is not None
    return row


async def test_a_bounce_to_the_verp_address_marks_its_message_bounced_once(
    rt: Runtime, smtp: SmtpServer, settings: NotifySettings, database_url: str
) -> None:
    key = str(new_id())
    await rt.keys.create(key)
    message = await queued(rt.pool, key, "hedwig.quirinus@beispiel.de")
    await deliver_all(rt, settings, database_url)
    assert smtp.mailbox.senders == [f"bounce+{message}@{DOMAIN}"]
    assert (await row_of(rt.pool, message))["status"] == "delivered"

    dsn = for_message(POSTFIX_BOUNCE, message)
    await report(settings, f"bounce+{message}@{DOMAIN}", dsn)
    await report(settings, f"bounce+{message}@{DOMAIN}", dsn)  # the relay's retry

    row = await row_of(rt.pool, message)
    assert row["status"] == "bounced"
    assert row["last_error"] == (
        "DSN failed 5.1.1: 550 5.1.1 <…>: Recipient address rejected: User unknown in"
        " virtual mailbox table"
    )
    events = await events_of(rt.pool, message)
    assert [e["type"] for e in events] == ["notify.MessageDelivered", "notify.MessageBounced"]
    bounced = events[1]["data"]
    bounced.pop("bounced_at")
    assert bounced == {
        "message_id": str(message),
        "case_id": str(row["case_id"]),
        "template": "decision",
        "status": "5.1.1",
        "diagnostic": "550 5.1.1 <hedwig.quirinus@beispiel.de>: Recipient address rejected:"
        " User unknown in virtual mailbox table",
        "final_recipient": "hedwig.quirinus@beispiel.de",
    }
    commit = await rt.pool.fetchrow(
        "SELECT data_key, actor FROM rc_outbox WHERE aggregate_id = $1 ORDER BY id DESC LIMIT 1",
        str(message),
    )
    assert (commit["data_key"], commit["actor"]) == (key, "system:notify.bounces")
    assert await rt.pool.fetchval("SELECT count(*) FROM rm_outbox.reports") == 1


async def test_a_delay_to_the_from_address_is_matched_by_the_returned_message_id(
    rt: Runtime, smtp: SmtpServer, settings: NotifySettings, database_url: str
) -> None:
    key = str(new_id())
    await rt.keys.create(key)
    message = await queued(rt.pool, key, "amt@landkreis.example")
    await deliver_all(rt, settings, database_url)
    await report(settings, f"noreply@{DOMAIN}", for_message(DELAYED_NOTICE, message))

    row = await row_of(rt.pool, message)
    assert row["status"] == "deferred"
    assert row["last_error"] == (
        "DSN delayed 4.4.1: connect to mx.landkreis.example[198.51.100.7]:25: Connection timed out"
    )
    events = await events_of(rt.pool, message)
    assert [e["type"] for e in events] == ["notify.MessageDelivered", "notify.MessageDeferred"]
    assert events[1]["data"]["will_retry_until"] == "2026-12-05T10:29:58Z"

    # The bounce that follows wins; a late delay after it changes nothing.
    await report(settings, f"bounce+{message}@{DOMAIN}", for_message(POSTFIX_BOUNCE, message))
    other_delay = for_message(DELAYED_NOTICE, message).replace(b"4.4.1", b"4.4.2")
    await report(settings, f"noreply@{DOMAIN}", other_delay)
    assert (await row_of(rt.pool, message))["status"] == "bounced"
    assert len(await events_of(rt.pool, message)) == 3


async def test_what_is_no_bounce_of_a_known_message_is_dropped_without_harm(
    rt: Runtime, smtp: SmtpServer, settings: NotifySettings, database_url: str
) -> None:
    key = str(new_id())
    await rt.keys.create(key)
    message = await queued(rt.pool, key, "hedwig.quirinus@beispiel.de")
    await deliver_all(rt, settings, database_url)
    unknown: UUID = new_id()
    await report(settings, f"bounce+{unknown}@{DOMAIN}", for_message(POSTFIX_BOUNCE, unknown))
    await report(settings, f"noreply@{DOMAIN}", b"Subject: Abwesenheit\r\n\r\nIch bin im Urlaub.")
    await report(settings, f"noreply@{DOMAIN}", b"\x00\xff kaputt \r\n\r\n\x00")
    delivered = for_message(DELAYED_NOTICE, message).replace(b"Action: delayed", b"Action: relayed")
    await report(settings, f"noreply@{DOMAIN}", delivered)
    with pytest.raises(aiosmtplib.SMTPRecipientRefused):  # not a domain of ours
        await report(settings, "postmaster@example.org", for_message(POSTFIX_BOUNCE, message))

    assert (await row_of(rt.pool, message))["status"] == "delivered"
    assert [e["type"] for e in await events_of(rt.pool, message)] == ["notify.MessageDelivered"]
    assert await rt.pool.fetchval("SELECT count(*) FROM rm_outbox.reports") == 0


async def test_a_bounce_of_an_erased_case_is_dropped(
    rt: Runtime, smtp: SmtpServer, settings: NotifySettings, database_url: str
) -> None:
    key = str(new_id())
    await rt.keys.create(key)
    message = await queued(rt.pool, key, "hedwig.quirinus@beispiel.de")
    await deliver_all(rt, settings, database_url)
    await rt.keys.destroy(key)
    await report(settings, f"bounce+{message}@{DOMAIN}", for_message(POSTFIX_BOUNCE, message))
    assert (await row_of(rt.pool, message))["status"] == "delivered"
    assert [e["type"] for e in await events_of(rt.pool, message)] == ["notify.MessageDelivered"]
