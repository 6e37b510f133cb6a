"""notify's HTTP API for operators: messages by delivery status, and trying failed ones again.

Every route needs an operator's token (``runtime.auth.Operator``): the messages name
citizens and their addresses.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import structlog
from fastapi import APIRouter, Query

from runtime.auth import Operator
from runtime.http import error_responses, problem
from runtime.service import Runtime

log = structlog.get_logger(__name__)

STATUSES = "^(pending|delivered|deferred|bounced|failed|erased)$"
"""A message's delivery status in the outbox (``deferred``, ``bounced``: reported by DSN)."""
FIELDS = (
    "message_id, tenant, case_id, template, status, attempts, last_error,"
    " next_attempt_at, created_at, delivered_at"
)


def router(runtime: Runtime) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1", tags=["notify"])

    @api.get("/messages", responses=error_responses(401, 403, 422, 503))
    async def messages(
        operator: Operator,
        status: Annotated[str, Query(pattern=STATUSES)] = "failed",
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[dict[str, Any]]:
        """Messages by delivery status (default: those notify has given up on); ``deferred``
        and ``bounced`` are what delivery status notifications reported after the hand-over."""
        rows = await runtime.pool.fetch(
            f"SELECT {FIELDS} FROM rm_outbox.outbox WHERE status = $1"
            " ORDER BY created_at DESC LIMIT $2",
            status,
            limit,
        )
        return [dict(row.items()) for row in rows]

    @api.get("/messages/{message_id}", responses=error_responses(401, 403, 404, 422, 503))
    async def message(message_id: UUID, operator: Operator) -> Any:
        """One message's delivery status."""
        row = await runtime.pool.fetchrow(
            f"SELECT {FIELDS} FROM rm_outbox.outbox WHERE message_id = $1", message_id
        )
        if row is None:
            return problem(404, "Nicht gefunden.", "Diese Nachricht ist nicht bekannt.")
        return dict(row.items())

    @api.post(
        "/messages/{message_id}/retry",
        status_code=202,
        responses=error_responses(401, 403, 409, 422, 503),
    )
    async def retry(message_id: UUID, operator: Operator) -> Any:
        """Try a failed message again (an operator fixed the cause)."""
        if not await send_again(runtime, message_id, operator.operator_actor):
            return problem(
                409,
                "Konflikt mit dem aktuellen Stand.",
                "Nur fehlgeschlagene Nachrichten können erneut versandt werden.",
            )
        return {"message_id": str(message_id), "status": "pending"}

    return api


async def send_again(runtime: Runtime, message_id: UUID, actor: str) -> bool:
    """Make a failed message due again (the API's and the operators' page's retry); False if
    it is not failed or its text is gone (erased)."""
    updated = await runtime.pool.execute(
        "UPDATE rm_outbox.outbox SET status = 'pending', next_attempt_at = now()"
        " WHERE message_id = $1 AND status = 'failed' AND body IS NOT NULL",
        message_id,
    )
    if updated == "UPDATE 0":
        return False
    await runtime.pool.execute("NOTIFY notify_outbox")
    log.warning("failed message sent again", message_id=str(message_id), actor=actor)
    return True
