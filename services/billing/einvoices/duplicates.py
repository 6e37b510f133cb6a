"""When two incoming invoices are the same invoice: same seller, invoice number and amount (pure).

A supplier who hears nothing sends again, by another channel or a week later; paying both is
the classic loss. The same invoice is recognised by who issued it, its number (BT-1) and the
amount to pay (BT-115). The seller is named, most reliably first, by their VAT id (BT-31),
their tax number (BT-32) or, lacking both, their name (BT-27) — spaces and case aside, since
the same supplier's software may write either. A credit note with the same number as an
invoice is another document (its type code is part of the key).

The second one is received, flagged with the first's id and recorded, and never queued for
payment. An invoice refused earlier does not count: a corrected resend must pass.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from services.billing.einvoices.verdict import InvoiceData


def _squeezed(text: str) -> str:
    return "".join(text.split()).upper()


def seller_identity(data: InvoiceData) -> str:
    """The seller as compared: ``vat:…``, ``tax:…`` or ``name:…``."""
    seller = data.seller
    if seller.vat_id and seller.vat_id.strip():
        return f"vat:{_squeezed(seller.vat_id)}"
    if seller.tax_number and seller.tax_number.strip():
        return f"tax:{_squeezed(seller.tax_number)}"
    return f"name:{_squeezed(seller.name)}"


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def duplicate_key(data: InvoiceData) -> str:
    """One invoice's identity for the duplicate rule (a SHA-256, safe to index and log)."""
    parts = (
        seller_identity(data),
        _squeezed(data.invoice_number),
        data.type_code.strip(),
        data.currency.strip().upper(),
        _amount(data.payable),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
