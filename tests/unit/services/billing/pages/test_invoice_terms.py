"""The clerks' invoice page words every business term in German: amounts ``1.234,56 €``,
dates ``01.12.2026``, code lists in words — read exactly as a clerk reads them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from services.billing.einvoices.verdict import (
    DocumentAllowanceCharge,
    EarlyPaymentDiscount,
    InvoiceData,
    InvoiceLine,
    Party,
    VatBreakdown,
)
from services.billing.pages.invoice_page import nested_report
from services.billing.pages.invoice_terms import Term, invoice_terms
from services.billing.pages.wording import date_state, german_number, iban, moment, money

INVOICE = InvoiceData(
    syntax="ubl-invoice",
    type_code="380",
    invoice_number="R-2026-0815",
    issue_date=date(2026, 12, 1),
    currency="EUR",
    buyer_reference="147290410410-0001-45",
    order_reference="B-77",
    seller=Party(
        name="Dachdeckerei Muster GmbH",
        vat_id="DE123456789",
        tax_number="201/113/40209",
        street="Lindenstraße 4",
        postcode="04808",
        city="Wurzen",
        country="DE",
        email="rechnung@muster.example",
    ),
    buyer=Party(
        name="Stadt Wurzen", street="Friedrich-Ebert-Str. 2", postcode="04808", city="Wurzen"
    ),
    lines=(
        InvoiceLine(
            line_id="1",
            name="Dachrinne erneuert",
            quantity=Decimal("12.5"),
            unit_code="MTR",
            net_amount=Decimal("1250.00"),
            vat_category="S",
            vat_rate=Decimal("19"),
        ),
    ),
    vat_breakdown=(
        VatBreakdown(
            category="S",
            rate=Decimal("19.00"),
            taxable_amount=Decimal("1234.56"),
            tax_amount=Decimal("234.57"),
        ),
    ),
    line_total=Decimal("1250.00"),
    allowance_total=Decimal("15.44"),
    allowances_charges=(
        DocumentAllowanceCharge(
            charge=False,
            amount=Decimal("15.44"),
            vat_category="S",
            vat_rate=Decimal("19"),
            reason="Treuerabatt",
        ),
    ),
    tax_exclusive=Decimal("1234.56"),
    tax_total=Decimal("234.57"),
    tax_inclusive=Decimal("1469.13"),
    payable=Decimal("1469.13"),
    due_date=date(2026, 12, 31),
    payment_terms="2 % Skonto bei Zahlung binnen 10 Tagen",
    iban="DE79000000001234567890",
    bic="MARKDEF1850",
    discount=EarlyPaymentDiscount(days=10, percent=Decimal("2.00"), until=date(2026, 12, 11)),
)


def values(terms: tuple[Term, ...]) -> dict[str, str]:
    return {term.bt: term.value for term in terms}


def test_amounts_dates_numbers_and_accounts_are_german() -> None:
    assert money(Decimal("1234.56")) == "1.234,56 €"
    assert money(Decimal("1234567.5")) == "1.234.567,50 €"
    assert money(Decimal("-0.5")) == "-0,50 €"
    assert money(Decimal("12"), "USD") == "12,00 USD"
    assert money(None) == ""
    assert german_number(Decimal("12.500")) == "12,5"
    assert german_number(Decimal("1000")) == "1.000"
    assert iban("DE79000000001234567890") == "DE79 0000 0000 1234 5678 90"
    assert moment(datetime(2026, 12, 1, 13, 5, tzinfo=UTC)) == "01.12.2026, 14:05 Uhr"


def test_every_section_of_the_invoice_is_worded() -> None:
    terms = invoice_terms(INVOICE)
    assert values(terms.document) == {
        "BT-1": "R-2026-0815",
        "BT-2": "01.12.2026",
        "BT-3": "Rechnung (380)",
        "BT-5": "EUR",
        "BT-10": "147290410410-0001-45",
        "BT-13": "B-77",
        "": "XRechnung, UBL 2.1 (Invoice)",
    }
    assert values(terms.seller) == {
        "BT-27": "Dachdeckerei Muster GmbH",
        "BG-5": "Lindenstraße 4, 04808 Wurzen, DE",
        "BT-31": "DE123456789",
        "BT-32": "201/113/40209",
        "BT-43": "rechnung@muster.example",
    }
    assert values(terms.buyer) == {
        "BT-44": "Stadt Wurzen",
        "BG-8": "Friedrich-Ebert-Str. 2, 04808 Wurzen",
    }
    [line] = terms.lines
    assert (line.quantity, line.vat, line.net) == ("12,5 m", "S 19 %", "1.250,00 €")
    [allowance] = terms.allowances
    assert (allowance.kind, allowance.reason, allowance.amount) == (
        "Nachlass",
        "Treuerabatt",
        "15,44 €",
    )
    [vat] = terms.vat
    assert (vat.category, vat.rate, vat.taxable, vat.tax) == (
        "Umsatzsteuer zum Normalsatz (S)",
        "19 %",
        "1.234,56 €",
        "234,57 €",
    )


def test_totals_show_the_optional_ones_only_where_given() -> None:
    assert [(t.bt, t.value) for t in invoice_terms(INVOICE).totals] == [
        ("BT-106", "1.250,00 €"),
        ("BT-107", "15,44 €"),
        ("BT-109", "1.234,56 €"),
        ("BT-110", "234,57 €"),
        ("BT-112", "1.469,13 €"),
        ("BT-115", "1.469,13 €"),
    ]


def test_payment_gives_due_date_skonto_and_account() -> None:
    assert [(t.label, t.value) for t in invoice_terms(INVOICE).payment] == [
        ("Fällig am", "31.12.2026"),
        ("Zahlungsbedingungen", "2 % Skonto bei Zahlung binnen 10 Tagen"),
        ("Skonto", "2 % bei Zahlung innerhalb von 10 Tagen (bis 11.12.2026)"),
        ("IBAN", "DE79 0000 0000 1234 5678 90"),
        ("BIC", "MARKDEF1850"),
    ]


def test_near_and_passed_dates_are_said_in_words() -> None:
    today = date(2026, 12, 10)
    assert date_state(date(2026, 12, 9), today).text == "überfällig"  # type: ignore[union-attr]
    assert date_state(date(2026, 12, 10), today).text == "heute fällig"  # type: ignore[union-attr]
    assert date_state(date(2026, 12, 12), today).text == "bald fällig"  # type: ignore[union-attr]
    assert date_state(date(2026, 12, 20), today) is None
    passed = date_state(date(2026, 12, 9), today, discount=True)
    assert passed is not None
    assert (passed.text, passed.css) == ("Skontofrist abgelaufen", "frist-ueberschritten")


def test_the_report_sits_one_heading_level_down() -> None:
    shown = nested_report('<section><h1 id="t">Prüfbericht</h1><h2>Befunde</h2></section>')
    assert str(shown) == '<section><h2 id="t">Prüfbericht</h2><h3>Befunde</h3></section>'
