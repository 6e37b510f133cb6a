"""archive's HTTP API: file lookup and verification, and the operators' erasure command."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from runtime.http import JsonRoute, error_responses, problem
from runtime.service import Runtime
from services.archive import erasure
from services.archive.settings import ArchiveSettings
from services.archive.verification import verify_file


class ErasureRequest(BaseModel):
    """An operator's order to erase a case's personal data."""

    case_id: UUID
    reason: str = Field(min_length=3, max_length=500)


def router(runtime: Runtime, settings: ArchiveSettings) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1", tags=["archive"], route_class=JsonRoute)

    @api.get("/files/{case_id}", responses=error_responses(404, 422, 503))
    async def file(case_id: UUID) -> Any:
        """A filed case with the verification of its record and chain link."""
        report = await verify_file(runtime, case_id)
        if report is None:
            return problem(
                404, "Nicht gefunden.", "Dieser Vorgang ist noch nicht zur Akte genommen."
            )
        return report

    @api.post(
        "/erasures",
        status_code=202,
        responses=error_responses(403, 404, 413, 415, 422, 503),
    )
    async def erase(
        body: ErasureRequest, x_admin_token: Annotated[str | None, Header()] = None
    ) -> Any:
        """Erase a case's personal data everywhere (operators only)."""
        if x_admin_token != settings.admin_token:
            return problem(403, "Keine Berechtigung.", "Nur für Betreiber.")
        try:
            first = await erasure.erase_case(runtime, body.case_id, body.reason, "operator")
        except erasure.CaseUnknown:
            return problem(404, "Nicht gefunden.", "Dieser Vorgang ist dem Archiv nicht bekannt.")
        return {"case_id": str(body.case_id), "erased": True, "already_erased": not first}

    return api
