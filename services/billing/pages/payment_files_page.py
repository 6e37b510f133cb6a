"""The treasury's room for paying approved invoices: the SEPA credit-transfer files.

``GET  /desk/zahlungsdateien``             per town the treasury serves: what is approved and
                                           not yet paid, the form to make a file, the files
``POST /desk/zahlungsdateien``             make the town's file (``gemeinde``): every approved,
                                           unpaid invoice, once (``credit_transfers``)
``GET  /desk/zahlungsdateien/{file_id}``   a file as made (pain.001 XML), to hand to the bank

For the role ``treasury`` of the owning town or of a town it delegated its invoice
processing to — the rule of the JSON API (``invoice_approval_api``), by the same function
(``acting_for``). A file names the suppliers' accounts: anyone else gets the desk's 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from runtime.auth import Identity
from runtime.desk import Desk, DeskRefusal, desk_role, desk_router
from runtime.service import Runtime
from services.billing.credit_transfers import NoTownAccount, make_payment_file
from services.billing.invoice_approvals import acting_for
from services.billing.pages.approval_panel import TREASURY_ROLE
from services.billing.pages.invoice_page import document_response
from services.billing.pages.invoice_records import visible_towns
from services.billing.pages.wording import money

FILES_PATH = "/desk/zahlungsdateien"
Treasury = Annotated[Identity, Depends(desk_role(TREASURY_ROLE))]
NOT_FOUND = DeskRefusal(
    404,
    "Nicht gefunden",
    "Diese Zahlungsdatei gibt es nicht, oder Sie sind für die Zahlungen dieser Gemeinde nicht"
    " zuständig.",
)


def made_text(transfers: int, total: Decimal) -> str:
    """The notice after a file is made."""
    count = "eine Überweisung" if transfers == 1 else f"{transfers} Überweisungen"
    return f"Die Zahlungsdatei ist erstellt: {count} über zusammen {money(total)}."


NOTHING_TEXT = (
    "Es gibt keine freigegebenen, noch nicht bezahlten Rechnungen; es wurde keine"
    " Zahlungsdatei erstellt."
)


async def paying_towns(runtime: Runtime, clerk: Identity) -> list[str]:
    """The towns whose payment files the treasurer makes."""
    towns = await visible_towns(runtime, clerk)
    return [town for town in towns if await acting_for(runtime, clerk, town) is not None]


async def town_summary(runtime: Runtime, town: str) -> dict[str, Any]:
    """What is ready to pay in ``town`` and the files made so far, newest first."""
    ready = await runtime.pool.fetchrow(
        "SELECT count(*) AS invoices, coalesce(sum((state->'facts'->>'payable')::numeric), 0)"
        " AS total FROM public.billing_invoice_approvals WHERE town = $1 AND status = 'approved'",
        town,
    )
    files = await runtime.pool.fetch(
        "SELECT file_id, execution_date, transfers, total, created_at"
        " FROM public.billing_credit_transfer_files WHERE town = $1 ORDER BY created_at DESC",
        town,
    )
    return {"town": town, "ready": ready["invoices"], "ready_total": ready["total"], "files": files}


def router(desk: Desk, runtime: Runtime) -> APIRouter:
    """The room's routes."""
    pages = desk_router()

    async def render(
        request: Request, clerk: Identity, status: int = 200, errors: tuple[Any, ...] = ()
    ) -> Response:
        towns = [await town_summary(runtime, town) for town in await paying_towns(runtime, clerk)]
        return desk.page(request, "zahlungsdateien.html", {"towns": towns}, status, errors)

    @pages.get("/zahlungsdateien")
    async def files(request: Request, clerk: Treasury) -> Response:
        """The treasury's towns, what is ready to pay and the files."""
        return await render(request, clerk)

    @pages.post("/zahlungsdateien")
    async def make(
        request: Request, clerk: Treasury, gemeinde: Annotated[str, Form(max_length=8)] = ""
    ) -> Response:
        """Make the town's file of every approved, unpaid invoice."""
        if gemeinde not in await paying_towns(runtime, clerk):
            raise NOT_FOUND
        try:
            made = await make_payment_file(runtime, clerk, gemeinde)
        except NoTownAccount as exc:
            return await render(request, clerk, 409, ((f"zahlung-{gemeinde}", str(exc)),))
        response = RedirectResponse(f"{FILES_PATH}#zahlung-{gemeinde}", 303)
        text = made_text(len(made.event.transfers), made.event.total) if made else NOTHING_TEXT
        desk.flash(response, text)
        return response

    @pages.get("/zahlungsdateien/{file_id}")
    async def download(file_id: UUID, clerk: Treasury) -> Response:
        """The file as made, for the bank."""
        row = await runtime.pool.fetchrow(
            "SELECT town, content FROM public.billing_credit_transfer_files WHERE file_id = $1",
            file_id,
        )
        if row is None or await acting_for(runtime, clerk, row["town"]) is None:
            raise NOT_FOUND
        name = f"ueberweisungen-{row['town']}-{file_id}.xml"
        return document_response(bytes(row["content"]), name, "application/xml", inline=False)

    return pages
