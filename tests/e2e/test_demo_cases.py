"""The development stack's demo cases: each submitted once ever, and where the desk's demo
clerks find them — decided automatically, in Wurzen's and Augustusburg's shared queue, in
Thallwitz's prepared for confirmation, in Bennewitz's for a defect reported in Wurzen."""

from __future__ import annotations

import asyncio
from typing import Any

from devstack.demo_cases import CASES, submit_demo_cases
from tests.support.desk import AUGUSTUSBURG, BENNEWITZ, THALLWITZ, WURZEN, clerk_token, desk_client
from tests.support.issuer import DevIssuer
from tests.support.suite import Suite


async def queue(
    suite: Suite, issuer: DevIssuer, town: str, open_: bool = True
) -> list[dict[str, Any]]:
    async with desk_client(suite, clerk_token(issuer, town, "Demo")) as desk:
        page = await desk.get("/api/v1/desk/queue", params={"open": open_})
        assert page.status_code == 200, page.text
        rows: list[dict[str, Any]] = page.json()["rows"]
        return rows


async def test_the_demo_cases_are_submitted_once_and_wait_where_the_demo_clerks_look(
    suite: Suite, issuer: DevIssuer
) -> None:
    first = await asyncio.to_thread(submit_demo_cases, suite.url("intake"))
    assert (first.new, first.there, first.refused) == (len(CASES), 0, [])
    again = await asyncio.to_thread(submit_demo_cases, suite.url("intake"))
    assert (again.new, again.there, again.refused) == (0, len(CASES), [])

    wanted = {WURZEN: 7, AUGUSTUSBURG: 3, THALLWITZ: 1, BENNEWITZ: 1}
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        found = {town: await queue(suite, issuer, town) for town in wanted}
        sizes = {town: len(rows) for town, rows in found.items()}
        if sizes == wanted:
            break
        assert asyncio.get_running_loop().time() < deadline, (sizes, found)
        await asyncio.sleep(0.2)
    counts = {town: sorted(r["procedure"] for r in rows) for town, rows in found.items()}
    assert counts[BENNEWITZ] == ["maengelmelder"]
    assert counts[THALLWITZ] == ["gewerbeanmeldung"]
    # Its own, and Wurzen's trade notices (the shared service centre's delegation).
    assert counts[AUGUSTUSBURG] == ["gewerbeanmeldung", "gewerbeanmeldung", "gewerbeummeldung"]
    assert len(counts[WURZEN]) == wanted[WURZEN], counts
    decided = await queue(suite, issuer, WURZEN, open_=False)
    assert [r["procedure"] for r in decided] == ["gewerbeanmeldung"]
