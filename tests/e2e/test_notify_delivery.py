"""notify against a real SMTP server that misbehaves: retries with back-off, visible failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
import pytest

from contracts.events.intake import ApplicationSubmitted
from contracts.events.notify import ForwardingConfigured
from contracts.naming import Namespace, Service
from contracts.values import Contact
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import new_id
from runtime.reader import read_stream
from tests.conftest import DatabaseFactory
from tests.support.applications import WURZEN, gewerbeanmeldung
from tests.support.issuer import DevIssuer
from tests.support.mail import SmtpServer
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite

APPLY = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications"


@pytest.fixture
async def pair(
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    smtp: SmtpServer,
    issuer: DevIssuer,
    tmp_path: Path,
) -> AsyncIterator[Suite]:
    """intake and notify only: enough to send the acknowledgement."""
    databases = {"intake": await new_database(), "notify": await new_database()}
    running = Suite(
        nats_url=nats_url,
        database_urls=databases,
        smtp_port=smtp.port,
        workdir=tmp_path,
        namespace=namespace,
        issuer_url=issuer.url,
    )
    try:
        running.start(("intake", "notify"))
        yield running
    finally:
        running.stop()


FORWARDING = ForwardingConfigured.type_name


async def notify_events(nats_url: str, namespace: str) -> list[tuple[str, str]]:
    """(event types, subject) of every message's commit on notify's stream (not the towns'
    forwarding recipients notify adopts at start)."""
    nc = await nats.connect(nats_url)
    try:
        stream = Namespace(namespace).stream(Service.NOTIFY)
        return [
            ((msg.headers or {}).get("Rc-Event-Types", ""), msg.subject)
            async for msg in read_stream(nc.jetstream(), stream)
            if not (msg.headers or {}).get("Rc-Event-Types", "").startswith(FORWARDING)
        ]
    finally:
        await nc.close()


async def notify_stream_bytes(nats_url: str, namespace: str) -> bytes:
    """Everything notify's stream holds, headers and data."""
    nc = await nats.connect(nats_url)
    try:
        stream = Namespace(namespace).stream(Service.NOTIFY)
        return b"".join(
            [
                repr(msg.headers).encode() + msg.data
                async for msg in read_stream(nc.jetstream(), stream)
            ]
        )
    finally:
        await nc.close()


async def submit(suite: Suite, **changes: Any) -> str:
    async with httpx.AsyncClient(base_url=suite.url("intake")) as client:
        response = await client.post(APPLY, json=gewerbeanmeldung(**changes))
        assert response.status_code == 201, response.text
        return str(response.json()["application_id"])


async def wait_for_message(suite: Suite, status: str, timeout: float = 30) -> dict[str, Any]:
    operator = suite.operator_headers()  # the messages are for operators only
    async with httpx.AsyncClient(base_url=suite.url("notify"), headers=operator) as client:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            found = (await client.get("/api/v1/messages", params={"status": status})).json()
            if found:
                return dict(found[0])
            await asyncio.sleep(0.1)
    raise AssertionError(f"no {status} message")


async def test_a_temporary_failure_is_retried_until_delivered(
    pair: Suite, smtp: SmtpServer, nats_url: str, namespace: str
) -> None:
    smtp.mailbox.refuse = 2  # 451 twice, then accept
    case_id = await submit(pair)
    [mail] = await smtp.mailbox.wait_for(1)
    assert mail["To"] == "hedwig.quirinus@example.org"
    delivered = await wait_for_message(pair, "delivered")
    assert delivered["attempts"] == 3
    assert delivered["case_id"] == case_id
    types = [types for types, _ in await notify_events(nats_url, namespace)]
    assert types == [
        "notify.MessageDeliveryFailed/1",
        "notify.MessageDeliveryFailed/1",
        "notify.MessageDelivered/2",
    ]


