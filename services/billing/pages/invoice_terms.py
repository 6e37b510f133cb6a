"""Every business term of an incoming invoice, as the clerks' page shows it (pure).

Like the official KoSIT visualisation, the page reads the invoice in the order of EN 16931:
the document (BT-1 …), seller and buyer (BG-4, BG-7), the lines (BG-25), allowances and
charges on the document (BG-20, BG-21), the VAT breakdown (BG-23), the totals (BG-22) and
payment (BG-16, BG-17, BT-9, BT-20, Skonto). Each value is already worded in German here —
``1.234,56 €``, ``01.12.2026``, ``Umsatzsteuer zum Normalsatz (S)`` — so the template only
lays it out, and a unit test can read exactly what a clerk reads.

The data come from the original document read again (``InvoiceData``, every term the
readers know); if it cannot be read (its key erased), from the received event, which has
the terms billing pays by but not, e.g., the buyer's address (``from_event``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from contracts.events.einvoices import IncomingInvoiceReceived
from services.billing.einvoices.verdict import (
    EarlyPaymentDiscount,
    InvoiceData,
    InvoiceLine,
    Party,
    VatBreakdown,
)
from services.billing.pages.wording import (
    DOCUMENT_TYPES,
    SYNTAXES,
    VAT_CATEGORIES,
    code_word,
    day,
    iban,
    money,
    percent,
    quantity,
)


@dataclass(frozen=True)
class Term:
    """One business term: its German label, its EN 16931 id, its value in words."""

    label: str
    bt: str
    value: str


@dataclass(frozen=True)
class LineRow:
    """One invoice line (BG-25) as the lines table shows it."""

    line_id: str
    name: str
    quantity: str
    vat: str
    net: str


@dataclass(frozen=True)
class AllowanceRow:
    """An allowance (BG-20) or a charge (BG-21) on the whole document."""

    kind: str
    reason: str
    vat: str
    amount: str


@dataclass(frozen=True)
class VatRow:
    """One VAT category's subtotal (BG-23)."""

    category: str
    rate: str
    taxable: str
    tax: str


@dataclass(frozen=True)
class InvoiceTerms:
    """The invoice in sections, every value worded."""

    document: tuple[Term, ...]
    seller: tuple[Term, ...]
    buyer: tuple[Term, ...]
    lines: tuple[LineRow, ...]
    allowances: tuple[AllowanceRow, ...]
    vat: tuple[VatRow, ...]
    totals: tuple[Term, ...]
    payment: tuple[Term, ...]
    complete: bool
    """``False`` when read from the event only (some terms are not in it)."""


def _present(*terms: Term) -> tuple[Term, ...]:
    """Leave out the terms the invoice does not give."""
    return tuple(term for term in terms if term.value)


def _address(party: Party) -> str:
    street = party.street or ""
    town = " ".join(filter(None, (party.postcode, party.city)))
    return ", ".join(filter(None, (street, town, party.country)))


def party_terms(party: Party, group: str) -> tuple[Term, ...]:
    """Seller (``BG-4``) or buyer (``BG-7``): name, address, VAT id, tax number, e-mail."""
    seller = group == "BG-4"
    return _present(
        Term("Name", "BT-27" if seller else "BT-44", party.name),
        Term("Anschrift", "BG-5" if seller else "BG-8", _address(party)),
        Term(
            "Umsatzsteuer-Identifikationsnummer", "BT-31" if seller else "BT-48", party.vat_id or ""
        ),
        Term("Steuernummer", "BT-32", party.tax_number or "") if seller else Term("", "", ""),
        Term("E-Mail", "BT-43" if seller else "BT-58", party.email or ""),
    )


def _vat_of(category: str | None, rate: Decimal | None) -> str:
    return " ".join(filter(None, (category or "", percent(rate))))


def line_row(line: InvoiceLine, currency: str) -> LineRow:
    """One line: position, name, quantity with unit, VAT category and rate, net amount."""
    return LineRow(
        line.line_id,
        line.name,
        quantity(line.quantity, line.unit_code),
        _vat_of(line.vat_category, line.vat_rate),
        money(line.net_amount, currency),
    )


def vat_row(subtotal: VatBreakdown, currency: str) -> VatRow:
    """One VAT category: in words, its rate, the taxable amount and the tax."""
    return VatRow(
        code_word(VAT_CATEGORIES, subtotal.category),
        percent(subtotal.rate),
        money(subtotal.taxable_amount, currency),
        money(subtotal.tax_amount, currency),
    )


def discount_text(discount: EarlyPaymentDiscount, currency: str) -> str:
    """``2 % bei Zahlung innerhalb von 10 Tagen (bis 11.12.2026) auf 1.000,00 €``."""
    text = f"{percent(discount.percent)} bei Zahlung innerhalb von {discount.days} Tagen"
    if discount.until:
        text += f" (bis {day(discount.until)})"
    if discount.base_amount is not None:
        text += f" auf {money(discount.base_amount, currency)}"
    return text


