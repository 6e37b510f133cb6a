"""archive's HTTP API: file lookup and verification, and the operators' erasure command.

An erasure needs an operator's token (``runtime.auth.Operator``); the erasure event names the
operator as its actor (``operator:<subject>``), next to the reason given.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from runtime.auth import Operator
from runtime.http import (
    JsonRoute,
    error_responses,
    problem,
    unprintable_fields,
    validation_response,
)
from runtime.operator_api import Reason
from runtime.service import Runtime
from services.archive import erasure
from services.archive.verification import verify_file


class ErasureRequest(BaseModel):
    """An operator's order to erase a case's personal data."""

    case_id: UUID
    reason: Reason


def router(runtime: Runtime) -> APIRouter:
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
        responses=error_responses(401, 403, 404, 413, 415, 422, 503),
    )
    async def erase(body: ErasureRequest, operator: Operator) -> Any:
        """Erase a case's personal data everywhere (operators only; the event names who)."""
        if errors := unprintable_fields(body.model_dump(mode="json")):
            return validation_response(errors)
        try:
            first = await erasure.erase_case(
                runtime, body.case_id, body.reason, operator.operator_actor
            )
        except erasure.CaseUnknown:
            return problem(404, "Nicht gefunden.", "Dieser Vorgang ist dem Archiv nicht bekannt.")
        return {"case_id": str(body.case_id), "erased": True, "already_erased": not first}

    return api