async def test_a_permanent_failure_is_visible_and_can_be_retried(
    pair: Suite, smtp: SmtpServer, nats_url: str, namespace: str
) -> None:
    smtp.mailbox.reject_permanently = True
    await submit(pair)
    failed = await wait_for_message(pair, "failed")
    assert failed["attempts"] == 1
    assert failed["last_error"] == "SMTPRecipientsRefused: SMTP 550"
    assert smtp.mailbox.messages == []
    types = [types for types, _ in await notify_events(nats_url, namespace)]
    assert types == ["notify.MessageDeliveryFailed/1"]
    # The server's reply quoted the address; the immutable log must not keep it in clear.
    assert b"hedwig.quirinus" not in await notify_stream_bytes(nats_url, namespace)

    smtp.mailbox.reject_permanently = False  # the operator fixed the cause
    operator = pair.operator_headers()
    async with httpx.AsyncClient(base_url=pair.url("notify"), headers=operator) as client:
        response = await client.post(f"/api/v1/messages/{failed['message_id']}/retry")
        assert response.status_code == 202
    await smtp.mailbox.wait_for(1)
    delivered = await wait_for_message(pair, "delivered")
    assert delivered["attempts"] == 2


async def test_a_message_that_cannot_be_composed_fails_alone(
    pair: Suite, smtp: SmtpServer, nats_url: str, namespace: str, new_database: DatabaseFactory
) -> None:
    """An address Python's email package cannot parse must not stop everyone's mail."""
    writer = await connected_runtime(Service.INTAKE, nats_url, namespace, await new_database())
    try:
        poisoned = new_id()
        await writer.keys.create(str(poisoned))
        await writer.store.append(
            AggregateRef(Service.INTAKE, WURZEN, "application", str(poisoned)),
            [
                ApplicationSubmitted(
                    application_id=poisoned,
                    procedure="gewerbeanmeldung",
                    form_version=1,
                    submitted_at=datetime.now(UTC),
                    contact=Contact(name="Anna Schmidt", email="a@[b.de"),
                    form={},
                )
            ],
            expected_seq=0,
            cause=Cause(actor="test", correlation_id=poisoned),
            data_key=str(poisoned),
        )
    finally:
        await writer.stop()
    failed = await wait_for_message(pair, "failed")
    assert failed["case_id"] == str(poisoned)
    assert "a@[b.de" not in (failed["last_error"] or "")

    await submit(pair)  # the next citizen still gets their acknowledgement
    [mail] = await smtp.mailbox.wait_for(1)
    assert mail["To"] == "hedwig.quirinus@example.org"


async def test_a_failure_whose_database_update_was_lost_does_not_block_delivery(
    pair: Suite, smtp: SmtpServer, nats_url: str, namespace: str
) -> None:
    """The log says attempt 1 failed, the outbox (its update lost) still counts 0 attempts."""
    smtp.mailbox.refuse = 1
    pair.extra_env["NOTIFY_RETRY_BASE_SECONDS"] = "3"  # time to lose the update in between
    pair.stop()
    pair.start(("intake", "notify"))
    await submit(pair)
    operator = pair.operator_headers()
    async with httpx.AsyncClient(base_url=pair.url("notify"), headers=operator) as client:
        for _ in range(100):
            pending = (await client.get("/api/v1/messages", params={"status": "pending"})).json()
            if pending and pending[0]["attempts"] == 1:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the first attempt did not fail as arranged")
    conn = await asyncpg.connect(pair.database_urls["notify"])
    try:
        await conn.execute("UPDATE rm_outbox.outbox SET attempts = 0")
    finally:
        await conn.close()

    [mail] = await smtp.mailbox.wait_for(1)
    assert mail["To"] == "hedwig.quirinus@example.org"
    delivered = await wait_for_message(pair, "delivered")
    assert delivered["attempts"] == 1  # as the outbox counted
    types = [types for types, _ in await notify_events(nats_url, namespace)]
    assert types == ["notify.MessageDeliveryFailed/1", "notify.MessageDelivered/2"]
