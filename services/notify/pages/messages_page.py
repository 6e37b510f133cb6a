"""The operators' page of messages by delivery status, with „Erneut senden“ for failed ones.

``GET  /desk/``                               to the page
``GET  /desk/nachrichten?status=…``           the newest messages of one status (default:
                                              failed), and how many each status has
``POST /desk/nachrichten/{id}/erneut``        a failed message due again (``api.send_again``)
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from runtime.desk import Desk, DeskOperator, DeskRefusal, desk_router
from runtime.service import Runtime
from services.notify.api import FIELDS, send_again

PAGE_PATH = "/desk/nachrichten"
LIMIT = 200
STATUS_LABELS = {
    "pending": "ausstehend",
    "delivered": "zugestellt an den Mailserver",
    "deferred": "verzögert",
    "bounced": "unzustellbar (Bounce)",
    "failed": "fehlgeschlagen",
    "erased": "gelöscht",
}
"""A message's status in the outbox, in German, in the order the page offers them."""
NOT_RETRIED = (
    "Nur fehlgeschlagene Nachrichten, deren Text noch vorhanden ist, können erneut versandt werden."
)


async def listing(runtime: Runtime, status: str) -> dict[str, Any]:
    """What the page shows: the counts by status, and the newest messages of ``status``."""
    counts = dict(
        await runtime.pool.fetch("SELECT status, count(*) FROM rm_outbox.outbox GROUP BY status")
    )
    rows = await runtime.pool.fetch(
        f"SELECT {FIELDS} FROM rm_outbox.outbox WHERE status = $1"
        " ORDER BY created_at DESC LIMIT $2",
        status,
        LIMIT,
    )
    return {
        "status": status,
        "labels": STATUS_LABELS,
        "counts": {key: counts.get(key, 0) for key in STATUS_LABELS},
        "messages": [dict(row) for row in rows],
        "limit": LIMIT,
    }


def router(desk: Desk, runtime: Runtime) -> APIRouter:
    """The page's routes."""
    pages = desk_router()

    async def render(
        request: Request, status: str, code: int = 200, errors: tuple[Any, ...] = ()
    ) -> Response:
        context = await listing(runtime, status)
        return desk.page(request, "nachrichten.html", context, code, errors)

    @pages.get("/")
    async def home(operator: DeskOperator) -> Response:
        """The desk of notify is its messages page."""
        return RedirectResponse(PAGE_PATH, 303)

    @pages.get("/nachrichten")
    async def messages(
        request: Request, operator: DeskOperator, status: str = "failed"
    ) -> Response:
        """The messages of one delivery status."""
        if status not in STATUS_LABELS:
            raise DeskRefusal(404, "Nicht gefunden", "Diesen Zustellstatus gibt es nicht.")
        return await render(request, status)

    @pages.post("/nachrichten/{message_id}/erneut")
    async def again(request: Request, operator: DeskOperator, message_id: UUID) -> Response:
        """Send a failed message again (the operator fixed the cause)."""
        if not await send_again(runtime, message_id, operator.operator_actor):
            return await render(request, "failed", 409, ((f"erneut-{message_id}", NOT_RETRIED),))
        response = RedirectResponse(f"{PAGE_PATH}?status=failed", 303)
        desk.flash(response, "Die Nachricht wird erneut versandt.")
        return response

    return pages
