"""intake is no mail cannon: submissions are limited per client and per recipient address."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import DatabaseFactory
from tests.support.applications import WURZEN, gewerbeanmeldung
from tests.support.suite import Suite

APPLY = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications"


@pytest.fixture
async def limited_intake(
    nats_url: str, namespace: str, new_database: DatabaseFactory, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    suite = Suite(
        nats_url=nats_url,
        database_urls={"intake": await new_database()},
        smtp_port=1,
        workdir=tmp_path,
        namespace=namespace,
        extra_env={
            "INTAKE_RATE_LIMIT_PER_CLIENT": "4/minute",
            "INTAKE_RATE_LIMIT_PER_RECIPIENT": "2/hour",
        },
    )
    suite.start(("intake",))
    try:
        async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=10) as client:
            for _ in range(100):
                if len((await client.get("/api/v1/towns")).json()) == 18:
                    break
                await asyncio.sleep(0.1)
            yield client
    finally:
        suite.stop()


def to(address: str) -> dict[str, object]:
    return gewerbeanmeldung(form__applicant__email=address)


async def test_one_recipient_gets_only_so_many_mails_and_one_client_sends_only_so_many(
    limited_intake: httpx.AsyncClient,
) -> None:
    client = limited_intake
    assert (await client.post(APPLY, json=to("ziel@beispiel.de"))).status_code == 201
    assert (await client.post(APPLY, json=to("ZIEL@beispiel.de"))).status_code == 201
    third = await client.post(APPLY, json=to("ziel@beispiel.de"))
    assert third.status_code == 429, third.text
    assert int(third.headers["Retry-After"]) > 60
    assert third.json()["title"] == "Zu viele Anträge in kurzer Zeit."
    assert "diese E-Mail-Adresse" in third.json()["detail"]
    assert "nicht gespeichert" in third.json()["detail"]
    # Two more to other addresses reach the client's limit of four a minute.
    assert (await client.post(APPLY, json=to("a@beispiel.de"))).status_code == 201
    assert (await client.post(APPLY, json=to("b@beispiel.de"))).status_code == 201
    fifth = await client.post(APPLY, json=to("c@beispiel.de"))
    assert fifth.status_code == 429
    assert "Ihrem Anschluss" in fifth.json()["detail"]
    assert 1 <= int(fifth.headers["Retry-After"]) <= 61
