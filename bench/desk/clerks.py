"""Clerks at work through the desk's JSON API: take a case from the queue, read it, decide.

Each clerk (a token of their town, minted by the development issuer as a sign-in would give
it) loops without pause: the first page of queued cases, a claim on one of its first rows
(two clerks of one queue may race: the loser gets a 409 and takes another), the case, then
the decision — confirm what the automated check prepared; overrule the failed rules with a
reason and approve, or reject with reasons; for the procedures a clerk always decides,
approve (with the fee basis billing needs) or reject. Each command's latency is recorded.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from bench.skeleton import summary

OVERRULE_SHARE = 0.85
"""Of the cases with a failed rule: the clerk finds the permit (or proof) and approves."""
APPROVE_SHARE = 0.92
"""Of the cases a clerk always decides: approved (the others rejected with reasons)."""
PICK_AMONG = 5
"""A clerk takes one of the first rows of the queue (deadline order), not always the first."""


@dataclass(frozen=True)
class ClerkSeat:
    """A clerk of a town, by name."""

    town: str
    name: str

    @property
    def subject(self) -> str:
        """The token's ``sub`` (as ``tests.support.desk.clerk_token`` makes it)."""
        return f"{self.name.lower().replace(' ', '.')}@{self.town}"


SEATS = (
    ClerkSeat("14729410", "Wenzel Wurzner"),
    ClerkSeat("14729260", "Marta Kleeberg"),
    ClerkSeat("14522020", "Anton Augst"),
    ClerkSeat("14523020", "Vera Vogt"),
    ClerkSeat("14729410", "Wanda Wurzel"),
    ClerkSeat("14729260", "Moritz Markert"),
    ClerkSeat("14522360", "Mira Mittag"),
    ClerkSeat("14729380", "Thea Thalheim"),
)
"""Clerks of several towns; Wurzen and Augustusburg share the trade notices (delegation)."""


@dataclass
class Work:
    """What the clerks did, and how long each command took."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    claims: int = 0
    decisions: int = 0
    claim_conflicts: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    finished_at: float = 0.0


async def timed(work: Work, command: str, request: Any) -> httpx.Response:
    """Await a request; note its latency under ``command`` when it succeeded."""
    started = time.monotonic()
    answer: httpx.Response = await request
    if answer.is_success:
        work.latencies[command].append(time.monotonic() - started)
    elif not (command == "claim" and answer.status_code == 409):
        work.refused[f"{command} {answer.status_code}: {answer.text[:160]}"] += 1
    return answer


def fee_basis(case: dict[str, Any], rng: random.Random) -> dict[str, Any] | None:
    """What an approval must carry for billing (``services/casework/domain/fees.py``)."""
    form = case.get("form") or {}
    match case["procedure"]:
        case "verkehrsrechtliche-anordnung":
            return {"amount": f"{rng.choice((45, 60, 85, 120, 180))}.00"}
        case "sondernutzungserlaubnis":
            period = form["period"]
            days = (date.fromisoformat(period["end"]) - date.fromisoformat(period["start"])).days
            return {"area_m2": form["use"]["area_m2"], "days": days + 1}
        case "hundesteuer-anmeldung":
            dog = form["dog"]
            rate = "gefaehrlicher_hund" if dog.get("dangerous_breed") else "erster_hund"
            rate = "weiterer_hund" if form.get("other_dogs") and rate == "erster_hund" else rate
            return {"rate_class": rate, "dogs_kept": int(form.get("other_dogs") or 0) + 1}
    return None


def decision_steps(case: dict[str, Any], rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """The commands (path, body) that decide a claimed case."""
    if case.get("prepared"):
        return [("confirm", {})]
    failed = [
        o["rule"]
        for o in case["rule_outcomes"]
        if not o["passed"] and o["rule"] not in case.get("overruled", {})
    ]
    rejection = {"outcome": "rejected", "reasons": ["Die Voraussetzungen liegen nicht vor."]}
    if failed:
        if rng.random() >= OVERRULE_SHARE:
            return [("decide", rejection)]
        reason = "Nachweis liegt vor (Akte, Blatt 3)."
        steps = [("overrule", {"rule": rule, "reason": reason}) for rule in failed]
        return [*steps, ("decide", {"outcome": "approved"})]
    if rng.random() >= APPROVE_SHARE:
        return [("decide", rejection)]
    fee = fee_basis(case, rng)
    return [("decide", {"outcome": "approved", **({"fee": fee} if fee else {})})]


async def take_one(client: httpx.AsyncClient, work: Work, rng: random.Random) -> bool:
    """Claim a queued case and decide it; ``False`` when the queue has none left."""
    page = await timed(
        work, "queue page", client.get("/api/v1/desk/queue", params={"status": "queued"})
    )
    free = [row for row in page.json()["rows"] if row["claimed_by"] is None]
    if not free:
        return False
    case_id = rng.choice(free[:PICK_AMONG])["case_id"]
    url = f"/api/v1/desk/cases/{case_id}"
    claimed = await timed(work, "claim", client.post(f"{url}/claim"))
    if claimed.status_code == 409:
        work.claim_conflicts += 1
        return True
    if not claimed.is_success:
        return True
    work.claims += 1
    case = (await timed(work, "read case", client.get(url))).json()
    steps = decision_steps(case, rng)
    for command, body in steps:
        answer = await timed(work, command, client.post(f"{url}/{command}", json=body))
        if not answer.is_success:
            return True
    work.decisions += 1
    work.outcomes[f"{case['procedure']}: {steps[-1][1].get('outcome', 'confirmed')}"] += 1
    work.finished_at = time.monotonic()
    return True


async def clerk_loop(
    client: httpx.AsyncClient, work: Work, deadline: float, rng: random.Random
) -> None:
    """Work until the time is up (or the queue is empty three times in a row)."""
    empty = 0
    while time.monotonic() < deadline and empty < 3:
        if await take_one(client, work, rng):
            empty = 0
        else:
            empty += 1
            await asyncio.sleep(1)


def summary_of(work: Work, seconds: float, clerks: list[ClerkSeat]) -> dict[str, Any]:
    """Throughput and each command's latencies."""
    return {
        "clerks": [f"{c.name} ({c.town})" for c in clerks],
        "seconds": round(seconds, 1),
        "claims": work.claims,
        "decisions": work.decisions,
        "claims_per_second": round(work.claims / seconds, 2),
        "decisions_per_second": round(work.decisions / seconds, 2),
        "claim_conflicts_409": work.claim_conflicts,
        "unexpected_refusals": dict(work.refused.most_common(10)),
        "outcomes": dict(sorted(work.outcomes.items())),
        "latency": {
            command: {"count": len(values), **summary(values)}
            for command, values in sorted(work.latencies.items())
        },
    }


def rng_for(seat: int) -> random.Random:
    """Each clerk's own dice (the same choices for the same seat)."""
    return random.Random(1000 + seat)
