"""``/healthz`` says the process lives; ``/readyz`` says whether it can do its work."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx

from tests.e2e.conftest import StartAlone


async def wait_for_readiness(
    client: httpx.AsyncClient, code: int, timeout: float = 30.0
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await client.get("/readyz")
        if response.status_code == code:
            body: dict[str, Any] = response.json()
            return body
        assert asyncio.get_running_loop().time() < deadline, response.text
        await asyncio.sleep(0.2)


async def test_readiness_follows_the_database_while_the_process_stays_healthy(
    start_alone: StartAlone, pg_admin_url: str
) -> None:
    suite = await start_alone("billing")
    name = suite.database_urls["billing"].rsplit("/", 1)[1]
    admin = await asyncpg.connect(pg_admin_url)
    try:
        # /readyz tells why only to an operator
        operator = suite.operator_headers()
        async with httpx.AsyncClient(
            base_url=suite.url("billing"), timeout=10, headers=operator
        ) as client:
            assert (await client.get("/healthz")).json() == {"status": "ok", "service": "billing"}
            ready = await wait_for_readiness(client, 200)
            assert ready["database"] is True
            assert ready["nats"] is True
            assert ready["projections"]

            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
            down = await wait_for_readiness(client, 503)
            assert down["database"] is False
            assert (await client.get("/healthz")).status_code == 200

            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            back = await wait_for_readiness(client, 200)
            assert back["database"] is True
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
