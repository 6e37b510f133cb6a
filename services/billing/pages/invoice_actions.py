"""The invoice page's approval forms: each posts one of the approval commands
(``invoice_approvals``, the same functions the JSON API calls).

``POST /desk/rechnungen/{id}/sachlich-richtig``   sachlich richtig (optional note)
``POST /desk/rechnungen/{id}/anordnung``          Anordnung (not by the checker)
``POST /desk/rechnungen/{id}/zweite-freigabe``    second approval above the threshold
``POST /desk/rechnungen/{id}/ablehnung``          back to the supplier, reasons required

For clerks and supervisors (as the JSON API). CSRF-checked by the desk's router. Done: a
redirect (303) to the invoice with a German notice (POST/redirect/GET). Refused: the page
again with what was typed — a field's problem at the field (422), a broken approval rule
with its German sentence at the form (409). An invoice the clerk may not see: the desk's 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from runtime.auth import Identity
from runtime.desk import Desk, DeskClerk, desk_router
from runtime.service import Runtime
from services.billing import invoice_approvals as commands
from services.billing.domain.invoice_approval import ApprovalState
from services.billing.invoice_approvals import (
    NOTICE_TEXT,
    InvoiceNotFound,
    RejectionInput,
    StepInput,
    StepRefused,
)
from services.billing.pages import approval_input
from services.billing.pages.approval_input import FieldProblem
from services.billing.pages.invoice_page import NOT_FOUND, InvoicePage, invoice_url

Text = Annotated[str, Form(max_length=20_000)]
Command = Callable[[str], Awaitable[ApprovalState]]
"""A form's command, given the owning town."""


def done_ordering(after: ApprovalState) -> str:
    """The notice after an Anordnung: whether a second approval follows."""
    if after.second_required:
        return (
            "Die Zahlung ist angeordnet. Der Betrag liegt über dem Schwellenwert: Eine dritte"
            " Person muss die zweite Freigabe erteilen."
        )
    return "Die Zahlung ist angeordnet; die Rechnung ist zur Zahlung freigegeben."


def done_rejecting(after: ApprovalState) -> str:
    """The notice after a rejection: whether the supplier is mailed."""
    told = NOTICE_TEXT.get(after.rejection_notice or "", "")
    return f"Die Rechnung ist abgelehnt. {told}".strip()


class Acting:
    """Runs one form's command for the clerk and answers the browser."""

    def __init__(self, desk: Desk, page: InvoicePage) -> None:
        self.desk = desk
        self.page = page

    async def __call__(
        self,
        request: Request,
        clerk: Identity,
        invoice_id: UUID,
        command: Command,
        *,
        form: str,
        done: Callable[[ApprovalState], str],
        entered: dict[str, str],
    ) -> Response:
        """``command`` on the invoice; a redirect with ``done``, or the page with the refusal."""
        town = str((await self.page.record(clerk, invoice_id)).row["town"])  # 404 first
        try:
            after = await command(town)
        except InvoiceNotFound:
            raise NOT_FOUND from None
        except FieldProblem as problem:
            return await self._again(
                request, clerk, invoice_id, 422, problem.field_id, problem.message, entered
            )
        except StepRefused as refusal:
            field = f"{form}-gruende" if refusal.rule == "no_reasons" else form
            return await self._again(
                request, clerk, invoice_id, 409, field, refusal.message, entered
            )
        response = RedirectResponse(f"{invoice_url(invoice_id)}#freigabe", 303)
        self.desk.flash(response, done(after))
        return response

    async def _again(
        self,
        request: Request,
        clerk: Identity,
        invoice_id: UUID,
        status: int,
        field: str,
        message: str,
        entered: dict[str, str],
    ) -> Response:
        return await self.page.render(
            request,
            clerk,
            invoice_id,
            status=status,
            errors=((field, message),),
            extra={"entered": entered},
        )


def router(desk: Desk, runtime: Runtime, page: InvoicePage) -> APIRouter:
    """The four forms' routes."""
    pages = desk_router()
    act = Acting(desk, page)

    def step(
        run: Callable[..., Awaitable[ApprovalState]],
        clerk: Identity,
        invoice_id: UUID,
        text: str,
        field: str,
    ) -> Command:
        async def command(town: str) -> ApprovalState:
            given = StepInput(note=approval_input.note(text, field))
            return await run(runtime, clerk, town, invoice_id, given)

        return command

    @pages.post("/rechnungen/{invoice_id}/sachlich-richtig")
    async def check(
        request: Request, clerk: DeskClerk, invoice_id: UUID, vermerk: Text = ""
    ) -> Response:
        """Sachlich richtig: delivered as ordered, at the price invoiced."""
        return await act(
            request,
            clerk,
            invoice_id,
            step(commands.approve_factually, clerk, invoice_id, vermerk, "pruefung-vermerk"),
            form="pruefung",
            done=lambda _: (
                "Die sachliche Richtigkeit ist bestätigt. Die Anordnung muss eine"
                " andere Person erteilen."
            ),
            entered={"pruefung-vermerk": vermerk},
        )

    @pages.post("/rechnungen/{invoice_id}/anordnung")
    async def order(
        request: Request, clerk: DeskClerk, invoice_id: UUID, vermerk: Text = ""
    ) -> Response:
        """Anordnung: the payment ordered, by another person than the checker."""
        return await act(
            request,
            clerk,
            invoice_id,
            step(commands.order_payment, clerk, invoice_id, vermerk, "anordnung-vermerk"),
            form="anordnung",
            done=done_ordering,
            entered={"anordnung-vermerk": vermerk},
        )

    @pages.post("/rechnungen/{invoice_id}/zweite-freigabe")
    async def countersign(
        request: Request, clerk: DeskClerk, invoice_id: UUID, vermerk: Text = ""
    ) -> Response:
        """The second approval above the town's threshold, by a third person."""
        return await act(
            request,
            clerk,
            invoice_id,
            step(commands.countersign, clerk, invoice_id, vermerk, "zweitfreigabe-vermerk"),
            form="zweitfreigabe",
            done=lambda _: (
                "Die zweite Freigabe ist erteilt; die Rechnung ist zur Zahlung freigegeben."
            ),
            entered={"zweitfreigabe-vermerk": vermerk},
        )

    @pages.post("/rechnungen/{invoice_id}/ablehnung")
    async def reject(
        request: Request,
        clerk: DeskClerk,
        invoice_id: UUID,
        gruende: Text = "",
        vermerk: Text = "",
    ) -> Response:
        """Back to the supplier, with the reasons (one a line)."""

        async def command(town: str) -> ApprovalState:
            given = RejectionInput(
                reasons=approval_input.reasons(gruende, "ablehnung-gruende"),
                note=approval_input.note(vermerk, "ablehnung-vermerk"),
            )
            return await commands.reject(runtime, clerk, town, invoice_id, given)

        return await act(
            request,
            clerk,
            invoice_id,
            command,
            form="ablehnung",
            done=done_rejecting,
            entered={"ablehnung-gruende": gruende, "ablehnung-vermerk": vermerk},
        )

    return pages
