"""Applications through intake, as citizens send them, and what casework made of them.

``submit_all`` posts the planned applications with a number of concurrent clients (a file
first where the form names one); ``wait_opened`` waits until casework's desk read model shows
every case opened (decided automatically, prepared, or referred to a clerk); ``tally`` counts
what happened per procedure against what the mix expected.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from bench.desk.mix import AUTOMATABLE, Planned
from tests.support.applications import PDF

OPENED = "status NOT IN ('submitted', 'automated_check')"
"""A case casework has opened and checked (its read-model row says so)."""


@dataclass(frozen=True)
class Submitted:
    """An application intake accepted."""

    planned: Planned
    application_id: UUID
    case_number: str


async def _post(client: httpx.AsyncClient, url: str, **kwargs: Any) -> httpx.Response:
    """POST, sent again (same idempotency key) if a keep-alive connection broke."""
    for attempt in range(3):
        try:
            return await client.post(url, **kwargs)
        except httpx.TransportError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def submit(client: httpx.AsyncClient, planned: Planned) -> Submitted:
    """Upload the file the form names (if any), then submit; raises on a refusal."""
    key = f"bench-{planned.index}-{secrets.token_hex(4)}"
    base = f"/api/v1/towns/{planned.town.ags}/procedures/{planned.procedure}"
    body = planned.body
    if planned.variant.upload:
        files = {"file": ("nachweis.pdf", PDF, "application/pdf")}
        stored = await _post(
            client, f"{base}/attachments", files=files, headers={"Idempotency-Key": key}
        )
        stored.raise_for_status()
        attachment = stored.json()["attachment_id"]
        group, name = planned.variant.upload
        body = {**body, "form": {**body["form"], group: {**body["form"][group], name: attachment}}}
        body["attachments"] = [attachment]
    answer = await _post(
        client, f"{base}/applications", json=body, headers={"Idempotency-Key": key}
    )
    if answer.status_code != 201:
        raise RuntimeError(f"{planned.procedure} in {planned.town.name}: {answer.text[:400]}")
    found = answer.json()
    return Submitted(planned, UUID(found["application_id"]), found["case_number"])


async def submit_all(
    client: httpx.AsyncClient,
    planned: list[Planned],
    concurrency: int,
    progress: Callable[[str], None],
) -> tuple[list[Submitted], float]:
    """Submit everything with ``concurrency`` clients; the accepted ones and the seconds taken."""
    todo = list(reversed(planned))
    done: list[Submitted] = []
    started = time.monotonic()

    async def client_loop() -> None:
        while todo:
            done.append(await submit(client, todo.pop()))

    async def report() -> None:
        while True:
            await asyncio.sleep(5)
            rate = len(done) / (time.monotonic() - started)
            progress(f"submitted {len(done)}/{len(planned)} ({rate:.1f}/s)")

    reporter = asyncio.create_task(report())
    try:
        await asyncio.gather(*(client_loop() for _ in range(concurrency)))
    finally:
        reporter.cancel()
    return done, time.monotonic() - started


async def wait_opened(
    conn: asyncpg.Connection,
    ids: list[UUID],
    timeout: float,
    progress: Callable[[str], None],
) -> float:
    """Wait until casework has opened every case; the monotonic time it was done."""
    deadline = time.monotonic() + timeout
    last_report = 0.0
    while True:
        opened = await conn.fetchval(
            "SELECT count(*) FROM rm_desk_cases.cases"
            f" WHERE case_id = ANY($1::uuid[]) AND {OPENED}",
            ids,
        )
        now = time.monotonic()
        if opened >= len(ids):
            return now
        if now > deadline:
            raise TimeoutError(f"only {opened} of {len(ids)} cases opened in time")
        if now - last_report > 5:
            progress(f"opened {opened}/{len(ids)}")
            last_report = now
        await asyncio.sleep(0.5)


OUTCOMES = """
SELECT case_id, procedure, competent_town, decided_by, prepared, outcome,
       ARRAY(SELECT o->>'rule' FROM jsonb_array_elements(rule_outcomes) o
             WHERE NOT (o->>'passed')::boolean) AS failed
FROM rm_desk_cases.cases WHERE case_id = ANY($1::uuid[])
"""


def outcome_of(row: Any) -> str:
    """automatic, prepared (for a clerk's confirmation) or referred (to a clerk)."""
    if row["decided_by"] == "automation":
        return "automatic"
    return "prepared" if row["prepared"] else "referred"


async def tally(conn: asyncpg.Connection, submitted: list[Submitted]) -> dict[str, Any]:
    """Automatically decided / total, per procedure and in all, with the rules that failed."""
    planned = {s.application_id: s.planned for s in submitted}
    rows = await conn.fetch(OUTCOMES, list(planned))
    per: dict[str, Counter[str]] = defaultdict(Counter)
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    failed: dict[str, Counter[str]] = defaultdict(Counter)
    elsewhere = 0
    for row in rows:
        plan = planned[row["case_id"]]
        per[row["procedure"]][outcome_of(row)] += 1
        expected[row["procedure"]][plan.expected] += 1
        failed[row["procedure"]].update(row["failed"])
        elsewhere += row["competent_town"] != plan.town.ags
    return {
        "cases": len(rows),
        "all": _shares(sum(per.values(), Counter())),
        "automatable_procedures": _shares(
            sum((c for p, c in per.items() if p in AUTOMATABLE), Counter())
        ),
        "per_procedure": {
            p: {**_shares(c), "expected_by_mix": dict(expected[p]), "failed_rules": dict(failed[p])}
            for p, c in sorted(per.items())
        },
        "routed_to_another_town": elsewhere,
    }


def _shares(counts: Counter[str]) -> dict[str, Any]:
    total = sum(counts.values())
    return {
        "total": total,
        "automatic": counts["automatic"],
        "prepared": counts["prepared"],
        "referred": counts["referred"],
        "automation_rate": round(counts["automatic"] / total, 4) if total else None,
        "prepared_rate": round(counts["prepared"] / total, 4) if total else None,
    }
