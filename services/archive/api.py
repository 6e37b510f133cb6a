"""archive's HTTP API: file lookup and verification, the signed daily chain heads and their
public key, and the operators' erasure command.

An erasure needs an operator's token (``runtime.auth.Operator``); the erasure event names the
operator as its actor (``operator:<subject>``), next to the reason given.
"""

from __future__ import annotations

import base64
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path
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
from services.archive.domain import chain_heads
from services.archive.settings import ArchiveSettings
from services.archive.verification import verify_chain, verify_file


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

    @api.get("/towns/{town}/chain", responses=error_responses(401, 403, 422, 503))
    async def chain(town: Annotated[str, Path(pattern=r"^\d{8}$")], operator: Operator) -> Any:
        """Verify a town's whole chain: each file against the log, each link, each signed head.

        Operators only: the walk reads every file's parts from the log (costly for a large
        town), and a broken file is named by its case id.
        """
        return await verify_chain(runtime, town)

    @api.get("/chain-heads/key", responses=error_responses(503))
    async def head_key() -> Any:
        """The public key the daily chain heads are signed with (Ed25519, raw, base64)."""
        settings = runtime.settings
        assert isinstance(settings, ArchiveSettings)
        public = chain_heads.public_bytes(settings.head_signing_key())
        return {
            "algorithm": "Ed25519",
            "key_id": chain_heads.key_id(public),
            "public_key": base64.b64encode(public).decode(),
            "statement": chain_heads.VERSION,
        }

    @api.get("/towns/{town}/chain-heads/{day}", responses=error_responses(404, 422, 503))
    async def chain_head(town: Annotated[str, Path(pattern=r"^\d{8}$")], day: date) -> Any:
        """A town's signed chain head at the end of a day, with the exact statement signed."""
        row = await runtime.pool.fetchrow(
            "SELECT * FROM archive_signed_heads WHERE tenant = $1 AND day = $2", town, day
        )
        if row is None:
            return problem(
                404,
                "Nicht gefunden.",
                "Für diesen Tag ist der Kettenkopf dieser Stadt (noch) nicht signiert.",
            )
        head = chain_heads.ChainHead(town, day, row["files"], row["chain_hash"])
        return {
            "town": town,
            "day": day.isoformat(),
            "files": row["files"],
            "chain_hash": row["chain_hash"],
            "signature": row["signature"],
            "key_id": row["key_id"],
            "signed_at": row["signed_at"].isoformat(),
            "statement": chain_heads.statement(head).decode(),
        }

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
