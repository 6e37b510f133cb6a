"""A submission while NATS is down: a fast 503 in German, and its retry makes one application.

intake runs alone on a NATS server of this test's own, so that the test can kill it (as a
crash would) and start it again on the same port and store without disturbing other tests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import nats

from contracts.naming import Namespace, Service
from devstack.embedded import EmbeddedNats
from tests.conftest import DatabaseFactory
from tests.support.applications import WURZEN, gewerbeanmeldung
from tests.support.issuer import DevIssuer
from tests.support.suite import Suite

APPLY = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications"
KEY = {"Idempotency-Key": "outage-1"}


async def wait_until(condition: Callable[[], Awaitable[bool]], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached after {timeout} s")
        await asyncio.sleep(0.1)


async def applications_in_stream(nats_url: str, namespace: str) -> int:
    """How many applications intake's stream holds (one subject per application)."""
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().stream_info(
            Namespace(namespace).stream(Service.INTAKE), subjects_filter=">"
        )
        return sum(1 for subject in (info.state.subjects or {}) if ".application." in subject)
    finally:
        await nc.close()


async def test_a_submission_during_a_nats_outage_is_a_503_and_its_retry_one_application(
    tmp_path: Path, namespace: str, new_database: DatabaseFactory, issuer: DevIssuer
) -> None:
    server = EmbeddedNats(tmp_path / "nats", port=0).start()
    suite = Suite(
        nats_url=server.url,
        database_urls={"intake": await new_database()},
        smtp_port=1,
        workdir=tmp_path,
        namespace=namespace,
        issuer_url=issuer.url,
    )
    try:
        suite.start(("intake",))
        async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=30) as client:

            async def catalogue_projected() -> bool:
                return len((await client.get("/api/v1/towns")).json()) == 18

            async def nats_is(connected: bool) -> bool:
                readiness = await client.get("/readyz", headers=suite.operator_headers())
                return bool(readiness.json()["nats"] is connected)

            async def ready() -> bool:
                return (await client.get("/readyz")).status_code == 200

            await wait_until(catalogue_projected)
            server.kill()
            await wait_until(lambda: nats_is(connected=False))

            started = time.monotonic()
            refused = await client.post(APPLY, json=gewerbeanmeldung(), headers=KEY)
            elapsed = time.monotonic() - started
            assert refused.status_code == 503, refused.text
            assert elapsed < 2.0
            assert int(refused.headers["Retry-After"]) > 0
            assert refused.json() == {
                "title": "Der Dienst ist vorübergehend nicht erreichbar.",
                "detail": "Ihr Antrag wurde nicht gespeichert. Bitte senden Sie ihn in einigen "
                "Sekunden erneut – mit demselben Idempotency-Key entsteht dabei kein zweiter "
                "Antrag.",
                "errors": [],
            }
            without_key = await client.post(APPLY, json=gewerbeanmeldung())
            assert without_key.status_code == 503, without_key.text

            server.start()
            await wait_until(ready)
            first = await client.post(APPLY, json=gewerbeanmeldung(), headers=KEY)
            again = await client.post(APPLY, json=gewerbeanmeldung(), headers=KEY)
        assert (first.status_code, again.status_code) == (201, 200), first.text
        assert first.json()["application_id"] == again.json()["application_id"]
        assert await applications_in_stream(server.url, namespace) == 1
    finally:
        suite.stop()
        server.stop()
