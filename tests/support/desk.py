"""Clerks at the desk in tests: their tokens, their API client, and waiting for a case.

Tokens are minted by the test run's own development issuer with the claims a real sign-in
carries (``sub``, ``name``, ``email``, ``roles``, ``ags``, ``procedures``), so the services
verify them exactly as in production; one test signs in through the login form as well.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import httpx

from contracts.base import DomainEvent
from contracts.naming import Service
from runtime.codec import Envelope
from services.casework.aggregates import case_ref
from tests.support.issuer import DevIssuer
from tests.support.runtime import connected_runtime
from tests.support.suite import Suite

WURZEN = "14729410"
AUGUSTUSBURG = "14522020"
THALLWITZ = "14729380"
BENNEWITZ = "14729030"


def clerk_token(
    issuer: DevIssuer,
    town: str,
    name: str,
    *,
    roles: tuple[str, ...] = ("clerk",),
    procedures: tuple[str, ...] = ("*",),
    subject: str | None = None,
    **claims: Any,
) -> str:
    """A clerk's access token, as the issuer would give it after their sign-in."""
    return issuer.mint(
        sub=subject or f"{name.lower().replace(' ', '.')}@{town}",
        name=name,
        email=f"{name.lower().replace(' ', '.')}@{town}.rathauscloud.example",
        roles=list(roles),
        ags=town,
        procedures=list(procedures),
        **claims,
    )


def desk_client(suite: Suite, token: str) -> httpx.AsyncClient:
    """casework's API as the token's holder calls it."""
    return httpx.AsyncClient(
        base_url=suite.url("casework"),
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
    )


async def submitted(
    suite: Suite, town: str, procedure: str, body: dict[str, Any], key: str
) -> UUID:
    """Submit an application at intake; its case id."""
    async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=15) as client:
        answer = await client.post(
            f"/api/v1/towns/{town}/procedures/{procedure}/applications",
            json=body,
            headers={"Idempotency-Key": key},
        )
    assert answer.status_code == 201, answer.text
    return UUID(answer.json()["application_id"])


async def case_when(
    desk: httpx.AsyncClient, case_id: UUID, status: str | set[str], timeout: float = 30.0
) -> dict[str, Any]:
    """The case as the desk shows it, once it has (one of) ``status``."""
    wanted = {status} if isinstance(status, str) else status
    deadline = asyncio.get_running_loop().time() + timeout
    last: Any = None
    while asyncio.get_running_loop().time() < deadline:
        answer = await desk.get(f"/api/v1/desk/cases/{case_id}")
        last = answer.status_code, answer.text[:300]
        if answer.status_code == 200 and answer.json()["status"] in wanted:
            result: dict[str, Any] = answer.json()
            return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"case {case_id} never reached {wanted}: last answer {last}")


async def case_events(
    suite: Suite, case_id: UUID, tenant: str = WURZEN
) -> list[Envelope[DomainEvent]]:
    """The case's events as casework's log holds them (personal fields opened)."""
    reader = await connected_runtime(
        Service.CASEWORK, suite.nats_url, suite.namespace, suite.database_urls["casework"]
    )
    try:
        return (await reader.store.load(case_ref(tenant, case_id))).events
    finally:
        await reader.stop()
