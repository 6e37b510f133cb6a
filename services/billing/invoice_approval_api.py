"""The clerks' and the treasury's routes for incoming invoices: approval and payment release.

``GET  /api/v1/towns/{ags}/einvoices/{id}/approval``            status, steps, deadlines
``POST /api/v1/towns/{ags}/einvoices/{id}/factual-approval``    sachlich richtig
``POST /api/v1/towns/{ags}/einvoices/{id}/payment-order``       Anordnung (not the checker)
``POST /api/v1/towns/{ags}/einvoices/{id}/countersignature``    second approval above threshold
``POST /api/v1/towns/{ags}/einvoices/{id}/rejection``           back to the supplier, reasons
``POST /api/v1/towns/{ags}/einvoices/payment-file``             the treasury: pain.001 of every
                                                                approved, unpaid invoice
``GET  /api/v1/towns/{ags}/einvoices/payment-files``            the town's files
``GET  /api/v1/towns/{ags}/einvoices/payment-files/{file_id}``  one file's XML

Approval steps are for clerks and supervisors (roles ``clerk``, ``supervisor``), payment files
for the treasury (``treasury``) — of the owning town or of a town it delegated its invoice
processing to. Anyone else signed in with the role gets 404, as if the town had no such
invoice. A broken approval rule answers 409 with the rule's German sentence and its name
(``rule``). Thin routes: ``invoice_approvals`` and ``credit_transfers`` do the work.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from runtime.auth import Identity, requires_role
from runtime.http import STATUS_TITLES, ErrorBody, JsonRoute, error_responses, problem
from runtime.service import Runtime
from services.billing import invoice_approvals as commands
from services.billing.credit_transfers import NoTownAccount, make_payment_file
from services.billing.invoice_approvals import (
    InvoiceNotFound,
    RejectionInput,
    StepInput,
    StepRefused,
    acting_for,
)

APPROVERS = ("clerk", "supervisor")
TREASURY = "treasury"
Approver = Annotated[Identity, Depends(requires_role(*APPROVERS))]
Treasury = Annotated[Identity, Depends(requires_role(TREASURY))]
Town = Annotated[
    str, Path(pattern=r"^\d{8}$", description="AGS der Gemeinde, der die Rechnung gehört")
]
NOT_YOURS = "Für diese Gemeinde sind Sie nicht zuständig."
ROUTE_ERRORS = error_responses(401, 403, 404, 409, 413, 415, 422, 503)


class StepIn(BaseModel):
    """A step may carry a note for the record."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=500, description="Vermerk (optional)")


class RejectionIn(BaseModel):
    """Why the invoice goes back to the supplier."""

    model_config = ConfigDict(extra="forbid")

    reasons: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        min_length=1,
        max_length=20,
        description="Gründe, je ein Satz; der Lieferant erhält sie per E-Mail",
    )
    note: str | None = Field(default=None, max_length=500)


def refused(exc: StepRefused) -> JSONResponse:
    """409 with the rule's sentence and name."""
    body = ErrorBody(title=STATUS_TITLES[409], detail=exc.message).model_dump()
    return JSONResponse({**body, "rule": exc.rule}, status_code=409)


