"""The room's queue: the incoming invoices a clerk works on, the most urgent first.

``GET /desk/``             billing's home in the desk: leads to the queue
``GET /desk/rechnungen``   the invoices of the clerk's towns and of the towns that delegated
                           their invoice processing to them; ``?gemeinde=`` narrows to one
                           (a clerk of several towns, the service centre), ``?ansicht=``
                           ``offen`` (default), ``duplikate`` or ``alle``

Each row: seller, number, amount, due date and discount date — near or passed ones said in
words, not by colour alone — and the state.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from contracts.calendar import today
from runtime.auth import OPERATOR_ROLE, Identity
from runtime.desk import Desk, DeskRefusal, desk_role, desk_router
from runtime.service import Runtime
from services.billing.pages.invoice_records import town_invoices, visible_towns
from services.billing.pages.wording import date_state

QUEUE_PATH = "/desk/rechnungen"
STAFF_ROLES = ("clerk", "supervisor", "treasury", OPERATOR_ROLE)
"""Who works with incoming invoices (as at the JSON API)."""
InvoiceStaff = Depends(desk_role(*STAFF_ROLES))
VIEWS = {"offen": "offene Rechnungen", "duplikate": "Duplikate", "alle": "alle Rechnungen"}


def state_word(row: Any) -> str:
    """The invoice's state in a word: what is to be done next."""
    if row["duplicate_of"] is not None:
        return "Duplikat – wird nicht bezahlt"
    return STATES.get(status_of(row), STATES["received"])


def status_of(row: Any) -> str:
    """The approval status the read model keeps (``received`` where it keeps none)."""
    return str(dict(row.items()).get("status") or "received")


STATES = {
    "received": "Eingegangen – sachlich zu prüfen",
    "checked": "Sachlich richtig – Anordnung offen",
    "ordered": "Angeordnet – zweite Freigabe offen",
    "approved": "Freigegeben – zur Zahlung bereit",
    "released": "In Zahlungsdatei",
    "rejected": "Abgelehnt",
}
"""The approval statuses as the queue words them."""


def router(desk: Desk, runtime: Runtime) -> APIRouter:
    """``GET /desk/`` and ``GET /desk/rechnungen``."""
    pages = desk_router()

    @pages.get("/")
    async def home(clerk: Identity = InvoiceStaff) -> Response:
        """Billing's home in the desk is its one room so far."""
        return RedirectResponse(QUEUE_PATH, 303)

    @pages.get("/rechnungen")
    async def queue(
        request: Request, gemeinde: str = "", ansicht: str = "offen", clerk: Identity = InvoiceStaff
    ) -> Response:
        """The clerk's incoming invoices."""
        towns = await visible_towns(runtime, clerk)
        if gemeinde and gemeinde not in towns:
            raise DeskRefusal(
                404,
                "Nicht gefunden",
                "Für die Rechnungen dieser Gemeinde sind Sie nicht zuständig.",
            )
        view = ansicht if ansicht in VIEWS else "offen"
        rows = await town_invoices(runtime, [gemeinde] if gemeinde else towns)
        rows = [row for row in rows if _in_view(row, view)]
        day_now = today()
        context = {
            "towns": towns,
            "town": gemeinde,
            "view": view,
            "views": VIEWS,
            "rows": [
                {
                    "row": row,
                    "state": state_word(row),
                    "due": date_state(row["due_date"], day_now),
                    "discount": date_state(row["discount_until"], day_now, discount=True),
                }
                for row in rows
            ],
        }
        return desk.page(request, "rechnungen.html", context)

    return pages


def _in_view(row: Any, view: str) -> bool:
    duplicate = row["duplicate_of"] is not None
    if view == "duplikate":
        return duplicate
    if view == "offen":
        return not duplicate and status_of(row) not in ("rejected", "released")
    return True
