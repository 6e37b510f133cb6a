"""A fee as an XRechnung: the UBL 2.1 Invoice a business payer asked for, beside its notice.

Pure: ``fee_invoice_xml(FeeInvoice) -> bytes``, no I/O. The document is built element by
element with lxml, so every value — above all what the applicant typed (the buyer's name,
address, reference) — is escaped by construction; nothing is put into a string template.

What the standard asks, and how a fee answers it:

- CIUS XRechnung 3.0 (``CUSTOMIZATION``) on the PEPPOL BIS billing process (``PROFILE``),
  type 380 (commercial invoice), EUR. The invoice number (BT-1) is the Kassenzeichen, the
  payment's remittance (BT-83) too, so a transfer is matched like one made from the notice.
- BT-10, the buyer reference, is mandatory in XRechnung (BR-DE-15): a public buyer's
  Leitweg-ID or a business's order reference. Missing, the invoice is refused here with a
  German reason before anything is built.
- Seller = the town: its official name (BT-27), its Leitweg-ID as seller identifier (BT-29;
  BR-CO-26 needs one of BT-29/30/31, and a sovereign fee has no VAT id), address, e-mail as
  electronic address (BT-34, scheme ``EM``) and the contact BR-DE-2/5/6/7 demand: the office,
  its phone, its e-mail.
- Buyer = the business as it asked: name, address, its e-mail as electronic address (BT-49).
- Payment means 58 (SEPA credit transfer) to the town's account (IBAN BT-84, holder BT-85,
  BIC BT-86); the due date (BT-9) and the terms in words (BT-20).
- VAT: a fee is the consideration of a sovereign act, not a taxable supply (§ 2b UStG), so
  every line is of category ``O`` ("not subject to VAT"): without a rate (BR-O-5), one VAT
  breakdown of category ``O`` with tax 0, the rate 0 XRechnung wants there (BR-DE-14) and the
  exemption reason (BR-O-10), no VAT ids.
- The day of the decision is the delivery date (BT-72), so the service is dated (BR-DE-TMP-32).
- Lines: one per line of the assessment (quantity 1, unit C62), its subtotal rounded to the
  cent. The assessment rounds once, on the total, so the rounded lines may miss the fee by a
  cent; the difference is the rounding amount (BT-114) and the payable amount (BT-115) is
  exactly the fee the notice demands.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree  # type: ignore[import-untyped,unused-ignore]
from pydantic import BaseModel, ConfigDict, Field

CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
INVOICE_TYPE = "380"
SEPA_CREDIT_TRANSFER = "58"
UNIT = "C62"
"""UN/ECE Rec. 20 "one": a fee line is one of its kind."""
OUTSIDE_SCOPE = "O"
EXEMPTION_REASON = "Nicht steuerbar (hoheitliche Tätigkeit, § 2b UStG)"

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP = {None: NS_INVOICE, "cac": NS_CAC, "cbc": NS_CBC}

CENT = Decimal("0.01")


class FeeInvoiceRefused(ValueError):
    """The fee cannot be an XRechnung as given; the message says why, in German."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Address(_Frozen):
    """A German postal address."""

    street: str
    postcode: str
    city: str
    country: str = "DE"


class Seller(_Frozen):
    """The town that invoices, and the office that answers questions about it."""

    name: str = Field(description="Official name, e.g. Große Kreisstadt Wurzen")
    leitweg_id: str
    address: Address
    email: str
    contact_name: str = Field(description="The competent office, e.g. Gewerbeamt")
    phone: str


class Buyer(_Frozen):
    """The business that asked for the invoice."""

    name: str
    address: Address
    email: str
    reference: str | None = Field(description="BT-10: Leitweg-ID or order reference")


class Account(_Frozen):
    """Where the fee is paid to."""

    holder: str
    iban: str
    bic: str


class Line(_Frozen):
    """One line of the fee: what, and its part of the amount (before the one rounding)."""

    name: str
    description: str | None = None
    amount: Decimal


