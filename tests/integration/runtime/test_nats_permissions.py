"""NATS locked down per service: each service may do its work and is refused the rest.

The test run's shared NATS admits anyone (its many tests keep apart by namespaces, and a user
per namespace and test would gain nothing there): a test-only simplification. This module
starts a NATS of its own with the users and permissions ``runtime.natsauth`` generates, as
``python3 rathaus.py start`` and ``deploy/nats/auth.conf`` use them, and checks them one by one:
first what each service must not do, then the walking skeleton through all five services.

A refused request gets no answer (the server reports a permissions violation to the client's
error callback instead), so refusals are checked with a short timeout and that report.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from contracts.naming import Namespace, Service
from devstack.embedded import EmbeddedNats
from runtime.datakeys import DataKeyStore
from runtime.natsauth import (
    attachment_stream,
    authorization_block,
    inbox_prefix,
    key_bucket_stream,
    new_passwords,
    user_name,
)
from runtime.streams import ensure_event_stream, ensure_shared_buckets, event_stream_config
from tests.conftest import DatabaseFactory
from tests.e2e.test_walking_skeleton import APPLY, wait_for_status
from tests.support.applications import WURZEN, gewerbeanmeldung
from tests.support.mail import SmtpServer
from tests.support.suite import SERVICES, Suite

NS = Namespace("")
REFUSED_WITHIN = 1.5


@pytest.fixture(scope="module")
def passwords() -> dict[str, str]:
    return new_passwords()


@pytest.fixture(scope="module")
def secured_nats(
    tmp_path_factory: pytest.TempPathFactory, passwords: dict[str, str]
) -> Iterator[str]:
    """A NATS that admits only the five services (and the admin), as production does."""
    store = tmp_path_factory.mktemp("secured-nats")
    server = EmbeddedNats(store, port=0, authorization=authorization_block(NS, passwords))
    server.start()
    yield server.url
    server.stop()


class Client:
    """One service's connection, collecting the permission violations the server reports."""

    def __init__(self, nc: NatsClient, violations: list[str]) -> None:
        self.nc = nc
        self.js: JetStreamContext = nc.jetstream(timeout=REFUSED_WITHIN)
        self.violations = violations

    async def refused(self, attempt: Awaitable[Any], subject_part: str) -> None:
        """``attempt`` gets no answer, and the server names the subject it refused."""
        with pytest.raises((TimeoutError, nats.errors.TimeoutError)):
            await attempt
        await self.nc.flush()
        for _ in range(20):
            if any(subject_part.lower() in v.lower() for v in self.violations):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"no violation naming {subject_part!r}: {self.violations}")


Connect = Callable[[Service], Awaitable[Client]]


@pytest.fixture
async def connect(secured_nats: str, passwords: dict[str, str]) -> AsyncIterator[Connect]:
    """Connects as a service's user, with its inbox prefix; closes afterwards."""
    opened: list[NatsClient] = []

    async def open_as(service: Service) -> Client:
        violations: list[str] = []

        async def on_error(error: Exception) -> None:
            violations.append(str(error))

        nc = await nats.connect(
            secured_nats,
            user=user_name(NS, service),
            password=passwords[service.value],
            inbox_prefix=inbox_prefix(NS, service),
            error_cb=on_error,
            allow_reconnect=False,
        )
        opened.append(nc)
        return Client(nc, violations)

    yield open_as
    for nc in opened:
        await nc.close()


@pytest.fixture(scope="module")
async def provisioned(secured_nats: str, passwords: dict[str, str]) -> None:
    """Every stream and both buckets, each created by its owner with its own rights."""
    for service in Service:  # intake first: it owns the key bucket and the attachment store
        nc = await nats.connect(
            secured_nats,
            user=user_name(NS, service),
            password=passwords[service.value],
            inbox_prefix=inbox_prefix(NS, service),
        )
        await ensure_event_stream(nc.jetstream(), NS, service)
        await ensure_shared_buckets(nc.jetstream(), NS, service)
        await nc.close()


async def test_anonymous_clients_and_wrong_passwords_are_turned_away(secured_nats: str) -> None:
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(secured_nats, allow_reconnect=False, connect_timeout=2)
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(secured_nats, user="intake", password="guess", allow_reconnect=False)


def _other(service: Service) -> Service:
    services = list(Service)
    return services[(services.index(service) + 1) % len(services)]


async def _refusals(client: Client, service: Service, key_seq: int) -> None:
    """Everything ``service`` must not do, tried at once."""
    js, other = client.js, _other(service)
    own = NS.stream(service)
    foreign = NS.aggregate_subject(other, WURZEN, "application", "x")
    checks = [
        (js.publish(foreign, b"{}"), foreign),
        (js.purge_stream(own), f"STREAM.PURGE.{own}"),
        (js.delete_stream(own), f"STREAM.DELETE.{own}"),
        (js.delete_msg(own, 1), f"STREAM.MSG.DELETE.{own}"),
        (js.purge_stream(key_bucket_stream(NS)), f"STREAM.PURGE.{key_bucket_stream(NS)}"),
        (js.delete_stream(attachment_stream(NS)), f"STREAM.DELETE.{attachment_stream(NS)}"),
        (js.update_stream(event_stream_config(NS, other, 1)), f"STREAM.UPDATE.{NS.stream(other)}"),
        (js.add_stream(name="ROGUE", subjects=["rogue.>"]), "STREAM.CREATE.ROGUE"),
    ]
    if service != Service.ARCHIVE:
        stream = key_bucket_stream(NS)
        checks.append((js.delete_msg(stream, key_seq), f"STREAM.MSG.DELETE.{stream}"))
    if service not in (Service.INTAKE, Service.ARCHIVE):
        subject = f"$KV.{NS.key_bucket()}.case-2"
        checks.append((js.publish(subject, b"not a key"), subject))
        # Documents are added, never purged: only the store's owner and its eraser purge.
        objects = attachment_stream(NS)
        checks.append((js.purge_stream(objects), f"STREAM.PURGE.{objects}"))
    if service == Service.NOTIFY:
        chunk = f"$O.{NS.attachment_bucket()}.C.forged"
        checks.append((js.publish(chunk, b"not a document"), chunk))
    await asyncio.gather(*(client.refused(attempt, part) for attempt, part in checks))


