"""The running suite: five service processes on the run's NATS and PostgreSQL, a real SMTP
server, an OTLP receiver and the development OpenID Connect issuer (one for the whole run),
whose operator tokens the services accept."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

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
