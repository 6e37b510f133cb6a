"""The town's accounts for its finance software: closed days as CSV and as totals.

``GET /api/v1/towns/{ags}/finance/days``            the closed days with their totals
``GET /api/v1/towns/{ags}/finance/days/{day}.csv``  a closed day's entries (format:
                                                    ``finance/csv_export.py``, README.md)
``GET /api/v1/towns/{ags}/finance/days/{day}``      its totals per Produkt and Sachkonto

The same is announced as ``billing.FinanceDayClosed`` for any system that reads events. The
town's treasury (role ``treasury``) and operators may read; another town's days answer 404.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from runtime.auth import OPERATOR_ROLE, Identity, requires_role
from runtime.http import error_responses, problem
from runtime.service import Runtime
from services.billing.finance.csv_export import day_csv

Reader = Annotated[Identity, Depends(requires_role("treasury", OPERATOR_ROLE))]
Town = Annotated[str, Path(pattern=r"^\d{8}$", description="AGS der Gemeinde")]
NOT_FOUND = "Nicht gefunden."
NOT_YOURS = "Für diese Gemeinde sind Sie nicht zuständig."
NOT_CLOSED = "Dieser Tag ist nicht abgeschlossen: Er läuft noch, oder an ihm wurde nichts gebucht."


def _sees(identity: Identity, town: str) -> bool:
    return identity.has_role(OPERATOR_ROLE) or town in identity.towns


def router(runtime: Runtime) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1/towns/{town}/finance", tags=["treasury"])

    @api.get("/days", responses=error_responses(401, 403, 404, 422, 503))
    async def days(identity: Reader, town: Town) -> Any:
        """The closed days, newest first."""
        if not _sees(identity, town):
            return problem(404, NOT_FOUND, NOT_YOURS)
        rows = await runtime.pool.fetch(
            "SELECT day, soll_total, ist_total, entries, closed_at FROM rm_finance.days"
            " WHERE town = $1 ORDER BY day DESC LIMIT 400",
            town,
        )
        return [
            {
                **dict(r.items()),
                "soll_total": str(r["soll_total"]),
                "ist_total": str(r["ist_total"]),
            }
            for r in rows
        ]

    @api.get(
        "/days/{day}.csv",
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}}, **error_responses(401, 403, 404, 422, 503)},
    )
    async def day_as_csv(identity: Reader, town: Town, day: date) -> Any:
        """A closed day's entries as CSV."""
        if not _sees(identity, town):
            return problem(404, NOT_FOUND, NOT_YOURS)
        if not await _closed(runtime, town, day):
            return problem(404, NOT_FOUND, NOT_CLOSED)
        rows = await runtime.pool.fetch(
            "SELECT * FROM rm_finance.entries WHERE town = $1 AND day = $2", town, day
        )
        return Response(
            day_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{town}-{day}.csv"'},
        )

    @api.get("/days/{day}", responses=error_responses(401, 403, 404, 422, 503))
    async def day_totals(identity: Reader, town: Town, day: date) -> Any:
        """A closed day's totals, per Produkt and Sachkonto."""
        if not _sees(identity, town):
            return problem(404, NOT_FOUND, NOT_YOURS)
        head = await runtime.pool.fetchrow(
            "SELECT day, soll_total, ist_total, entries, closed_at FROM rm_finance.days"
            " WHERE town = $1 AND day = $2",
            town,
            day,
        )
        if head is None:
            return problem(404, NOT_FOUND, NOT_CLOSED)
        accounts = await runtime.pool.fetch(
            "SELECT produkt, sachkonto,"
            " coalesce(sum(amount) FILTER (WHERE kind = 'soll'), 0) AS soll,"
            " coalesce(sum(amount) FILTER (WHERE kind = 'ist'), 0) AS ist"
            " FROM rm_finance.entries WHERE town = $1 AND day = $2"
            " GROUP BY produkt, sachkonto ORDER BY produkt, sachkonto",
            town,
            day,
        )
        return {
            **dict(head.items()),
            "soll_total": str(head["soll_total"]),
            "ist_total": str(head["ist_total"]),
            "accounts": [
                {**dict(a.items()), "soll": f"{a['soll']:.2f}", "ist": f"{a['ist']:.2f}"}
                for a in accounts
            ],
        }

    return api


async def _closed(runtime: Runtime, town: str, day: date) -> bool:
    found = await runtime.pool.fetchval(
        "SELECT true FROM rm_finance.days WHERE town = $1 AND day = $2", town, day
    )
    return bool(found)
