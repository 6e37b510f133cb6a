"""Verifying an e-file: its record against the log, and its place in the town's chain."""

from __future__ import annotations

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
    parts = []
    missing = []
    for service, seq in row["parts"]:
        try:
            msg = await runtime.js.get_msg(runtime.ns.stream(Service(service)), seq)
            parts.append(filing.RecordPart(service, seq, msg.data or b""))
        except NotFoundError:
            missing.append(f"{service}#{seq}")
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
    return {
        "case_id": str(case_id),
        "file_reference": row["file_reference"],
        "record_hash": row["record_hash"],
        "chain_hash": row["chain_hash"],
        "position": row["position"],
        "record_matches_log": record_ok,
        "chain_intact": link_ok,
        "missing_parts": missing,
        "valid": record_ok and link_ok,
        "parts": len(parts),
    }
