"""Wiring billing together."""

from __future__ import annotations

from pathlib import Path

from runtime.service import Runtime, ServiceParts
from services.billing import (
    correction_api,
    dog_tax_api,
    einvoice_api,
    einvoice_page,
    enforcement_api,
    finance_api,
    invoice_approval_api,
    payment_api,
    treasury_api,
)
from services.billing.api import router
from services.billing.configuration import apply_member_configuration
from services.billing.einvoices.receiving import warm_up_check
from services.billing.finance.closing import run_closing
from services.billing.invoice_deadlines import run_deadline_announcements
from services.billing.invoice_imap import run_invoice_imap
from services.billing.invoice_mail import run_invoice_mail
from services.billing.pages import desk_parts
from services.billing.projections import (
    amended_notices,
    claims,
    dog_register,
    dog_tax_notices,
    fee_assessment,
    fee_notices,
    fees,
    finance,
    incoming_invoices,
)
from services.billing.timers import run_timers


def build(runtime: Runtime) -> ServiceParts:
    """billing's parts, bound to ``runtime``."""
    desk_routers, install_desk = desk_parts(runtime)
    return ServiceParts(
        title="RathausCloud billing",
        projections=(
            fee_assessment.projection(runtime),
            fees.PROJECTION,
            fee_notices.projection(runtime),
            claims.PROJECTION,
            finance.PROJECTION,
            dog_register.projection(runtime),
            dog_tax_notices.projection(runtime),
            amended_notices.projection(runtime),
            incoming_invoices.PROJECTION,
        ),
        routers=(
            router(runtime),
            treasury_api.router(runtime),
            finance_api.router(runtime),
            enforcement_api.router(runtime),
            dog_tax_api.router(runtime),
            correction_api.router(runtime),
            payment_api.router(runtime),
            einvoice_api.router(runtime),
            invoice_approval_api.router(runtime),
            einvoice_page.router(runtime),
            *desk_routers,
        ),
        on_start=(apply_member_configuration,),
        migrations=Path(__file__).parent / "migrations",
        background=(
            run_closing,
            run_timers,
            run_invoice_mail,
            run_invoice_imap,
            warm_up_check,
            run_deadline_announcements,
        ),
        configure=(install_desk,),
    )
