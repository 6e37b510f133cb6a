"""The treasury's routes: statements in, claims and the clarification queue out.

``POST /api/v1/statements``                          a camt.053/camt.054 file (the raw XML):
                                                     reconciled and booked; the town's
                                                     treasury (role ``treasury``) or an operator
``GET  /api/v1/claims/{kassenzeichen}``              a claim's balance and every booking
``GET  /api/v1/towns/{ags}/claims?state=open``       the town's claims
``GET  /api/v1/towns/{ags}/clarifications``          money awaiting clarification (``state``:
                                                     open, resolved, all)
``POST /api/v1/towns/{ags}/clarifications/{item}``   a clerk of the town resolves an item

A caller sees and changes only the towns in their token (an operator: every town); another
town's claim or item answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field, model_validator
from starlette.exceptions import HTTPException

from runtime.auth import OPERATOR_ROLE, Identity, requires_role
from runtime.http import (
    FieldError,
    JsonRoute,
    error_responses,
    problem,
    read_within,
    validation_response,
)
from runtime.service import Runtime
from services.billing.clarifications import AlreadyResolved, ItemNotFound, UnknownClaim, resolve
from services.billing.statement_import import NotYourAccount, import_file
from services.billing.statements import MAX_BYTES, StatementRefused

TREASURY = "treasury"
"""The town's treasury (Stadtkasse): imports statements, resolves unclear payments."""
CLARIFIERS = (TREASURY, "clerk", "supervisor", OPERATOR_ROLE)

Importer = Annotated[Identity, Depends(requires_role(TREASURY, OPERATOR_ROLE))]
Clarifier = Annotated[Identity, Depends(requires_role(*CLARIFIERS))]
Town = Annotated[str, Path(pattern=r"^\d{8}$", description="AGS der Gemeinde")]
XML_TYPES = ("application/xml", "text/xml")
NOT_FOUND = "Nicht gefunden."


class ResolutionIn(BaseModel):
    """Where the money belongs."""

    resolution: Literal["assigned", "refund", "not_ours"] = Field(
        description="assigned: to the claim named; refund: back to the payer; not_ours: the"
        " town's other accounts"
    )
    cash_reference: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        pattern=r"^[0-9A-Za-z][0-9A-Za-z./-]*$",
        description="Kassenzeichen (required when assigned)",
    )
    note: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _claim_named_when_assigned(self) -> ResolutionIn:
        if self.resolution == "assigned" and not (self.cash_reference or "").strip():
            raise ValueError("Bitte geben Sie das Kassenzeichen an, dem der Betrag zusteht.")
        return self


def _sees(identity: Identity, town: str) -> bool:
    return identity.has_role(OPERATOR_ROLE) or town in identity.towns


def _money(row: Any, *names: str) -> dict[str, Any]:
    out = dict(row.items())
    for name in names:
        if out.get(name) is not None:
            out[name] = str(out[name])
    return out


