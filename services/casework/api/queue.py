"""The desk's queues: a town's open (or finished) cases, filtered and paged, and the counts.

``GET /api/v1/desk/queue``   one page, urgent first, then by deadline (keyset: ``after``)
``GET /api/v1/desk/counts``  open cases by procedure and status
``GET /api/v1/desk/clerks``  the clerks of a town the desk has seen (to reassign to)
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from runtime.http import JsonRoute, error_responses
from runtime.service import Runtime
from services.casework.api.common import NOT_YOUR_TOWN, DeskClerk, bad_cursor, forbidden, town_of
from services.casework.api.schemas import ClerkRef, CountOut, QueueOut, counts_out, queue_out
from services.casework.clerks import procedures_of
from services.casework.queries import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    BadCursor,
    QueueFilter,
    queue_counts,
    queue_page,
)

Status = Annotated[
    str | None,
    Query(
        pattern="^(automated_check|queued|in_review|awaiting_information|hearing|decided|closed"
        "|withdrawn)$",
        description="Nur Vorgänge in diesem Status",
    ),
]

Search = Annotated[str | None, Query(max_length=100, description="Vorgangsnummer oder Name")]


def router(runtime: Runtime) -> APIRouter:
    """The queue routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1/desk", tags=["desk"], route_class=JsonRoute)

    @api.get("/queue", response_model=QueueOut, responses=error_responses(401, 403, 422, 503))
    async def queue(
        clerk: DeskClerk,
        town: Annotated[str | None, Query(pattern=r"^\d{8}$")] = None,
        open: bool = True,
        procedure: Annotated[str | None, Query(max_length=100)] = None,
        status: Status = None,
        competent_town: Annotated[str | None, Query(pattern=r"^\d{8}$")] = None,
        due_by: date | None = None,
        mine: bool = False,
        q: Annotated[
            str | None, Query(max_length=100, description="Vorgangsnummer oder Name")
        ] = None,
        after: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
    ) -> Any:
        """A page of the clerk's town's queue: its own cases and those delegated to it."""
        chosen = town_of(clerk, town)
        if chosen is None:
            return forbidden(NOT_YOUR_TOWN)
        allowed = procedures_of(clerk)
        if procedure is not None and allowed is not None and procedure not in allowed:
            return forbidden("Für dieses Verfahren sind Sie nicht zuständig.")
        filters = QueueFilter(
            town=chosen,
            open=open,
            procedures=allowed,
            procedure=procedure,
            status=status,
            competent_town=competent_town,
            due_by=due_by,
            claimed_by=clerk.subject if mine else None,
            search=q or None,
        )
        try:
            page = await queue_page(runtime.pool, filters, after=after, limit=limit)
        except BadCursor as exc:
            return bad_cursor(exc)
        return queue_out(page)

    @api.get(
        "/counts", response_model=list[CountOut], responses=error_responses(401, 403, 422, 503)
    )
    async def counts(
        clerk: DeskClerk, town: Annotated[str | None, Query(pattern=r"^\d{8}$")] = None
    ) -> Any:
        """The town's open cases by procedure and status (the clerk's procedures only)."""
        chosen = town_of(clerk, town)
        if chosen is None:
            return forbidden(NOT_YOUR_TOWN)
        return counts_out(await queue_counts(runtime.pool, chosen, procedures_of(clerk)))

    @api.get(
        "/clerks", response_model=list[ClerkRef], responses=error_responses(401, 403, 422, 503)
    )
    async def clerks(
        clerk: DeskClerk, town: Annotated[str | None, Query(pattern=r"^\d{8}$")] = None
    ) -> Any:
        """Clerks of the town who have worked on cases (whom a supervisor can assign to)."""
        chosen = town_of(clerk, town)
        if chosen is None:
            return forbidden(NOT_YOUR_TOWN)
        rows = await runtime.pool.fetch(
            "SELECT id, name, town, email FROM rm_desk_cases.clerks WHERE town = $1 ORDER BY name",
            chosen,
        )
        return [ClerkRef(**dict(row)) for row in rows]

    return api
