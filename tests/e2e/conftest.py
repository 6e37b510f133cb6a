"""The running suite: five service processes on the run's NATS and PostgreSQL, a real SMTP
server and an OTLP receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import DatabaseFactory
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


@pytest.fixture
async def suite(
    nats_url: str,
    namespace: str,
    new_database: DatabaseFactory,
    smtp: SmtpServer,
    otlp: OtlpReceiver,
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
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()


StartAlone = Callable[[str], Awaitable[Suite]]


@pytest.fixture
async def start_alone(
    nats_url: str, namespace: str, new_database: DatabaseFactory, tmp_path: Path
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
        )
        started.append(suite)
        return suite.start((name,))

    yield start
    for suite in started:
        suite.stop()