def router(runtime: Runtime) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1", tags=["treasury"], route_class=JsonRoute)

    @api.post(
        "/statements",
        responses=error_responses(401, 403, 413, 415, 422, 503),
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "The bank's camt.053 or camt.054 file, as it came (at most 20 MB)",
                "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    )
    async def import_statement(
        request: Request,
        identity: Importer,
        name: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Any:
        """Import a bank statement file (camt.053 or camt.054 as XML); importing it again
        books nothing twice."""
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type not in XML_TYPES:
            raise HTTPException(
                415, "Bitte senden Sie den Kontoauszug als XML (Content-Type: application/xml)."
            )
        data = await read_within(request, MAX_BYTES)
        try:
            report = await import_file(runtime, data, identity=identity, file_name=name)
        except StatementRefused as refused:
            return validation_response(
                [
                    FieldError(field="(Datei)", message=p.message, type=p.code)
                    for p in refused.problems
                ]
            )
        except NotYourAccount as refused:
            return problem(403, "Keine Berechtigung.", str(refused))
        return report.summary()

    @api.get("/claims/{cash_reference}", responses=error_responses(401, 403, 404, 503))
    async def claim(identity: Clarifier, cash_reference: str) -> Any:
        """A claim's balance and its bookings, oldest first."""
        row = await runtime.pool.fetchrow(
            "SELECT case_id, town, cash_reference, procedure, raised, paid, raised - paid AS open,"
            " due_date, assessed_at, settled_at FROM rm_claims.claims WHERE cash_reference = $1",
            cash_reference,
        )
        if row is None or not _sees(identity, row["town"]):
            return problem(
                404, NOT_FOUND, "Unter diesem Kassenzeichen ist keine Forderung erfasst."
            )
        bookings = await runtime.pool.fetch(
            "SELECT booking_id, kind, amount, channel, matched_by, booked_at, value_date,"
            " statement_id, entry, bank_reference, provider_reference, booked_by"
            " FROM rm_claims.bookings WHERE case_id = $1 ORDER BY booked_at, booking_id",
            row["case_id"],
        )
        return {
            **_money(row, "raised", "paid", "open"),
            "settled": row["settled_at"] is not None,
            "bookings": [_money(b, "amount") for b in bookings],
        }

    @api.get("/towns/{town}/claims", responses=error_responses(401, 403, 404, 422, 503))
    async def claims(
        identity: Clarifier,
        town: Town,
        state: Literal["open", "settled", "all"] = "open",
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> Any:
        """The town's claims, the oldest due first."""
        if not _sees(identity, town):
            return problem(404, NOT_FOUND, "Für diese Gemeinde sind Sie nicht zuständig.")
        where = {"open": "paid < raised", "settled": "paid >= raised", "all": "true"}[state]
        rows = await runtime.pool.fetch(
            "SELECT case_id, cash_reference, procedure, raised, paid, raised - paid AS open,"
            f" due_date, settled_at FROM rm_claims.claims WHERE town = $1 AND {where}"
            " ORDER BY due_date, cash_reference LIMIT $2",
            town,
            limit,
        )
        return [_money(row, "raised", "paid", "open") for row in rows]

    @api.get("/towns/{town}/clarifications", responses=error_responses(401, 403, 404, 422, 503))
    async def clarifications(
        identity: Clarifier,
        town: Town,
        state: Literal["open", "resolved", "all"] = "open",
    ) -> Any:
        """Money on the town's account that no claim took, with the payer's details."""
        if not _sees(identity, town):
            return problem(404, NOT_FOUND, "Für diese Gemeinde sind Sie nicht zuständig.")
        where = {
            "open": "c.resolution IS NULL",
            "resolved": "c.resolution IS NOT NULL",
            "all": "true",
        }[state]
        rows = await runtime.pool.fetch(
            "SELECT c.item_id, c.amount, c.code, c.reason, c.candidates, c.account_iban,"
            " c.statement_id, c.entry, c.bank_reference, c.booking_date, c.value_date,"
            " c.received_at, c.resolution, c.cash_reference, c.note, c.resolved_by,"
            " c.resolved_at, i.payer_name, i.payer_iban, i.remittance"
            " FROM rm_claims.clarifications c LEFT JOIN public.billing_clarification_items i"
            f" USING (item_id) WHERE c.town = $1 AND {where} ORDER BY c.received_at, c.item_id",
            town,
        )
        return [_money(row, "amount") for row in rows]

    @api.post(
        "/towns/{town}/clarifications/{item_id}",
        responses=error_responses(401, 403, 404, 409, 413, 415, 422, 503),
    )
    async def resolve_item(
        identity: Clarifier,
        town: Town,
        item_id: Annotated[str, Path(max_length=64)],
        body: ResolutionIn,
    ) -> Any:
        """Say where the money belongs; assigned money is booked to the claim named."""
        if not _sees(identity, town):
            return problem(404, NOT_FOUND, "Für diese Gemeinde sind Sie nicht zuständig.")
        try:
            event = await resolve(
                runtime,
                identity,
                town,
                item_id,
                body.resolution,
                cash_reference=(body.cash_reference or "").strip() or None,
                note=body.note.strip(),
            )
        except ItemNotFound:
            return problem(404, NOT_FOUND, "Diesen Klärungsfall gibt es in dieser Gemeinde nicht.")
        except AlreadyResolved:
            return problem(409, "Bereits geklärt.", "Dieser Betrag wurde bereits zugeordnet.")
        except UnknownClaim as unknown:
            return validation_response(
                [
                    FieldError(
                        field="cash_reference",
                        message=f"Das Kassenzeichen {unknown.cash_reference} gehört zu keiner"
                        " Forderung dieser Gemeinde.",
                        type="unknown_claim",
                    )
                ]
            )
        return event.model_dump(mode="json")

    return api