class FeeInvoice(_Frozen):
    """Everything the XRechnung of one fee says."""

    cash_reference: str = Field(description="Kassenzeichen: invoice number and remittance")
    issue_date: date
    due_date: date
    service_date: date = Field(description="BT-72: the day of the decision the fee is for")
    amount: Decimal = Field(gt=0, description="The fee the notice demands, to the cent")
    currency: str = "EUR"
    note: str = Field(description="BT-22: what the fee is for, and that the notice prevails")
    payment_terms: str
    seller: Seller
    buyer: Buyer
    account: Account
    lines: tuple[Line, ...] = Field(min_length=1)


def fee_invoice_xml(invoice: FeeInvoice) -> bytes:
    """The fee as an XRechnung (UBL 2.1 Invoice, UTF-8); ``FeeInvoiceRefused`` when it cannot be
    one (no buyer reference, lines that do not add up to the fee)."""
    refusal = why_not_an_xrechnung(invoice)
    if refusal:
        raise FeeInvoiceRefused(refusal)
    root = etree.Element(f"{{{NS_INVOICE}}}Invoice", nsmap=NSMAP)
    _header(root, invoice)
    _seller(_el(_el(root, "cac", "AccountingSupplierParty"), "cac", "Party"), invoice.seller)
    _buyer(_el(_el(root, "cac", "AccountingCustomerParty"), "cac", "Party"), invoice.buyer)
    _el(_el(root, "cac", "Delivery"), "cbc", "ActualDeliveryDate", invoice.service_date.isoformat())
    _payment(root, invoice)
    lines = rounded_lines(invoice.lines)
    _totals(root, invoice, sum(lines, Decimal("0")))
    for number, (line, amount) in enumerate(zip(invoice.lines, lines, strict=True), start=1):
        _line(root, number, line, amount, invoice.currency)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def why_not_an_xrechnung(invoice: FeeInvoice) -> str | None:
    """Why the fee cannot be an XRechnung as given (``None``: it can), in German."""
    if not (invoice.buyer.reference or "").strip():
        return (
            "Für eine XRechnung fehlt die Käuferreferenz (Leitweg-ID oder Bestellzeichen des"
            " Rechnungsempfängers)."
        )
    difference = invoice.amount - sum(rounded_lines(invoice.lines), Decimal("0"))
    if abs(difference) >= Decimal("1.00"):
        return "Die Positionen der Gebühr ergeben nicht den festgesetzten Betrag."
    return None


def rounded_lines(lines: Sequence[Line]) -> list[Decimal]:
    """Each line's amount to the cent, half up (the line net amounts BT-131)."""
    return [line.amount.quantize(CENT, rounding=ROUND_HALF_UP) for line in lines]


def _el(parent: etree._Element, ns: str, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS_CAC if ns == 'cac' else NS_CBC}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _money(parent: etree._Element, tag: str, amount: Decimal, currency: str) -> None:
    _el(parent, "cbc", tag, f"{amount.quantize(CENT, rounding=ROUND_HALF_UP)}").set(
        "currencyID", currency
    )


def _header(root: etree._Element, invoice: FeeInvoice) -> None:
    _el(root, "cbc", "CustomizationID", CUSTOMIZATION)
    _el(root, "cbc", "ProfileID", PROFILE)
    _el(root, "cbc", "ID", invoice.cash_reference)
    _el(root, "cbc", "IssueDate", invoice.issue_date.isoformat())
    _el(root, "cbc", "DueDate", invoice.due_date.isoformat())
    _el(root, "cbc", "InvoiceTypeCode", INVOICE_TYPE)
    _el(root, "cbc", "Note", invoice.note)
    _el(root, "cbc", "DocumentCurrencyCode", invoice.currency)
    _el(root, "cbc", "BuyerReference", (invoice.buyer.reference or "").strip())


def _address(party: etree._Element, address: Address) -> None:
    postal = _el(party, "cac", "PostalAddress")
    _el(postal, "cbc", "StreetName", address.street)
    _el(postal, "cbc", "CityName", address.city)
    _el(postal, "cbc", "PostalZone", address.postcode)
    _el(_el(postal, "cac", "Country"), "cbc", "IdentificationCode", address.country)


