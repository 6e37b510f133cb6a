"""The running suite: five service processes on the run's NATS and PostgreSQL, a real SMTP
server, an OTLP receiver and the development OpenID Connect issuer (one for the whole run),
whose operator tokens the services accept.

``suite`` starts the five services for one test and stops them after it. ``shared_suite`` starts
them once for a whole module (with its own ``shared_smtp``, ``shared_otlp``, databases and
namespace): starting the five processes costs 10–25 s, and most tests of a module only file
applications and look at their own. A test on the shared suite must not stop, kill or restart a
service, move the test clock, change configuration, or count what other tests made — it finds
its own data (its application, recipient, Kassenzeichen). A module sets ``shared_suite_env`` for
environment its services need (a website's origin, a payment provider).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import DatabaseFactory
from tests.support.issuer import DevIssuer, running_issuer
from tests.support.mail import SmtpServer
from tests.support.otlp import OtlpReceiver
from tests.support.suite import SERVICES, Suite


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def otlp() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevIssuer]:
    """The development issuer, started once for the run."""
    with running_issuer(tmp_path_factory.mktemp("issuer")) as running:
        yield running


@pytest.fixture
def operator_token(issuer: DevIssuer) -> str:
    """A fresh operator token (client credentials of the demo operator client)."""
    return issuer.client_token()


@pytest.fixture
async def suite(
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    smtp: SmtpServer,
    otlp: OtlpReceiver,
    issuer: DevIssuer,
    tmp_path: Path,
) -> AsyncIterator[Suite]:
    databases = {name: await new_database() for name in SERVICES}
    running = Suite(
        nats_url=nats_url,
        database_urls=databases,
        smtp_port=smtp.port,
        workdir=tmp_path,
        namespace=namespace,
        otlp_endpoint=otlp.endpoint,
        issuer_url=issuer.url,
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()


StartAlone = Callable[[str], Awaitable[Suite]]


@pytest.fixture
async def start_alone(
    nats_url: str, namespace: str, new_database: DatabaseFactory, issuer: DevIssuer, tmp_path: Path
) -> AsyncIterator[StartAlone]:
    """Starts one service on its own, on a fresh database; stops it after the test."""
    started: list[Suite] = []

    async def start(name: str) -> Suite:
        suite = Suite(
            nats_url=nats_url,
            database_urls={name: await new_database()},
            smtp_port=1,
            workdir=tmp_path,
            namespace=namespace,
            issuer_url=issuer.url,
        )
        started.append(suite)
        return suite.start((name,))

    yield start
    for suite in started:
        suite.stop()


@pytest.fixture(scope="module")
def shared_smtp() -> Iterator[SmtpServer]:
    """One mailbox for a module's shared suite (each test finds its own mails)."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared_otlp() -> Iterator[OtlpReceiver]:
    """One OTLP receiver for a module's shared suite."""
    receiver = OtlpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def shared_namespace() -> str:
    """The namespace of a module's shared suite."""
    return f"t{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
def shared_suite_env() -> dict[str, str]:
    """Environment of a module's shared suite beyond the usual; a module overrides it."""
    return {}


@pytest.fixture(scope="module")
async def shared_suite(
    nats_url: str,
    pg_admin_url: str,
    shared_namespace: str,
    shared_smtp: SmtpServer,
    shared_otlp: OtlpReceiver,
    shared_suite_env: dict[str, str],
    issuer: DevIssuer,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Suite]:
    """The five services started once for the module's tests, on databases of their own."""
    admin = await asyncpg.connect(pg_admin_url)
    names = {service: f"test_{secrets.token_hex(5)}" for service in SERVICES}
    base = pg_admin_url.rsplit("/", 1)[0]
    running = Suite(
        nats_url=nats_url,
        database_urls={service: f"{base}/{name}" for service, name in names.items()},
        smtp_port=shared_smtp.port,
        workdir=tmp_path_factory.mktemp("shared-suite"),
        namespace=shared_namespace,
        otlp_endpoint=shared_otlp.endpoint,
        issuer_url=issuer.url,
        extra_env=dict(shared_suite_env),
    )
    try:
        for name in names.values():
            await admin.execute(f'CREATE DATABASE "{name}"')
        running.start()
        yield running
    finally:
        running.stop()
        for name in names.values():
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
