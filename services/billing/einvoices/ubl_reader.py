"""The business terms of an XRechnung in UBL 2.1 (Invoice or CreditNote), read into ``InvoiceData``.

Paths follow the EN 16931 syntax binding for UBL (CEN/TS 16931-3-2). A credit note names its
lines ``CreditNoteLine`` with a ``CreditedQuantity`` and carries its due date in the payment
means; otherwise the two documents are read alike.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.billing.einvoices.terms import (
    Unreadable,
    amount,
    first_offered,
    iso_date,
    optional_date,
    optional_decimal,
    required,
    skonto,
    text,
)
from services.billing.einvoices.verdict import (
    DocumentAllowanceCharge,
    InvoiceData,
    InvoiceLine,
    Party,
    Syntax,
    VatBreakdown,
)

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
ZERO = Decimal("0")
ACCOUNT = "cac:PaymentMeans/cac:PayeeFinancialAccount"


def _t(element: Any, path: str) -> str | None:
    return text(element, path, NS)


def read_ubl(root: Any, syntax: Syntax) -> InvoiceData:
    """The invoice data of a UBL Invoice or CreditNote (raises :class:`Unreadable`)."""
    credit = syntax == "ubl-creditnote"
    issued = iso_date(_t(root, "cbc:IssueDate"), "BT-2 Rechnungsdatum")
    currency = required(_t(root, "cbc:DocumentCurrencyCode"), "BT-5 Währung")
    totals = root.find("cac:LegalMonetaryTotal", NS)
    if totals is None:
        raise Unreadable("Die Gesamtbeträge der Rechnung (BG-22) fehlen.")
    terms = _payment_terms(root)
    discounts = skonto(terms, issued)
    due = _t(root, "cac:PaymentMeans/cbc:PaymentDueDate") if credit else _t(root, "cbc:DueDate")
    return InvoiceData(
        syntax=syntax,
        type_code=required(
            _t(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode"),
            "BT-3 Rechnungsart",
        ),
        invoice_number=required(_t(root, "cbc:ID"), "BT-1 Rechnungsnummer"),
        issue_date=issued,
        currency=currency,
        buyer_reference=_t(root, "cbc:BuyerReference"),
        order_reference=_t(root, "cac:OrderReference/cbc:ID"),
        seller=_party(root.find("cac:AccountingSupplierParty/cac:Party", NS), "BT-27 Verkäufer"),
        buyer=_party(root.find("cac:AccountingCustomerParty/cac:Party", NS), "BT-44 Käufer"),
        lines=tuple(_line(line, credit) for line in _lines(root, credit)),
        vat_breakdown=_vat_breakdown(root, currency),
        line_total=amount(_t(totals, "cbc:LineExtensionAmount"), "BT-106"),
        allowance_total=amount(_t(totals, "cbc:AllowanceTotalAmount"), "BT-107", ZERO),
        charge_total=amount(_t(totals, "cbc:ChargeTotalAmount"), "BT-108", ZERO),
        allowances_charges=tuple(
            _allowance_charge(ac) for ac in root.findall("cac:AllowanceCharge", NS)
        ),
        tax_exclusive=amount(_t(totals, "cbc:TaxExclusiveAmount"), "BT-109"),
        tax_total=_tax_total(root, currency),
        tax_inclusive=amount(_t(totals, "cbc:TaxInclusiveAmount"), "BT-112"),
        prepaid=amount(_t(totals, "cbc:PrepaidAmount"), "BT-113", ZERO),
        rounding=amount(_t(totals, "cbc:PayableRoundingAmount"), "BT-114", ZERO),
        third_party_payments=_third_party_payments(root),
        payable=amount(_t(totals, "cbc:PayableAmount"), "BT-115"),
        due_date=optional_date(due, iso_date, "BT-9 Fälligkeitsdatum"),
        payment_terms=terms,
        iban=_t(root, f"{ACCOUNT}/cbc:ID"),
        bic=_t(root, f"{ACCOUNT}/cac:FinancialInstitutionBranch/cbc:ID"),
        discount=first_offered(discounts),
        discounts=discounts,
    )  # fmt: skip


def _third_party_payments(root: Any) -> Decimal:
    """Σ BT-DEX-002 (the XRechnung extension's third-party payments)."""
    paid = root.findall("cac:PrepaidPayment/cbc:PaidAmount", NS)
    return sum((amount(p.text, "BT-DEX-002") for p in paid), ZERO)


def _payment_terms(root: Any) -> str | None:
    notes = [n.text for n in root.findall("cac:PaymentTerms/cbc:Note", NS) if n.text]
    return "\n".join(notes) or None


def _party(party: Any, term: str) -> Party:
    if party is None:
        raise Unreadable(f"Die Angabe {term} fehlt.")
    schemes = party.findall("cac:PartyTaxScheme", NS)
    vat = [s for s in schemes if _t(s, "cac:TaxScheme/cbc:ID") == "VAT"]
    other = [s for s in schemes if _t(s, "cac:TaxScheme/cbc:ID") != "VAT"]
    return Party(
        name=required(_t(party, "cac:PartyLegalEntity/cbc:RegistrationName"), term),
        vat_id=_t(vat[0], "cbc:CompanyID") if vat else None,
        tax_number=_t(other[0], "cbc:CompanyID") if other else None,
        street=_t(party, "cac:PostalAddress/cbc:StreetName"),
        postcode=_t(party, "cac:PostalAddress/cbc:PostalZone"),
        city=_t(party, "cac:PostalAddress/cbc:CityName"),
        country=_t(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
        email=_t(party, "cac:Contact/cbc:ElectronicMail"),
    )


def _lines(root: Any, credit: bool) -> list[Any]:
    return list(root.findall("cac:CreditNoteLine" if credit else "cac:InvoiceLine", NS))


def _line(line: Any, credit: bool) -> InvoiceLine:
    quantity = line.find("cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", NS)
    line_id = required(_t(line, "cbc:ID"), "BT-126 Positionsnummer")
    return InvoiceLine(
        line_id=line_id,
        name=_t(line, "cac:Item/cbc:Name") or "",
        quantity=amount(
            None if quantity is None else quantity.text, f"BT-129 (Position {line_id})"
        ),
        unit_code=None if quantity is None else quantity.get("unitCode"),
        net_amount=amount(_t(line, "cbc:LineExtensionAmount"), f"BT-131 (Position {line_id})"),
        vat_category=_t(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
        vat_rate=optional_decimal(_t(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent")),
    )


def _main_tax_total(root: Any, currency: str) -> Any:
    """The TaxTotal in the invoice currency (a second one may give BT-111 in the tax currency)."""
    for total in root.findall("cac:TaxTotal", NS):
        tax = total.find("cbc:TaxAmount", NS)
        if tax is not None and tax.get("currencyID") == currency:
            return total
    return None


def _tax_total(root: Any, currency: str) -> Decimal:
    total = _main_tax_total(root, currency)
    return ZERO if total is None else amount(_t(total, "cbc:TaxAmount"), "BT-110", ZERO)


def _vat_breakdown(root: Any, currency: str) -> tuple[VatBreakdown, ...]:
    total = _main_tax_total(root, currency)
    if total is None:
        return ()
    return tuple(
        VatBreakdown(
            category=required(_t(sub, "cac:TaxCategory/cbc:ID"), "BT-118 Umsatzsteuerkategorie"),
            rate=optional_decimal(_t(sub, "cac:TaxCategory/cbc:Percent")),
            taxable_amount=amount(_t(sub, "cbc:TaxableAmount"), "BT-116"),
            tax_amount=amount(_t(sub, "cbc:TaxAmount"), "BT-117"),
        )
        for sub in total.findall("cac:TaxSubtotal", NS)
    )


def _allowance_charge(element: Any) -> DocumentAllowanceCharge:
    return DocumentAllowanceCharge(
        charge=_t(element, "cbc:ChargeIndicator") in ("true", "1"),
        amount=amount(_t(element, "cbc:Amount"), "BT-92/BT-99"),
        vat_category=_t(element, "cac:TaxCategory/cbc:ID"),
        vat_rate=optional_decimal(_t(element, "cac:TaxCategory/cbc:Percent")),
        reason=_t(element, "cbc:AllowanceChargeReason"),
    )
