"""The duplicate rule of incoming invoices: same seller, invoice number and amount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from services.billing.einvoices.duplicates import duplicate_key, seller_identity
from services.billing.einvoices.verdict import InvoiceData, Party


def invoice(**changes: Any) -> InvoiceData:
    seller = changes.pop("seller", Party(name="Bauhof Müller GmbH", vat_id="DE123456789"))
    values: dict[str, Any] = {
        "syntax": "ubl-invoice",
        "type_code": "380",
        "invoice_number": "R-2026-0815",
        "issue_date": date(2026, 11, 2),
        "currency": "EUR",
        "buyer_reference": "147290410410-0001-45",
        "seller": seller,
        "buyer": Party(name="Stadt Wurzen"),
        "lines": (),
        "vat_breakdown": (),
        "line_total": Decimal("100.00"),
        "tax_exclusive": Decimal("100.00"),
        "tax_total": Decimal("19.00"),
        "tax_inclusive": Decimal("119.00"),
        "payable": Decimal("119.00"),
    }
    values.update(changes)
    return InvoiceData(**values)


def test_the_same_invoice_sent_again_is_the_same_whatever_the_spelling() -> None:
    first = invoice()
    again = invoice(
        seller=Party(name="Bauhof Müller", vat_id=" de 123 456 789 "),
        invoice_number="r-2026-0815 ",
        payable=Decimal("119"),
        syntax="cii",
        issue_date=date(2026, 11, 9),
        buyer_reference="147290410410-0001-45 ",
    )
    assert duplicate_key(again) == duplicate_key(first)


def test_another_number_amount_seller_or_document_type_is_another_invoice() -> None:
    first = duplicate_key(invoice())
    assert duplicate_key(invoice(invoice_number="R-2026-0816")) != first
    assert duplicate_key(invoice(payable=Decimal("119.01"))) != first
    assert duplicate_key(invoice(seller=Party(name="Bauhof Müller GmbH", vat_id="DE9"))) != first
    assert duplicate_key(invoice(type_code="381")) != first  # a credit note of the same number
    assert duplicate_key(invoice(currency="CHF")) != first


def test_the_seller_is_known_by_vat_id_else_tax_number_else_name() -> None:
    assert seller_identity(invoice()) == "vat:DE123456789"
    by_tax = invoice(seller=Party(name="Müller", tax_number="231/123/45678"))
    assert seller_identity(by_tax) == "tax:231/123/45678"
    by_name = invoice(seller=Party(name="  Gärtnerei  Rosa Blume "))
    assert seller_identity(by_name) == "name:GÄRTNEREIROSABLUME"
    assert duplicate_key(by_name) == duplicate_key(
        invoice(seller=Party(name="Gärtnerei Rosa Blume"))
    )
