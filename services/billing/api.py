"""billing's HTTP API: read-only views for operators and (later) the town's treasury."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from runtime.http import error_responses, problem
from runtime.service import Runtime


def router(runtime: Runtime) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1", tags=["billing"])

    @api.get("/fees/{case_id}", responses=error_responses(404, 422, 503))
    async def fee(case_id: UUID) -> Any:
        """The fee assessed for a case."""
        row = await runtime.pool.fetchrow("SELECT * FROM rm_fees.fees WHERE case_id = $1", case_id)
        if row is None:
            return problem(404, "Nicht gefunden.", "Für diesen Vorgang ist keine Gebühr erfasst.")
        return {**dict(row.items()), "amount": str(row["amount"])}

    @api.get("/towns/{ags}/fee-schedule", responses=error_responses(404, 503))
    async def schedule(ags: str) -> Any:
        """A town's current fee schedule."""
        rows = await runtime.pool.fetch(
            "SELECT procedure, amount FROM rm_fees.schedules WHERE town = $1 ORDER BY 1", ags
        )
        if not rows:
            return problem(404, "Nicht gefunden.", "Für diese Gemeinde ist keine Satzung erfasst.")
        return {row["procedure"]: str(row["amount"]) for row in rows}

    return api
