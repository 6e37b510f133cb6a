"""The queue, „Arbeitskorb“: a town's cases for its clerk, with counts, filters and paging.

``GET /desk/vorgaenge`` — the clerk's town (``gemeinde``, a switch if they have several),
filtered by procedure, status, competent town, deadline, their own claims, open or
finished, and a search on case number or name; urgent cases first, then by deadline;
``nach`` is the keyset cursor of "Weitere Vorgänge". Every row offers „Übernehmen“ (a
form posting to the case's claim, ``case_actions``). The queries are ``queries.py``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from contracts.calendar import today
from contracts.procedures import PROCEDURES
from runtime.auth import Identity
from runtime.desk import Desk, DeskClerk, DeskRefusal, desk_router
from runtime.service import Runtime
from services.casework.clerks import procedures_of
from services.casework.domain.case import OPEN_STATUSES, STATUS_LABELS
from services.casework.pages.form_input import InputProblem, day
from services.casework.pages.wording import deadline_state
from services.casework.queries import (
    BadCursor,
    QueueCount,
    QueueFilter,
    QueuePage,
    queue_counts,
    queue_page,
)

QUEUE_PATH = "/desk/vorgaenge"
FILTERS = (
    "gemeinde",
    "verfahren",
    "status",
    "zustaendig",
    "frist_bis",
    "meine",
    "ansicht",
    "suche",
)
"""The query parameters that narrow the queue (and that "Weitere Vorgänge" keeps)."""


@dataclass(frozen=True)
class ProcedureCounts:
    """One procedure's open cases, by status."""

    procedure: str
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        """All its open cases."""
        return sum(self.by_status.values())


def counts_table(counts: list[QueueCount]) -> tuple[list[str], list[ProcedureCounts]]:
    """The statuses that occur (in the lifecycle's order) and a row per procedure."""
    rows: dict[str, dict[str, int]] = {}
    for count in counts:
        rows.setdefault(count.procedure, {})[count.status] = count.count
    statuses = [s for s in STATUS_LABELS if any(s in row for row in rows.values())]
    ordered = sorted(rows, key=lambda p: list(PROCEDURES).index(p) if p in PROCEDURES else 99)
    return statuses, [ProcedureCounts(p, rows[p]) for p in ordered]


def chosen_town(clerk: Identity, wanted: str) -> str:
    """The town a page is about: the one asked for if it is the clerk's, else their first."""
    if wanted in clerk.towns or (not wanted and clerk.towns):
        return wanted or clerk.towns[0]
    detail = (
        "Für diese Gemeinde sind Sie nicht zuständig."
        if clerk.towns
        else "Ihrer Anmeldung ist keine Gemeinde zugeordnet."
    )
    raise DeskRefusal(403, "Keine Berechtigung", detail)


def queue_filter(clerk: Identity, town: str, asked: Mapping[str, str]) -> QueueFilter:
    """The query's filters as the read model's (``InputProblem`` for a date it cannot read)."""
    allowed = procedures_of(clerk)
    procedure = asked.get("verfahren") or None
    if procedure is not None and allowed is not None and procedure not in allowed:
        raise DeskRefusal(
            403, "Keine Berechtigung", "Für dieses Verfahren sind Sie nicht zuständig."
        )
    status = asked.get("status") or None
    return QueueFilter(
        town=town,
        open=asked.get("ansicht") != "erledigt",
        procedures=allowed,
        procedure=procedure,
        status=status if status in STATUS_LABELS else None,
        competent_town=asked.get("zustaendig") or None,
        due_by=day(asked.get("frist_bis", ""), "frist-bis", "Das Datum", required=False),
        claimed_by=clerk.subject if asked.get("meine") else None,
        search=(asked.get("suche") or "").strip()[:100] or None,
    )


def page_link(asked: Mapping[str, str], cursor: str | None = None) -> str:
    """The queue's address with the same filters (and, for the next page, its cursor)."""
    query = {k: asked[k] for k in FILTERS if asked.get(k)}
    if cursor:
        query["nach"] = cursor
    return f"{QUEUE_PATH}?{urlencode(query)}" if query else QUEUE_PATH


def router(desk: Desk, runtime: Runtime) -> APIRouter:
    """``GET /desk/vorgaenge``."""
    pages = desk_router()

    @pages.get("/vorgaenge")
    async def queue(request: Request, clerk: DeskClerk) -> Response:
        """The clerk's queue."""
        asked = {k: v for k, v in request.query_params.items() if k in (*FILTERS, "nach")}
        town = chosen_town(clerk, asked.get("gemeinde", ""))
        errors: list[tuple[str, str]] = []
        try:
            filters = queue_filter(clerk, town, asked)
        except InputProblem as problem:
            errors.append((problem.field_id, problem.message))
            filters = queue_filter(clerk, town, {**asked, "frist_bis": ""})
        try:
            page = await queue_page(runtime.pool, filters, after=asked.get("nach") or None)
        except BadCursor:
            errors.append(("", "Dieser Seitenverweis ist ungültig; Sie sehen die erste Seite."))
            page = await queue_page(runtime.pool, filters)
        counts = await queue_counts(runtime.pool, town, procedures_of(clerk))
        context = _context(clerk, town, asked, filters, page, counts, desk.pages.town_names)
        return desk.page(
            request, "arbeitskorb.html", context, 422 if errors else 200, tuple(errors)
        )

    return pages


def _context(
    clerk: Identity,
    town: str,
    asked: Mapping[str, str],
    filters: QueueFilter,
    page: QueuePage,
    counts: list[QueueCount],
    town_names: Mapping[str, str],
) -> dict[str, Any]:
    statuses, count_rows = counts_table(counts)
    day_now = today()
    allowed = procedures_of(clerk)
    return {
        "town": town,
        "towns": clerk.towns,
        "asked": asked,
        "filters": filters,
        "rows": [
            (row, deadline_state(row.deadline, day_now, row.deadline_notice)) for row in page.rows
        ],
        "more": page_link(asked, page.next_cursor) if page.next_cursor else None,
        "first": page_link(asked) if asked.get("nach") else None,
        "count_statuses": statuses,
        "count_rows": count_rows,
        "status_labels": STATUS_LABELS,
        "open_statuses": [s for s in STATUS_LABELS if s in OPEN_STATUSES],
        "closed_statuses": [s for s in STATUS_LABELS if s not in OPEN_STATUSES],
        "procedures": [p for p in PROCEDURES if allowed is None or p in allowed],
        "member_towns": sorted(town_names.items(), key=lambda item: item[1]),
        "clerk_id": clerk.subject,
    }
