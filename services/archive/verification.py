"""Verifying an e-file: its record against the log, and its place in the town's chain."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any
from uuid import UUID

from nats.js.errors import NotFoundError

from contracts.naming import Service
from runtime.service import Runtime
from services.archive.domain import filing


async def verify_file(runtime: Runtime, case_id: UUID) -> dict[str, Any] | None:
    """Recompute the record hash from the log and check the chain link; ``None`` if unfiled."""
    row = await runtime.pool.fetchrow(
        "SELECT * FROM rm_case_records.files WHERE case_id = $1", case_id
    )
    if row is None:
        return None
    parts, missing = await _parts(runtime, row["parts"])
    previous = (
        await runtime.pool.fetchval(
            "SELECT chain_hash FROM rm_case_records.files WHERE tenant = $1 AND position = $2",
            row["tenant"],
            row["position"] - 1,
        )
        or filing.GENESIS
    )
    record_ok = not missing and filing.record_hash(parts) == row["record_hash"]
    link_ok = (
        previous == row["previous_hash"]
        and filing.chain_hash(previous, row["record_hash"]) == row["chain_hash"]
    )
    addenda = await _verify_addenda(runtime, case_id, row["record_hash"])
    return {
        "case_id": str(case_id),
        "file_reference": row["file_reference"],
        "record_hash": row["record_hash"],
        "chain_hash": row["chain_hash"],
        "position": row["position"],
        "record_matches_log": record_ok,
        "chain_intact": link_ok,
        "missing_parts": missing,
        "valid": record_ok and link_ok and addenda["valid"],
        "parts": len(parts),
        "addenda": addenda,
    }


async def _verify_addenda(runtime: Runtime, case_id: UUID, record_hash: str) -> dict[str, Any]:
    """The file's addenda: each recomputed from the log and linked to the one before (the
    first to the record), numbered without gaps."""
    rows = await runtime.pool.fetch(
        "SELECT number, parts, event_types, addendum_hash, previous_hash, link_hash, filed_at"
        " FROM rm_case_records.file_addenda WHERE case_id = $1 ORDER BY number",
        case_id,
    )
    previous, problems, listed = record_hash, [], []
    for expected, row in enumerate(rows, start=1):
        parts, missing = await _parts(runtime, row["parts"])
        sealed, link = filing.addendum_link(previous, parts)
        if row["number"] != expected:
            problems.append(f"addendum {row['number']} where {expected} belongs")
        if missing or sealed != row["addendum_hash"]:
            problems.append(f"addendum {row['number']} does not match the log")
        if row["previous_hash"] != previous or link != row["link_hash"]:
            problems.append(f"addendum {row['number']} is not linked to the one before it")
        previous = row["link_hash"]
        listed.append(
            {
                "number": row["number"],
                "event_types": row["event_types"],
                "filed_at": row["filed_at"].isoformat(),
            }
        )
    return {"count": len(rows), "valid": not problems, "problems": problems, "items": listed}


MAX_REPORTED = 100
"""Problems listed in a chain's report at most (the count is always complete)."""
WALK_BATCH = 500
"""Files read from the database per batch of the chain walk."""
FETCHES_AT_ONCE = 64
"""Files whose parts are read from the log at the same time."""


async def verify_chain(runtime: Runtime, town: str) -> dict[str, Any]:
    """Walk a town's whole chain: every file's record against the log, every link, in order,
    and every signed daily head against the chain as it is now."""
    problems: list[dict[str, Any]] = []
    count = 0
    previous = filing.GENESIS
    hashes: dict[int, str] = {0: filing.GENESIS}

    def broken(position: int, case_id: Any, problem: str) -> None:
        nonlocal count
        count += 1
        if len(problems) < MAX_REPORTED:
            problems.append({"position": position, "case_id": str(case_id), "problem": problem})

    def check_link(row: Any, parts: list[filing.RecordPart], missing: list[str]) -> None:
        nonlocal previous
        position = row["position"]
        if missing:
            broken(position, row["case_id"], f"parts missing from the log: {missing}")
        elif filing.record_hash(parts) != row["record_hash"]:
            broken(position, row["case_id"], "the record does not match the log")
        if row["previous_hash"] != previous:
            broken(position, row["case_id"], "its link does not name the file before it")
        if filing.chain_hash(row["previous_hash"], row["record_hash"]) != row["chain_hash"]:
            broken(position, row["case_id"], "its chain hash does not follow from its record")
        previous = row["chain_hash"]
        hashes[position] = row["chain_hash"]

    async with runtime.pool.acquire() as conn, conn.transaction(readonly=True):
        cursor = await conn.cursor(
            "SELECT case_id, position, record_hash, previous_hash, chain_hash, parts"
            " FROM rm_case_records.files WHERE tenant = $1 ORDER BY position",
            town,
        )
        files = 0
        while rows := await cursor.fetch(WALK_BATCH):
            # The batch's parts from the log at once: one at a time, each costs a round trip.
            fetched = await _gather_bounded([_parts(runtime, row["parts"]) for row in rows])
            for row, (parts, missing) in zip(rows, fetched, strict=True):
                files += 1
                position = row["position"]
                if position != files:
                    broken(position, row["case_id"], f"position {position} where {files} belongs")
                check_link(row, parts, missing)
        heads = await conn.fetch(
            "SELECT day, files, chain_hash FROM archive_signed_heads WHERE tenant = $1"
            " ORDER BY day",
            town,
        )
    unmatched = [
        head["day"].isoformat() for head in heads if hashes.get(head["files"]) != head["chain_hash"]
    ]
    return {
        "town": town,
        "files": files,
        "head": previous,
        "valid": count == 0 and not unmatched,
        "problems": count,
        "first_problems": problems,
        "signed_heads": len(heads),
        "signed_heads_not_matching": unmatched,
    }


async def _gather_bounded(
    fetches: list[Coroutine[Any, Any, tuple[list[filing.RecordPart], list[str]]]],
) -> list[tuple[list[filing.RecordPart], list[str]]]:
    """Run the fetches, at most ``FETCHES_AT_ONCE`` at a time, results in their order."""
    gate = asyncio.Semaphore(FETCHES_AT_ONCE)

    async def bounded(
        fetch: Coroutine[Any, Any, tuple[list[filing.RecordPart], list[str]]],
    ) -> tuple[list[filing.RecordPart], list[str]]:
        async with gate:
            return await fetch

    return list(await asyncio.gather(*(bounded(f) for f in fetches)))


async def _parts(runtime: Runtime, names: list[Any]) -> tuple[list[filing.RecordPart], list[str]]:
    parts, missing = [], []
    for service, seq in names:
        try:
            msg = await runtime.js.get_msg(runtime.ns.stream(Service(service)), seq)
            parts.append(filing.RecordPart(service, seq, msg.data or b""))
        except NotFoundError:
            missing.append(f"{service}#{seq}")
    return parts, missing
