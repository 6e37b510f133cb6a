"""One incoming invoice at the desk: every business term, the check's report, the original
and the history, on one page.

``GET /desk/rechnungen/{id}``                   the page
``GET /desk/rechnungen/{id}/original``          the original as sent (XML or PDF), opened
                                                with the invoice's key, as a download
``GET /desk/rechnungen/{id}/original/ansicht``  a PDF original shown in the page

An invoice the clerk may not see is not found (404), like one that does not exist.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request, Response
from markupsafe import Markup

from contracts.calendar import today
from runtime.auth import Identity
from runtime.desk import INLINE_DOCUMENT_POLICY, Desk, DeskRefusal, desk_router
from runtime.service import Runtime
from runtime.worker import Job
from services.billing.einvoices.verdict import InvoiceData
from services.billing.invoice_approvals import approval_threshold
from services.billing.pages.approval_panel import panel
from services.billing.pages.history import history_rows
from services.billing.pages.invoice_records import (
    InvoiceNotFound,
    InvoiceRecord,
    OriginalGone,
    approval_of,
    load_invoice,
    original_bytes,
    report_fragment,
)
from services.billing.pages.invoice_terms import from_event, invoice_terms
from services.billing.pages.queue_page import InvoiceStaff, state_word
from services.billing.pages.wording import CHANNELS, date_state

READ_ORIGINAL: Job[bytes, InvoiceData | None] = Job(
    "services.billing.pages.original_reading:read_in_worker"
)
NOT_FOUND = DeskRefusal(
    404,
    "Rechnung nicht gefunden",
    "Diese Rechnung gibt es nicht, oder Sie sind für sie nicht zuständig.",
)
GONE = DeskRefusal(
    404,
    "Original gelöscht",
    "Die personenbezogenen Daten dieser Rechnung sind gelöscht; das Original ist nicht mehr"
    " lesbar.",
)


def invoice_url(invoice_id: UUID | str) -> str:
    """The invoice page's address."""
    return f"/desk/rechnungen/{invoice_id}"


def nested_report(fragment: str) -> Markup:
    """The supplier's report (billing's own autoescaped HTML) one heading level down, so it
    sits under the page's own heading as a section of it."""
    shifted = re.sub(r"<(/?)h([1-5])\b", lambda m: f"<{m[1]}h{int(m[2]) + 1}", fragment)
    return Markup(shifted)  # billing's report template rendered it, escaping every value


def document_response(content: bytes, filename: str, content_type: str, inline: bool) -> Response:
    """The original: a download, or (a PDF) shown in the page's frame; never run as a page."""
    disposition = "inline" if inline else "attachment"
    return Response(
        content,
        media_type=content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename, safe='')}",
            "Content-Security-Policy": INLINE_DOCUMENT_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


class InvoicePage:
    """Renders an invoice's page for a clerk (also again, with a refused form's errors)."""

    def __init__(self, desk: Desk, runtime: Runtime) -> None:
        self.desk = desk
        self.runtime = runtime

    async def record(self, clerk: Identity, invoice_id: UUID) -> InvoiceRecord:
        """The invoice, or the desk's 404 page."""
        try:
            return await load_invoice(self.runtime, clerk, invoice_id)
        except InvoiceNotFound:
            raise NOT_FOUND from None

    async def render(
        self,
        request: Request,
        clerk: Identity,
        invoice_id: UUID,
        *,
        status: int = 200,
        errors: tuple[tuple[str, str], ...] = (),
        extra: dict[str, Any] | None = None,
    ) -> Response:
        """The page."""
        record = await self.record(clerk, invoice_id)
        context = await self.context(record)
        context.update(await self.approval(record, clerk), entered={})
        context.update(extra or {})
        return self.desk.page(request, "rechnung.html", context, status, errors)

    async def context(self, record: InvoiceRecord) -> dict[str, Any]:
        """What ``rechnung.html`` shows."""
        received, row = record.received, record.row
        data = await self._data(record)
        fragment = await report_fragment(self.runtime, received.invoice_id)
        day_now = today()
        return {
            "invoice": row,
            "received": received,
            "url": invoice_url(received.invoice_id),
            "terms": invoice_terms(data or from_event(received), complete=data is not None),
            "state": state_word(row),
            "channel": CHANNELS.get(received.channel, received.channel),
            "due": date_state(received.due_date, day_now),
            "discount": date_state(
                received.discount.until if received.discount else None, day_now, discount=True
            ),
            "report": nested_report(fragment) if fragment else None,
            "history": history_rows(record.events, self.desk.pages.town_name),
        }

    async def approval(self, record: InvoiceRecord, clerk: Identity) -> dict[str, Any]:
        """The approval block: its steps, the threshold's reason, the clerk's forms."""
        received, town = record.received, str(record.row["town"])
        state, history = await approval_of(self.runtime, received.invoice_id)
        threshold = approval_threshold(self.runtime.settings.members_dir, town)
        shown = panel(
            state,
            history,
            payable=received.payable,
            currency=received.currency,
            threshold=threshold,
            town=town,
            identity=clerk,
            town_name=self.desk.pages.town_name,
        )
        return {"approval": shown}

    async def _data(self, record: InvoiceRecord) -> InvoiceData | None:
        """Every term of the original, read again in the worker (``None``: it cannot be)."""
        try:
            content = await original_bytes(self.runtime, record.received)
        except OriginalGone:
            return None
        return await self.runtime.worker(READ_ORIGINAL, content)


def router(desk: Desk, runtime: Runtime, page: InvoicePage) -> APIRouter:
    """The invoice page and its original."""
    pages = desk_router()

    @pages.get("/rechnungen/{invoice_id}")
    async def invoice(
        request: Request, invoice_id: UUID, clerk: Identity = InvoiceStaff
    ) -> Response:
        """The invoice, whole."""
        return await page.render(request, clerk, invoice_id)

    async def original(clerk: Identity, invoice_id: UUID, inline: bool) -> Response:
        received = (await page.record(clerk, invoice_id)).received
        if inline and received.kind != "pdf":
            raise NOT_FOUND
        try:
            content = await original_bytes(runtime, received)
        except OriginalGone:
            raise GONE from None
        name = (
            f"rechnung-{re.sub(r'[^A-Za-z0-9._-]+', '_', received.invoice_number)}.{received.kind}"
        )
        media = "application/pdf" if received.kind == "pdf" else "application/xml"
        return document_response(content, name, media, inline)

    @pages.get("/rechnungen/{invoice_id}/original")
    async def download(invoice_id: UUID, clerk: Identity = InvoiceStaff) -> Response:
        """The original as the supplier sent it, to save."""
        return await original(clerk, invoice_id, inline=False)

    @pages.get("/rechnungen/{invoice_id}/original/ansicht")
    async def shown(invoice_id: UUID, clerk: Identity = InvoiceStaff) -> Response:
        """A PDF original, shown in the invoice's page."""
        return await original(clerk, invoice_id, inline=True)

    return pages
