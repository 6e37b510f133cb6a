"""The business terms of an XRechnung in UN/CEFACT CII D16B, read into ``InvoiceData``.

Paths follow the EN 16931 syntax binding for CII (CEN/TS 16931-3-3). The same reader serves a
CII taken out of a ZUGFeRD / Factur-X PDF.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.billing.einvoices.terms import (
    Unreadable,
    amount,
    cii_date,
    first_offered,
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
    VatBreakdown,
)

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
ZERO = Decimal("0")
TRADE = "rsm:SupplyChainTradeTransaction"
AGREEMENT = f"{TRADE}/ram:ApplicableHeaderTradeAgreement"
SETTLEMENT = f"{TRADE}/ram:ApplicableHeaderTradeSettlement"
SUMMATION = "ram:SpecifiedTradeSettlementHeaderMonetarySummation"
LINE_ITEM = "ram:IncludedSupplyChainTradeLineItem"


def _t(element: Any, path: str) -> str | None:
    return text(element, path, NS)


def read_cii(root: Any) -> InvoiceData:
    """The invoice data of a CrossIndustryInvoice (raises :class:`Unreadable`)."""
    settlement = root.find(SETTLEMENT, NS)
    if settlement is None or settlement.find(SUMMATION, NS) is None:
        raise Unreadable("Die Gesamtbeträge der Rechnung (BG-22) fehlen.")
    sums = settlement.find(SUMMATION, NS)
    issued = cii_date(
        _t(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"),
        "BT-2 Rechnungsdatum",
    )
    currency = required(_t(settlement, "ram:InvoiceCurrencyCode"), "BT-5 Währung")
    terms = _payment_terms(settlement)
    discounts = skonto(terms, issued)
    means = "ram:SpecifiedTradeSettlementPaymentMeans"
    return InvoiceData(
        syntax="cii",
        type_code=required(_t(root, "rsm:ExchangedDocument/ram:TypeCode"), "BT-3 Rechnungsart"),
        invoice_number=required(_t(root, "rsm:ExchangedDocument/ram:ID"), "BT-1 Rechnungsnummer"),
        issue_date=issued,
        currency=currency,
        buyer_reference=_t(root, f"{AGREEMENT}/ram:BuyerReference"),
        order_reference=_t(
            root, f"{AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"
        ),
        seller=_party(root.find(f"{AGREEMENT}/ram:SellerTradeParty", NS), "BT-27 Verkäufer"),
        buyer=_party(root.find(f"{AGREEMENT}/ram:BuyerTradeParty", NS), "BT-44 Käufer"),
        lines=tuple(_line(item) for item in root.findall(f"{TRADE}/{LINE_ITEM}", NS)),
        vat_breakdown=tuple(_vat(tax) for tax in settlement.findall("ram:ApplicableTradeTax", NS)),
        line_total=amount(_t(sums, "ram:LineTotalAmount"), "BT-106"),
        allowance_total=amount(_t(sums, "ram:AllowanceTotalAmount"), "BT-107", ZERO),
        charge_total=amount(_t(sums, "ram:ChargeTotalAmount"), "BT-108", ZERO),
        allowances_charges=tuple(
            _allowance_charge(ac)
            for ac in settlement.findall("ram:SpecifiedTradeAllowanceCharge", NS)
        ),
        tax_exclusive=amount(_t(sums, "ram:TaxBasisTotalAmount"), "BT-109"),
        tax_total=_tax_total(sums, currency),
        tax_inclusive=amount(_t(sums, "ram:GrandTotalAmount"), "BT-112"),
        prepaid=amount(_t(sums, "ram:TotalPrepaidAmount"), "BT-113", ZERO),
        rounding=amount(_t(sums, "ram:RoundingAmount"), "BT-114", ZERO),
        payable=amount(_t(sums, "ram:DuePayableAmount"), "BT-115"),
        due_date=optional_date(
            _t(settlement, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"),
            cii_date,
            "BT-9 Fälligkeitsdatum",
        ),
        payment_terms=terms,
        iban=_t(settlement, f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID")
        or _t(settlement, f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID"),
        bic=_t(settlement, f"{means}/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
        discount=first_offered(discounts),
        discounts=discounts,
    )  # fmt: skip


def _payment_terms(settlement: Any) -> str | None:
    found = settlement.findall("ram:SpecifiedTradePaymentTerms/ram:Description", NS)
    return "\n".join(d.text for d in found if d.text) or None


def _party(party: Any, term: str) -> Party:
    if party is None:
        raise Unreadable(f"Die Angabe {term} fehlt.")
    registrations = party.findall("ram:SpecifiedTaxRegistration/ram:ID", NS)
    vat = [r.text.strip() for r in registrations if r.get("schemeID") == "VA" and r.text]
    other = [r.text.strip() for r in registrations if r.get("schemeID") == "FC" and r.text]
    address = "ram:PostalTradeAddress"
    return Party(
        name=required(_t(party, "ram:Name"), term),
        vat_id=vat[0] if vat else None,
        tax_number=other[0] if other else None,
        street=_t(party, f"{address}/ram:LineOne"),
        postcode=_t(party, f"{address}/ram:PostcodeCode"),
        city=_t(party, f"{address}/ram:CityName"),
        country=_t(party, f"{address}/ram:CountryID"),
        email=_t(party, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"),
    )


def _line(item: Any) -> InvoiceLine:
    line_id = required(
        _t(item, "ram:AssociatedDocumentLineDocument/ram:LineID"), "BT-126 Positionsnummer"
    )
    quantity = item.find("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", NS)
    settlement = "ram:SpecifiedLineTradeSettlement"
    net = f"{settlement}/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
    tax = f"{settlement}/ram:ApplicableTradeTax"
    return InvoiceLine(
        line_id=line_id,
        name=_t(item, "ram:SpecifiedTradeProduct/ram:Name") or "",
        quantity=amount(
            None if quantity is None else quantity.text, f"BT-129 (Position {line_id})"
        ),
        unit_code=None if quantity is None else quantity.get("unitCode"),
        net_amount=amount(_t(item, net), f"BT-131 (Position {line_id})"),
        vat_category=_t(item, f"{tax}/ram:CategoryCode"),
        vat_rate=optional_decimal(_t(item, f"{tax}/ram:RateApplicablePercent")),
    )


def _tax_total(sums: Any, currency: str) -> Decimal:
    """BT-110: the TaxTotalAmount in the invoice currency (another may give BT-111)."""
    for total in sums.findall("ram:TaxTotalAmount", NS):
        if total.get("currencyID") in (None, currency) and total.text:
            return amount(total.text.strip(), "BT-110")
    return ZERO


def _vat(tax: Any) -> VatBreakdown:
    return VatBreakdown(
        category=required(_t(tax, "ram:CategoryCode"), "BT-118 Umsatzsteuerkategorie"),
        rate=optional_decimal(_t(tax, "ram:RateApplicablePercent")),
        taxable_amount=amount(_t(tax, "ram:BasisAmount"), "BT-116"),
        tax_amount=amount(_t(tax, "ram:CalculatedAmount"), "BT-117"),
    )


def _allowance_charge(element: Any) -> DocumentAllowanceCharge:
    return DocumentAllowanceCharge(
        charge=_t(element, "ram:ChargeIndicator/udt:Indicator") in ("true", "1"),
        amount=amount(_t(element, "ram:ActualAmount"), "BT-92/BT-99"),
        vat_category=_t(element, "ram:CategoryTradeTax/ram:CategoryCode"),
        vat_rate=optional_decimal(_t(element, "ram:CategoryTradeTax/ram:RateApplicablePercent")),
        reason=_t(element, "ram:Reason"),
    )