def router(runtime: Runtime) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(
        prefix="/api/v1/towns/{town}/einvoices", tags=["einvoices"], route_class=JsonRoute
    )

    async def step(
        command: Any, identity: Identity, town: str, invoice_id: UUID, given: Any
    ) -> Any:
        try:
            state = await command(runtime, identity, town, invoice_id, given)
        except InvoiceNotFound as exc:
            return problem(404, STATUS_TITLES[404], str(exc))
        except StepRefused as exc:
            return refused(exc)
        return await commands.approval_view(runtime, identity, town, state.facts.invoice_id)

    @api.get("/{invoice_id}/approval", responses=error_responses(401, 403, 404, 422, 503))
    async def approval(identity: Approver, town: Town, invoice_id: UUID) -> Any:
        """The invoice's approval: status, each step (who, for whom, when), due date,
        discount date and what a transfer today would pay."""
        try:
            return await commands.approval_view(runtime, identity, town, invoice_id)
        except InvoiceNotFound as exc:
            return problem(404, STATUS_TITLES[404], str(exc))

    @api.post("/{invoice_id}/factual-approval", responses=ROUTE_ERRORS)
    async def factual_approval(
        identity: Approver, town: Town, invoice_id: UUID, body: StepIn | None = None
    ) -> Any:
        """Sachlich richtig: delivered as ordered, at the price invoiced."""
        given = StepInput(note=body.note if body else None)
        return await step(commands.approve_factually, identity, town, invoice_id, given)

    @api.post("/{invoice_id}/payment-order", responses=ROUTE_ERRORS)
    async def payment_order(
        identity: Approver, town: Town, invoice_id: UUID, body: StepIn | None = None
    ) -> Any:
        """Anordnung: order the payment (not by who confirmed it); above the town's threshold
        a second approval follows."""
        given = StepInput(note=body.note if body else None)
        return await step(commands.order_payment, identity, town, invoice_id, given)

    @api.post("/{invoice_id}/countersignature", responses=ROUTE_ERRORS)
    async def countersignature(
        identity: Approver, town: Town, invoice_id: UUID, body: StepIn | None = None
    ) -> Any:
        """The second approval above the threshold, by a third person."""
        given = StepInput(note=body.note if body else None)
        return await step(commands.countersign, identity, town, invoice_id, given)

    @api.post("/{invoice_id}/rejection", responses=ROUTE_ERRORS)
    async def rejection(identity: Approver, town: Town, invoice_id: UUID, body: RejectionIn) -> Any:
        """Send the invoice back to the supplier with the reasons (by e-mail to the seller's
        contact address on the invoice; without one, the rejection says so)."""
        given = RejectionInput(reasons=tuple(body.reasons), note=body.note)
        return await step(commands.reject, identity, town, invoice_id, given)

    @api.post(
        "/payment-file",
        status_code=201,
        responses={
            **error_responses(401, 403, 404, 409, 503),
            200: {"description": "Nichts zu zahlen"},
        },
    )
    async def payment_file(identity: Treasury, town: Town) -> Any:
        """Make the town's SEPA credit-transfer file (pain.001) of every approved invoice not
        yet paid; each invoice is in one file only (200 without a file: nothing to pay)."""
        if await acting_for(runtime, identity, town) is None:
            return problem(404, STATUS_TITLES[404], NOT_YOURS)
        try:
            made = await make_payment_file(runtime, identity, town)
        except NoTownAccount as exc:
            return problem(409, STATUS_TITLES[409], str(exc))
        if made is None:
            return JSONResponse(
                {
                    "file_id": None,
                    "transfers": [],
                    "detail": "Keine freigegebenen, noch nicht bezahlten Rechnungen.",
                },
                status_code=200,
            )
        return {
            **made.event.model_dump(mode="json"),
            "url": f"/api/v1/towns/{town}/einvoices/payment-files/{made.file_id}",
        }

    @api.get("/payment-files", responses=error_responses(401, 403, 404, 422, 503))
    async def payment_files(identity: Treasury, town: Town) -> Any:
        """The town's credit-transfer files, newest first."""
        if await acting_for(runtime, identity, town) is None:
            return problem(404, STATUS_TITLES[404], NOT_YOURS)
        rows = await runtime.pool.fetch(
            "SELECT file_id, message_id, execution_date, transfers, total, checksum, created_by,"
            " created_at FROM public.billing_credit_transfer_files WHERE town = $1"
            " ORDER BY created_at DESC",
            town,
        )
        return [{**dict(row.items()), "total": str(row["total"])} for row in rows]

    @api.get(
        "/payment-files/{file_id}",
        responses={
            **error_responses(401, 403, 404, 422, 503),
            200: {"content": {"application/xml": {"schema": {"type": "string"}}}},
        },
    )
    async def payment_file_xml(identity: Treasury, town: Town, file_id: UUID) -> Response:
        """The file as made (pain.001.001.09 XML), for the bank."""
        content = None
        if await acting_for(runtime, identity, town) is not None:
            content = await runtime.pool.fetchval(
                "SELECT content FROM public.billing_credit_transfer_files"
                " WHERE file_id = $1 AND town = $2",
                file_id,
                town,
            )
        if content is None:
            return problem(404, STATUS_TITLES[404], "Diese Zahlungsdatei gibt es hier nicht.")
        return Response(
            bytes(content),
            media_type="application/xml",
            headers={"Content-Disposition": f'attachment; filename="ueberweisungen-{file_id}.xml"'},
        )

    return api
