"""The messages about a town's incoming e-invoices, in German (pure).

``invoice_rejection`` goes to the supplier, at the contact address the invoice gives: which
invoice, that it will not be paid, each reason, and what to do (send a corrected invoice, not
the same one again — it would be a duplicate). ``invoice_deadline_near`` goes to the town's
desk address: an invoice's discount date or due date is near.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.notify.domain.templates import Letterhead, Message, render

OFFICE = "Rechnungseingang"
"""How the town signs mails about invoices."""


def invoice_rejection(
    town: Letterhead,
    *,
    seller_name: str,
    invoice_number: str,
    reasons: list[str],
) -> Message:
    """Rechnung zurückgewiesen: the supplier's invoice is not paid, with every reason."""
    return render(
        "invoice_rejection",
        town,
        seller_name=seller_name,
        invoice_number=invoice_number,
        reasons=reasons,
    )


def invoice_deadline_near(
    town: Letterhead,
    *,
    kind: str,
    deadline: date,
    amount: Decimal,
    invoice_number: str,
    seller_name: str,
) -> Message:
    """Frist naht: an open invoice's discount date (``discount``) or due date (``due``), to
    the town's desk."""
    return render(
        "invoice_deadline_near",
        town,
        kind=kind,
        deadline=deadline,
        amount=amount,
        invoice_number=invoice_number,
        seller_name=seller_name,
    )
