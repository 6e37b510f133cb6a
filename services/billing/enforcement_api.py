"""The town's enforcement list: claims the timers handed over for enforcement (Vollstreckung).

``GET /api/v1/towns/{ags}/enforcement``   the handed-over claims, the latest first: what was
                                          open when handed over, what is open now (payments
                                          may still arrive), the reminder's day and due date

The town's treasury (role ``treasury``), its clerks and supervisors, or an operator; a caller
sees only the towns in their token (an operator: every town), another town answers 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from runtime.auth import OPERATOR_ROLE, Identity, requires_role
from runtime.http import JsonRoute, error_responses, problem
from runtime.service import Runtime

READERS = ("treasury", "clerk", "supervisor", OPERATOR_ROLE)
Reader = Annotated[Identity, Depends(requires_role(*READERS))]
Town = Annotated[str, Path(pattern=r"^\d{8}$", description="AGS der Gemeinde")]
MONEY = ("raised", "paid", "open", "reminder_fees", "surcharges", "handed_over_amount")

LIST = """
SELECT case_id, cash_reference, procedure, raised, paid, raised - paid AS open, reminder_fees,
       surcharges, due_date, reminded_at, reminder_due, handed_over_at, handed_over_amount,
       settled_at
FROM rm_claims.claims
WHERE town = $1 AND handed_over_at IS NOT NULL
ORDER BY handed_over_at DESC, cash_reference
LIMIT $2
"""


def _row(row: Any) -> dict[str, Any]:
    out = dict(row.items())
    for name in MONEY:
        if out.get(name) is not None:
            out[name] = str(out[name])
    out["settled"] = out.pop("settled_at") is not None
    return out


def router(runtime: Runtime) -> APIRouter:
    """The route, bound to the running service."""
    api = APIRouter(prefix="/api/v1", tags=["treasury"], route_class=JsonRoute)

    @api.get("/towns/{town}/enforcement", responses=error_responses(401, 403, 404, 422, 503))
    async def enforcement(
        identity: Reader,
        town: Town,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> Any:
        """The town's claims handed over for enforcement, the latest first."""
        if not (identity.has_role(OPERATOR_ROLE) or town in identity.towns):
            return problem(404, "Nicht gefunden.", "Für diese Gemeinde sind Sie nicht zuständig.")
        return [_row(row) for row in await runtime.pool.fetch(LIST, town, limit)]

    return api