@pytest.mark.usefixtures("provisioned")
@pytest.mark.parametrize("service", list(Service), ids=lambda s: s.value)
async def test_each_service_is_refused_what_it_must_not_do(
    connect: Connect, service: Service
) -> None:
    intake = await connect(Service.INTAKE)
    await _key_store(intake, may_create=True).create("case-1")
    subject = f"$KV.{NS.key_bucket()}.case-1"
    key_seq = (await intake.js.get_last_msg(key_bucket_stream(NS), subject, direct=True)).seq
    client = await connect(service)

    await _refusals(client, service, key_seq or 1)

    # Nor may it listen in: not to events outside a consumer, not to another's replies.
    await client.nc.subscribe("ev.>")
    await client.nc.subscribe(f"{inbox_prefix(NS, _other(service))}.>")
    await client.nc.flush()
    await asyncio.sleep(0.2)
    assert sum("subscription" in v.lower() for v in client.violations) == 2, client.violations


@pytest.mark.usefixtures("provisioned")
async def test_keys_are_created_by_intake_read_by_those_that_decrypt_destroyed_by_archive(
    connect: Connect,
) -> None:
    intake = await connect(Service.INTAKE)
    created = await _key_store(intake, may_create=True).create("case-3")
    sealed = created.encrypt(b"\x00" * 12, b"Erika", None)
    for reader in (Service.CASEWORK, Service.NOTIFY, Service.ARCHIVE):
        key = await _key_store(await connect(reader)).get("case-3")
        assert key is not None
        assert key.decrypt(b"\x00" * 12, sealed, None) == b"Erika"

    archive = _key_store(await connect(Service.ARCHIVE))
    assert await archive.destroy("case-3") is True
    assert await _key_store(intake).get("case-3") is None
    await archive.mark_erasures_applied(1)
    assert (await archive.erasures_applied())[0] == 1


@pytest.mark.usefixtures("provisioned")
async def test_billing_creates_the_keys_of_its_incoming_invoices_and_no_others(
    connect: Connect,
) -> None:
    intake = await connect(Service.INTAKE)
    await _key_store(intake, may_create=True).create("case-5")  # the bucket is intake's
    billing = await connect(Service.BILLING)
    created = await _key_store(billing, may_create=True).create("einvoice.0192-test")
    sealed = created.encrypt(b"\x00" * 12, b"DE02120300000000202051", None)
    key = await _key_store(await connect(Service.CASEWORK)).get("einvoice.0192-test")
    assert key is not None
    assert key.decrypt(b"\x00" * 12, sealed, None) == b"DE02120300000000202051"
    for subject in ("case-6", "einvoices.x", "einvoice.a.b"):
        attempt = billing.js.publish(f"$KV.{NS.key_bucket()}.{subject}", b"not a key")
        await billing.refused(attempt, f"$KV.{NS.key_bucket()}.{subject}")


def _key_store(client: Client, *, may_create: bool = False) -> DataKeyStore:
    return DataKeyStore(
        client.js,
        NS.key_bucket(),
        key_bucket_stream(NS),
        bytes(32),
        may_create=may_create,
        cache_seconds=0,
    )


async def test_one_application_travels_through_all_five_services_with_credentials(
    secured_nats: str,
    passwords: dict[str, str],
    new_database: DatabaseFactory,
    tmp_path: Path,
) -> None:
    """The walking skeleton, each service connected as its own user."""
    smtp = SmtpServer().start()
    suite = Suite(
        nats_url=secured_nats,
        database_urls={name: await new_database() for name in SERVICES},
        smtp_port=smtp.port,
        workdir=tmp_path,
        namespace=NS.prefix,
        service_env={
            name: {"NATS_USER": user_name(NS, Service(name)), "NATS_PASSWORD": passwords[name]}
            for name in SERVICES
        },
    )
    try:
        suite.start()
        async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=10) as client:
            response = await client.post(
                APPLY, json=gewerbeanmeldung(), headers={"Idempotency-Key": secrets.token_hex(8)}
            )
            assert response.status_code == 201, response.text
            status = await wait_for_status(client, response.json()["status_url"], "filed")
        assert status["status"] == "filed"
        # casework stored the decision letter, notify read and attached it
        decision = await smtp.mailbox.wait_for_subject("Bescheid:")
        [letter] = list(decision.iter_attachments())
        assert letter.get_content_type() == "application/pdf"
        for name in SERVICES:
            assert "Permissions Violation" not in suite.processes[name].log_path.read_text()
    finally:
        suite.stop()
        smtp.stop()
