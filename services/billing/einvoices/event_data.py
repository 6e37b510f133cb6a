"""The data the check read, as ``IncomingInvoiceReceived`` carries it (pure).

The check's model (``verdict.InvoiceData``) is billing's inner interface and may grow; the
event is a contract others read, so it is built field by field here, and the seller's
contact and the account to pay go into the personal fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from contracts.events.casework import DocumentRef
from contracts.events.einvoices import (
    Channel,
    Discount,
    IncomingInvoiceReceived,
    InvoiceFinding,
    InvoiceLineRead,
    PaymentAccount,
    SellerContact,
    VatSubtotal,
)
from services.billing.einvoices.verdict import InvoiceData


def _contact(data: InvoiceData) -> SellerContact | None:
    seller = data.seller
    contact = SellerContact(
        street=seller.street,
        postcode=seller.postcode,
        city=seller.city,
        country=seller.country,
        email=seller.email,
    )
    return contact if contact != SellerContact() else None


def _account(data: InvoiceData) -> PaymentAccount | None:
    if not data.iban:
        return None
    return PaymentAccount(iban="".join(data.iban.split()).upper(), bic=data.bic)


def received_event(
    data: InvoiceData,
    *,
    invoice_id: UUID,
    channel: Channel,
    town: str,
    leitweg_id: str,
    received_at: datetime,
    original: DocumentRef,
    report: DocumentRef,
    kind: Literal["xml", "pdf"],
    rules: str,
    findings: list[InvoiceFinding],
    duplicate_of: UUID | None,
    mailed_to: str | None,
    routing_note: str | None,
) -> IncomingInvoiceReceived:
    """The event announcing a received, routed invoice."""
    discount = data.discount
    return IncomingInvoiceReceived(
        invoice_id=invoice_id,
        channel=channel,
        town=town,
        leitweg_id=leitweg_id,
        received_at=received_at,
        original=original,
        report=report,
        kind=kind,
        syntax=data.syntax,
        type_code=data.type_code,
        invoice_number=data.invoice_number,
        issue_date=data.issue_date,
        currency=data.currency,
        order_reference=data.order_reference,
        seller_name=data.seller.name,
        seller_vat_id=data.seller.vat_id,
        seller_tax_number=data.seller.tax_number,
        seller_contact=_contact(data),
        buyer_name=data.buyer.name,
        lines=[InvoiceLineRead.model_validate(line.model_dump()) for line in data.lines],
        vat_breakdown=[VatSubtotal.model_validate(v.model_dump()) for v in data.vat_breakdown],
        line_total=data.line_total,
        allowance_total=data.allowance_total,
        charge_total=data.charge_total,
        tax_exclusive=data.tax_exclusive,
        tax_total=data.tax_total,
        tax_inclusive=data.tax_inclusive,
        prepaid=data.prepaid,
        payable=data.payable,
        due_date=data.due_date,
        payment_terms=data.payment_terms,
        discount=Discount.model_validate(discount.model_dump()) if discount else None,
        payment_account=_account(data),
        rules=rules,
        findings=[f for f in findings if f.severity != "fatal"],
        duplicate_of=duplicate_of,
        mailed_to=mailed_to,
        routing_note=routing_note,
    )
