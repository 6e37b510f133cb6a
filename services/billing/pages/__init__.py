"""billing's clerk pages (HTML): the room „Eingangsrechnungen“ of the common desk.

Casework's pages and these are one desk (``runtime.desk``): the same sign-in and session
cookie (sealed with the installation's ``RATHAUS_SESSION_SECRET``), the same look and the
navigation across services, where billing's area is „Rechnungen“ (``RATHAUS_DESK_BILLING_URL``
in the other services; here, billing's own ``/desk/``, which leads to the room).

- ``queue_page``: ``/desk/rechnungen``, the incoming invoices of the clerk's towns and of the
  towns that delegated their invoices to them;
- ``invoice_page``: ``/desk/rechnungen/{id}``, every business term, the check's report, the
  original (PDF shown, XML or PDF downloaded), the history and the approval block;
- ``invoice_actions``: the approval forms (sachlich richtig, Anordnung, zweite Freigabe,
  Ablehnung), each calling one of billing's approval commands (``invoice_approvals``);
- ``payment_files_page``: ``/desk/zahlungsdateien``, the treasury's pain.001 files
  (``credit_transfers.make_payment_file``) made and downloaded.

The pages read through ``invoice_records``; what they change, they change by the same
command functions as the JSON API, never by SQL of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from fastapi import APIRouter, FastAPI

from runtime.desk import Desk, DeskSettings
from runtime.desk.pages import Pages
from runtime.service import Runtime
from services.billing.pages import (
    invoice_actions,
    invoice_page,
    payment_files_page,
    queue_page,
)
from services.billing.pages.wording import day, moment, money, percent

TEMPLATES = Path(__file__).resolve().parent / "templates"


def add_filters(pages: Pages) -> None:
    """The German formats billing's templates use besides the shell's filters."""
    pages.environment.filters.update(datum=day, zeitpunkt=moment, euro=money, prozent=percent)


def desk_parts(runtime: Runtime) -> tuple[Sequence[APIRouter], Callable[[FastAPI], None]]:
    """The desk's routers (the shell's and billing's pages) and what installs it."""
    settings = runtime.settings
    assert isinstance(settings, DeskSettings)
    desk = Desk(settings, "billing", TEMPLATES)
    add_filters(desk.pages)
    page = invoice_page.InvoicePage(desk, runtime)
    return (
        desk.router(),
        queue_page.router(desk, runtime),
        invoice_page.router(desk, runtime, page),
        invoice_actions.router(desk, runtime, page),
        payment_files_page.router(desk, runtime),
    ), desk.install
