"""archive's operator routes for disposal: the disposal list, a disposal run, legal holds.

``GET  /api/v1/towns/{ags}/disposal``          the town's files whose retention ended
``POST /api/v1/towns/{ags}/disposal``          offer the due files, move open disposals on
``POST /api/v1/files/{case_id}/legal-hold``    stop a file's disposal (with a reason)
``POST /api/v1/files/{case_id}/legal-hold/lift``  let it go on

Operators only (``runtime.auth.Operator``): a disposal destroys files for good; the events
name the operator as their actor.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path
from pydantic import BaseModel

from runtime.auth import Operator
from runtime.http import JsonRoute, error_responses, problem
from runtime.operator_api import Reason
from runtime.service import Runtime
from services.archive.disposal import Disposal, FileUnknown, disposal_list
from services.archive.domain.xdomea import XdomeaError

Town = Annotated[str, Path(pattern=r"^\d{8}$", description="Amtlicher Gemeindeschlüssel")]


class HoldRequest(BaseModel):
    """Why a file's disposal stops, or may go on."""

    reason: Reason


def router(runtime: Runtime) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1", tags=["disposal"], route_class=JsonRoute)
    disposal = Disposal.of(runtime)

    @api.get("/towns/{ags}/disposal", responses=error_responses(401, 403, 422, 503))
    async def listed(ags: Town, operator: Operator) -> list[dict[str, Any]]:
        """The town's disposal list: due, offered, appraised, handed over, destroyed; holds."""
        await disposal.expire(disposal.clock.now())
        return await disposal_list(runtime.pool, ags)

    @api.post("/towns/{ags}/disposal", responses=error_responses(401, 403, 422, 502, 503))
    async def run(ags: Town, operator: Operator) -> Any:
        """Offer the town's due files to the state archive and move open disposals on."""
        try:
            report = await disposal.run(ags, operator.operator_actor, offer=True)
        except XdomeaError as exc:
            return problem(
                502,
                "Antwort des Staatsarchivs unbrauchbar.",
                f"Die xdomea-Nachricht wurde zurückgewiesen: {exc}",
            )
        return dataclasses.asdict(report)

    @api.post(
        "/files/{case_id}/legal-hold",
        status_code=201,
        responses=error_responses(401, 403, 404, 409, 413, 415, 422, 503),
    )
    async def hold(case_id: UUID, request: HoldRequest, operator: Operator) -> Any:
        """Stop the file's disposal until the hold is lifted."""
        try:
            placed = await disposal.place_hold(case_id, request.reason, operator.operator_actor)
        except FileUnknown:
            return problem(404, "Nicht gefunden.", "Zu diesem Fall gibt es keine Akte.")
        if not placed:
            return problem(
                409, "Konflikt mit dem aktuellen Stand.", "Die Akte ist bereits gesperrt."
            )
        return {"case_id": str(case_id), "legal_hold": True}

    @api.post(
        "/files/{case_id}/legal-hold/lift",
        responses=error_responses(401, 403, 404, 409, 413, 415, 422, 503),
    )
    async def lift(case_id: UUID, request: HoldRequest, operator: Operator) -> Any:
        """Lift the file's legal hold; its disposal goes on at the next run."""
        try:
            lifted = await disposal.lift_hold(case_id, request.reason, operator.operator_actor)
        except FileUnknown:
            return problem(404, "Nicht gefunden.", "Zu diesem Fall gibt es keine Akte.")
        if not lifted:
            return problem(409, "Konflikt mit dem aktuellen Stand.", "Die Akte ist nicht gesperrt.")
        return {"case_id": str(case_id), "legal_hold": False}

    return api