def totals(data: InvoiceData) -> tuple[Term, ...]:
    """The document totals (BG-22), the optional ones only where the invoice gives them."""
    c = data.currency
    optional = (
        Term("Summe der Nachlässe", "BT-107", money(data.allowance_total, c)),
        Term("Summe der Zuschläge", "BT-108", money(data.charge_total, c)),
        Term("Bereits gezahlt", "BT-113", money(data.prepaid, c)),
        Term("Rundungsbetrag", "BT-114", money(data.rounding, c)),
        Term("Zahlungen an Dritte", "BT-DEX-002", money(data.third_party_payments, c)),
    )
    amounts = (
        data.allowance_total,
        data.charge_total,
        data.prepaid,
        data.rounding,
        data.third_party_payments,
    )
    shown = [term for term, amount in zip(optional, amounts, strict=True) if amount]
    return (
        Term("Summe der Positionen (netto)", "BT-106", money(data.line_total, c)),
        *shown[:2],
        Term("Gesamtbetrag ohne Umsatzsteuer", "BT-109", money(data.tax_exclusive, c)),
        Term("Umsatzsteuer", "BT-110", money(data.tax_total, c)),
        Term("Gesamtbetrag mit Umsatzsteuer", "BT-112", money(data.tax_inclusive, c)),
        *shown[2:],
        Term("Zu zahlender Betrag", "BT-115", money(data.payable, c)),
    )


def payment(data: InvoiceData) -> tuple[Term, ...]:
    """When and where to pay: due date, terms, every Skonto offered, the account."""
    discounts = data.discounts or ((data.discount,) if data.discount else ())
    return _present(
        Term("Fällig am", "BT-9", day(data.due_date)),
        Term("Zahlungsbedingungen", "BT-20", data.payment_terms or ""),
        *(Term("Skonto", "BT-20", discount_text(d, data.currency)) for d in discounts),
        Term("IBAN", "BT-84", iban(data.iban)),
        Term("BIC", "BT-86", data.bic or ""),
    )


def invoice_terms(data: InvoiceData, *, complete: bool = True) -> InvoiceTerms:
    """The whole invoice, worded for the page."""
    c = data.currency
    return InvoiceTerms(
        document=_present(
            Term("Rechnungsnummer", "BT-1", data.invoice_number),
            Term("Rechnungsdatum", "BT-2", day(data.issue_date)),
            Term("Rechnungsart", "BT-3", code_word(DOCUMENT_TYPES, data.type_code)),
            Term("Währung", "BT-5", data.currency),
            Term("Leitweg-ID (Käuferreferenz)", "BT-10", data.buyer_reference or ""),
            Term("Bestellnummer", "BT-13", data.order_reference or ""),
            Term("Format", "", SYNTAXES.get(data.syntax, data.syntax)),
        ),
        seller=party_terms(data.seller, "BG-4"),
        buyer=party_terms(data.buyer, "BG-7"),
        lines=tuple(line_row(line, c) for line in data.lines),
        allowances=tuple(
            AllowanceRow(
                "Zuschlag" if item.charge else "Nachlass",
                item.reason or "",
                _vat_of(item.vat_category, item.vat_rate),
                money(item.amount, c),
            )
            for item in data.allowances_charges
        ),
        vat=tuple(vat_row(subtotal, c) for subtotal in data.vat_breakdown),
        totals=totals(data),
        payment=payment(data),
        complete=complete,
    )


def from_event(event: IncomingInvoiceReceived) -> InvoiceData:
    """The terms the received event carries, as ``InvoiceData`` (the buyer's address and
    document allowances are not in it)."""
    contact, account, discount = event.seller_contact, event.payment_account, event.discount
    return InvoiceData(
        syntax=event.syntax,
        type_code=event.type_code,
        invoice_number=event.invoice_number,
        issue_date=event.issue_date,
        currency=event.currency,
        buyer_reference=event.leitweg_id,
        order_reference=event.order_reference,
        seller=Party(
            name=event.seller_name,
            vat_id=event.seller_vat_id,
            tax_number=event.seller_tax_number,
            **(contact.model_dump() if contact else {}),
        ),
        buyer=Party(name=event.buyer_name),
        lines=tuple(InvoiceLine(**line.model_dump()) for line in event.lines),
        vat_breakdown=tuple(VatBreakdown(**v.model_dump()) for v in event.vat_breakdown),
        line_total=event.line_total,
        allowance_total=event.allowance_total,
        charge_total=event.charge_total,
        tax_exclusive=event.tax_exclusive,
        tax_total=event.tax_total,
        tax_inclusive=event.tax_inclusive,
        prepaid=event.prepaid,
        payable=event.payable,
        due_date=event.due_date,
        payment_terms=event.payment_terms,
        iban=account.iban if account else None,
        bic=account.bic if account else None,
        discount=EarlyPaymentDiscount(**discount.model_dump()) if discount else None,
    )
