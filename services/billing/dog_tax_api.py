"""The dog-tax register and the annual run.

``GET  /api/v1/towns/{ags}/dogs``          the town's register (tag, dog, kept from/until; no
                                           keeper's name: the register holds a pseudonym)
``POST /ops/v1/billing/dog-tax/{year}``    operators: assess the year for every keeper not
                                           yet assessed (``dog_tax_run``); safe to repeat
``POST /api/v1/towns/{ags}/direct-debits/{due}``  the town's SEPA direct-debit file (pain.008)
                                           of a due day — made once; again: the same file
``GET  /api/v1/towns/{ags}/direct-debits/{due}``  the file made for that day
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from runtime.auth import OPERATOR_ROLE, Identity, Operator, requires_role
from runtime.http import error_responses, problem
from runtime.service import Runtime
from services.billing.direct_debits import NoCreditorId, direct_debit_file
from services.billing.dog_tax_run import assess_year

Treasury = Annotated[Identity, Depends(requires_role("treasury", OPERATOR_ROLE))]
Reader = Annotated[
    Identity, Depends(requires_role("treasury", "clerk", "supervisor", OPERATOR_ROLE))
]
Town = Annotated[str, Path(pattern=r"^\d{8}$", description="AGS der Gemeinde")]
Year = Annotated[int, Path(ge=2000, le=2100, description="Steuerjahr")]


def router(runtime: Runtime) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(tags=["dog tax"])

    @api.get("/api/v1/towns/{town}/dogs", responses=error_responses(401, 403, 404, 422, 503))
    async def register(
        identity: Reader,
        town: Town,
        kept: Annotated[bool, Query(description="only dogs still kept")] = False,
    ) -> Any:
        """The town's dog-tax register, by tag number."""
        if not (identity.has_role(OPERATOR_ROLE) or town in identity.towns):
            return problem(404, "Nicht gefunden.", "Für diese Gemeinde sind Sie nicht zuständig.")
        rows = await runtime.pool.fetch(
            "SELECT tag_number, dog_id, keeper_key, name, breed, kept_from, kept_until,"
            " dangerous, exemption, direct_debit, registered_at FROM rm_dog_register.dogs"
            " WHERE town = $1 AND ($2 = false OR kept_until IS NULL)"
            " ORDER BY length(tag_number), tag_number",
            town,
            kept,
        )
        return [dict(row.items()) for row in rows]

    @api.post("/ops/v1/billing/dog-tax/{year}", responses=error_responses(401, 403, 422, 503))
    async def run(identity: Operator, year: Year) -> Any:
        """Assess the dog tax of ``year`` for every keeper not assessed yet."""
        done = await assess_year(runtime, year, identity.operator_actor)
        return done.summary()

    @api.post(
        "/api/v1/towns/{town}/direct-debits/{due}",
        response_class=Response,
        responses={
            200: {"content": {"application/xml": {}}},
            **error_responses(401, 403, 404, 409, 422, 503),
        },
    )
    async def make_debits(identity: Treasury, town: Town, due: date) -> Any:
        """Make (once) the direct-debit file collecting what is due on ``due``."""
        if not (identity.has_role(OPERATOR_ROLE) or town in identity.towns):
            return problem(404, "Nicht gefunden.", "Für diese Gemeinde sind Sie nicht zuständig.")
        actor = (
            identity.operator_actor
            if identity.has_role(OPERATOR_ROLE)
            else f"treasury:{identity.subject}"
        )
        try:
            made = await direct_debit_file(runtime, town, due, actor)
        except NoCreditorId:
            return problem(
                409,
                "Keine Gläubiger-ID.",
                "Für diese Gemeinde ist keine Gläubiger-Identifikationsnummer hinterlegt"
                " ([billing.account] creditor_id); sie zieht keine Lastschriften ein.",
            )
        if made is None:
            return problem(
                404, "Nicht gefunden.", f"Am {due:%d.%m.%Y} ist keine Lastschrift fällig."
            )
        return _xml(made.content, town, due)

    @api.get(
        "/api/v1/towns/{town}/direct-debits/{due}",
        response_class=Response,
        responses={
            200: {"content": {"application/xml": {}}},
            **error_responses(401, 403, 404, 422, 503),
        },
    )
    async def debits(identity: Treasury, town: Town, due: date) -> Any:
        """The direct-debit file made for ``due``."""
        content = None
        if identity.has_role(OPERATOR_ROLE) or town in identity.towns:
            content = await runtime.pool.fetchval(
                "SELECT content FROM public.billing_direct_debit_files"
                " WHERE town = $1 AND due = $2",
                town,
                due,
            )
        if content is None:
            return problem(
                404, "Nicht gefunden.", "Für diesen Tag wurde keine Lastschriftdatei erstellt."
            )
        return _xml(bytes(content), town, due)

    return api


def _xml(content: bytes, town: str, due: date) -> Response:
    return Response(
        content,
        media_type="application/xml",
        headers={"content-disposition": f'attachment; filename="lastschriften-{town}-{due}.xml"'},
    )
