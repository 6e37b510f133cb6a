"""What billing's check of an incoming e-invoice concludes.

The check runs the steps the official KoSIT validator runs (XML Schema, the CEN EN 16931 rules,
the XRechnung rules) after our own refusal of hostile input, and adds an arithmetic check of the
data read. Each step reports findings; any fatal finding rejects the invoice. Routing by the
Leitweg-ID is a separate verdict (an invoice can be valid and still not be ours).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

Step = Literal["input", "schema", "en16931", "xrechnung", "arithmetic"]
Severity = Literal["fatal", "warning", "information"]
Syntax = Literal["ubl-invoice", "ubl-creditnote", "cii"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Finding(_Frozen):
    """One failed rule: its id (e.g. BR-DE-15, BR-CO-10, or ours), severity and where."""

    step: Step
    rule_id: str
    severity: Severity
    message: str
    location: str | None = None


class Party(_Frozen):
    """Seller or buyer as the invoice names them (BG-4 / BG-7)."""

    name: str
    vat_id: str | None = None
    tax_number: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    email: str | None = None


class InvoiceLine(_Frozen):
    """One invoice line (BG-25)."""

    line_id: str
    name: str
    quantity: Decimal
    unit_code: str | None = None
    net_amount: Decimal
    vat_category: str | None = None
    vat_rate: Decimal | None = None


class VatBreakdown(_Frozen):
    """One VAT category's subtotal (BG-23)."""

    category: str
    rate: Decimal | None
    taxable_amount: Decimal
    tax_amount: Decimal


class DocumentAllowanceCharge(_Frozen):
    """A document-level allowance (BG-20) or charge (BG-21) and the VAT category it falls in."""

    charge: bool
    amount: Decimal
    vat_category: str | None = None
    vat_rate: Decimal | None = None
    reason: str | None = None


class EarlyPaymentDiscount(_Frozen):
    """Skonto as XRechnung writes it in the payment terms (#SKONTO#TAGE=…#PROZENT=…#)."""

    days: int
    percent: Decimal
    base_amount: Decimal | None = None
    until: date | None = None


class InvoiceData(_Frozen):
    """The business terms billing needs to route, check, approve and pay an invoice."""

    syntax: Syntax
    type_code: str
    invoice_number: str
    issue_date: date
    currency: str
    buyer_reference: str | None
    order_reference: str | None = None
    seller: Party
    buyer: Party
    lines: tuple[InvoiceLine, ...]
    vat_breakdown: tuple[VatBreakdown, ...]
    line_total: Decimal
    allowance_total: Decimal = Decimal("0")
    charge_total: Decimal = Decimal("0")
    allowances_charges: tuple[DocumentAllowanceCharge, ...] = ()
    tax_exclusive: Decimal
    tax_total: Decimal
    tax_inclusive: Decimal
    prepaid: Decimal = Decimal("0")
    rounding: Decimal = Decimal("0")
    third_party_payments: Decimal = Decimal("0")
    """Σ BT-DEX-002: what third parties collect with the payable amount (XRechnung extension,
    UBL only); BT-115 = BT-112 − BT-113 + BT-114 + this (BR-DEX-09)."""
    payable: Decimal
    due_date: date | None = None
    payment_terms: str | None = None
    iban: str | None = None
    bic: str | None = None
    discount: EarlyPaymentDiscount | None = None
    """The first Skonto offered (the earliest, usually the largest)."""
    discounts: tuple[EarlyPaymentDiscount, ...] = ()
    """Every Skonto offered, in the order of the payment terms."""


class Verdict(_Frozen):
    """The outcome of checking one received document."""

    accepted: bool
    kind: Literal["xml", "pdf"] | None
    findings: tuple[Finding, ...]
    data: InvoiceData | None = None
    xml: bytes | None = None
    rules: str

    def failed(self, step: Step) -> tuple[Finding, ...]:
        """The fatal findings of one step."""
        return tuple(f for f in self.findings if f.step == step and f.severity == "fatal")