def _seller(party: etree._Element, seller: Seller) -> None:
    _el(party, "cbc", "EndpointID", seller.email).set("schemeID", "EM")
    _el(_el(party, "cac", "PartyIdentification"), "cbc", "ID", seller.leitweg_id)
    _el(_el(party, "cac", "PartyName"), "cbc", "Name", seller.name)
    _address(party, seller.address)
    _el(_el(party, "cac", "PartyLegalEntity"), "cbc", "RegistrationName", seller.name)
    contact = _el(party, "cac", "Contact")
    _el(contact, "cbc", "Name", seller.contact_name)
    _el(contact, "cbc", "Telephone", seller.phone)
    _el(contact, "cbc", "ElectronicMail", seller.email)


def _buyer(party: etree._Element, buyer: Buyer) -> None:
    _el(party, "cbc", "EndpointID", buyer.email).set("schemeID", "EM")
    _address(party, buyer.address)
    _el(_el(party, "cac", "PartyLegalEntity"), "cbc", "RegistrationName", buyer.name)


def _payment(root: etree._Element, invoice: FeeInvoice) -> None:
    means = _el(root, "cac", "PaymentMeans")
    _el(means, "cbc", "PaymentMeansCode", SEPA_CREDIT_TRANSFER)
    _el(means, "cbc", "PaymentID", invoice.cash_reference)
    account = _el(means, "cac", "PayeeFinancialAccount")
    _el(account, "cbc", "ID", invoice.account.iban.replace(" ", ""))
    _el(account, "cbc", "Name", invoice.account.holder)
    _el(_el(account, "cac", "FinancialInstitutionBranch"), "cbc", "ID", invoice.account.bic)
    _el(_el(root, "cac", "PaymentTerms"), "cbc", "Note", invoice.payment_terms)


def _totals(root: etree._Element, invoice: FeeInvoice, lines_total: Decimal) -> None:
    currency = invoice.currency
    tax = _el(root, "cac", "TaxTotal")
    _money(tax, "TaxAmount", Decimal("0"), currency)
    subtotal = _el(tax, "cac", "TaxSubtotal")
    _money(subtotal, "TaxableAmount", lines_total, currency)
    _money(subtotal, "TaxAmount", Decimal("0"), currency)
    category = _el(subtotal, "cac", "TaxCategory")
    _el(category, "cbc", "ID", OUTSIDE_SCOPE)
    _el(category, "cbc", "Percent", "0")  # BR-DE-14 wants a rate in the breakdown, even of O
    _el(category, "cbc", "TaxExemptionReason", EXEMPTION_REASON)
    _el(_el(category, "cac", "TaxScheme"), "cbc", "ID", "VAT")
    total = _el(root, "cac", "LegalMonetaryTotal")
    _money(total, "LineExtensionAmount", lines_total, currency)
    _money(total, "TaxExclusiveAmount", lines_total, currency)
    _money(total, "TaxInclusiveAmount", lines_total, currency)
    if invoice.amount != lines_total:
        _money(total, "PayableRoundingAmount", invoice.amount - lines_total, currency)
    _money(total, "PayableAmount", invoice.amount, currency)


def _line(root: etree._Element, number: int, line: Line, amount: Decimal, currency: str) -> None:
    element = _el(root, "cac", "InvoiceLine")
    _el(element, "cbc", "ID", str(number))
    # A line that lowers the fee (a reduction) is one of its kind taken off: a price is
    # never negative (BR-27), so the quantity carries the sign.
    quantity = "-1" if amount < 0 else "1"
    _el(element, "cbc", "InvoicedQuantity", quantity).set("unitCode", UNIT)
    _money(element, "LineExtensionAmount", amount, currency)
    item = _el(element, "cac", "Item")
    if line.description:
        _el(item, "cbc", "Description", line.description)
    _el(item, "cbc", "Name", line.name)
    category = _el(item, "cac", "ClassifiedTaxCategory")
    _el(category, "cbc", "ID", OUTSIDE_SCOPE)
    _el(_el(category, "cac", "TaxScheme"), "cbc", "ID", "VAT")
    _money(_el(element, "cac", "Price"), "PriceAmount", abs(amount), currency)
