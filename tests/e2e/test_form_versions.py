"""A new version of a form breaks nothing submitted under the old one: Wurzen switches its
Gewerbeanmeldung to form version 2 on the running suite, and a case of each version is
decided by casework's rules, assessed by billing and filed by archive; the clerk's desk
still reads the first one's form."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.support.applications import WURZEN, gewerbeanmeldung
from tests.support.desk import clerk_token, desk_client
from tests.support.issuer import DevIssuer
from tests.support.suite import Suite
from tests.unit.contracts.test_gewerbeanmeldung_v2 import v2

APPLY = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/applications"
FORM = f"/api/v1/towns/{WURZEN}/procedures/gewerbeanmeldung/form"


async def finished(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    """The status once the case is decided, its fee assessed and it is filed."""
    body: dict[str, Any] = {}
    for _ in range(300):
        body = (await client.get(url)).json()
        steps = {line["step"] for line in body.get("timeline", [])}
        if {"decided", "fee", "filed"} <= steps:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(body)


async def test_cases_of_both_versions_are_decided_assessed_and_filed(
    suite: Suite, issuer: DevIssuer, operator_token: str
) -> None:
    auth = {"Authorization": f"Bearer {operator_token}"}
    async with httpx.AsyncClient(base_url=suite.url("intake"), timeout=15) as client:
        first = await client.post(APPLY, json=gewerbeanmeldung(), headers={"Idempotency-Key": "v1"})
        assert first.status_code == 201, first.text
        switched = await client.put(
            f"/ops/v1/catalogue/towns/{WURZEN}/procedures/gewerbeanmeldung",
            json={"competent_office": "Gewerbeamt", "form_version": 2},
            headers=auth,
        )
        assert switched.status_code == 200, switched.text
        for _ in range(50):
            form = (await client.get(FORM)).json()
            if form["form_version"] == 2:
                break
            await asyncio.sleep(0.1)
        assert form["form_version"] == 2
        old_shape = await client.post(
            APPLY, json=gewerbeanmeldung(), headers={"Idempotency-Key": "old"}
        )
        assert old_shape.status_code == 422  # version 2 asks for more (birth place …)
        second = await client.post(
            APPLY, json={"form": v2(), "attachments": []}, headers={"Idempotency-Key": "v2"}
        )
        assert second.status_code == 201, second.text
        done = [await finished(client, answer.json()["status_url"]) for answer in (first, second)]
    for status in done:
        labels = [line["label"] for line in status["timeline"]]
        assert "Entschieden: Ihrem Antrag wurde stattgegeben" in labels, labels
        assert any(label.startswith("Gebühr festgesetzt: 26,00 €") for label in labels), labels
    async with desk_client(suite, clerk_token(issuer, WURZEN, "Wenzel Wurzner")) as desk:
        for answer, version in ((first, 1), (second, 2)):
            case = (await desk.get(f"/api/v1/desk/cases/{answer.json()['application_id']}")).json()
            assert case["form_version"] == version
            assert case["status"] == "closed"
            assert all(o["passed"] for o in case["rule_outcomes"]), case["rule_outcomes"]
