"""Step 5: do the invoice's sums add up? Our own check of the data billing will book.

The EN 16931 rules check the same sums (BR-CO-10 … BR-CO-16, BR-S-08/09 and their siblings);
ours guard what we read into billing and book, independent of the rule files in force, with
``Decimal`` on the amounts exactly as written. Each rule is a function named for what it
demands and returns its finding, or None. Sums must agree to the cent; a VAT amount computed
from its base and rate may differ by one cent (the standard leaves the rounding to the seller).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal

from services.billing.einvoices.verdict import Finding, InvoiceData, VatBreakdown

CENT = Decimal("0.01")
Rule = Callable[[InvoiceData], list[Finding]]


def money(value: Decimal, currency: str) -> str:
    """``Decimal("12829.69")`` → ``12.829,69 EUR``."""
    grouped = f"{value:,.2f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return f"{grouped} {currency}"


def _finding(rule_id: str, message: str, location: str | None = None) -> Finding:
    return Finding(
        step="arithmetic", rule_id=rule_id, severity="fatal", message=message, location=location
    )


def _sum_must_match(
    rule_id: str, stated: Decimal, parts: Iterable[Decimal], what: str, data: InvoiceData
) -> list[Finding]:
    computed = sum(parts, Decimal("0"))
    if computed == stated:
        return []
    return [
        _finding(
            rule_id,
            f"{what}: angegeben {money(stated, data.currency)}, berechnet"
            f" {money(computed, data.currency)}.",
        )
    ]


def line_total_is_sum_of_lines(data: InvoiceData) -> list[Finding]:
    """BT-106 = Σ BT-131."""
    return _sum_must_match(
        "RC-CALC-01",
        data.line_total,
        (line.net_amount for line in data.lines),
        "Die Summe der Nettobeträge der Positionen (BT-106) ist nicht die Summe der Positionen",
        data,
    )


def allowance_total_is_sum_of_allowances(data: InvoiceData) -> list[Finding]:
    """BT-107 = Σ BT-92."""
    return _sum_must_match(
        "RC-CALC-02",
        data.allowance_total,
        (ac.amount for ac in data.allowances_charges if not ac.charge),
        "Die Summe der Nachlässe auf Dokumentebene (BT-107) stimmt nicht",
        data,
    )


def charge_total_is_sum_of_charges(data: InvoiceData) -> list[Finding]:
    """BT-108 = Σ BT-99."""
    return _sum_must_match(
        "RC-CALC-03",
        data.charge_total,
        (ac.amount for ac in data.allowances_charges if ac.charge),
        "Die Summe der Zuschläge auf Dokumentebene (BT-108) stimmt nicht",
        data,
    )


def net_total_is_lines_less_allowances_plus_charges(data: InvoiceData) -> list[Finding]:
    """BT-109 = BT-106 − BT-107 + BT-108."""
    return _sum_must_match(
        "RC-CALC-04",
        data.tax_exclusive,
        (data.line_total, -data.allowance_total, data.charge_total),
        "Der Gesamtbetrag ohne Umsatzsteuer (BT-109) ist nicht Positionen − Nachlässe + Zuschläge",
        data,
    )


def _same_rate(a: Decimal | None, b: Decimal | None) -> bool:
    return (a or Decimal("0")) == (b or Decimal("0"))


def _category_base(data: InvoiceData, vat: VatBreakdown) -> Decimal:
    lines = sum(
        (
            line.net_amount
            for line in data.lines
            if line.vat_category == vat.category and _same_rate(line.vat_rate, vat.rate)
        ),
        Decimal("0"),
    )
    for ac in data.allowances_charges:
        if ac.vat_category == vat.category and _same_rate(ac.vat_rate, vat.rate):
            lines += ac.amount if ac.charge else -ac.amount
    return lines


def _category_name(vat: VatBreakdown) -> str:
    rate = "" if vat.rate is None else f" zu {vat.rate.normalize():f} %".replace(".", ",")
    return f"Umsatzsteuerkategorie {vat.category}{rate}"


def each_category_base_is_its_lines(data: InvoiceData) -> list[Finding]:
    """BT-116 of each category = its lines − its allowances + its charges."""
    found = []
    for vat in data.vat_breakdown:
        computed = _category_base(data, vat)
        if computed != vat.taxable_amount:
            found.append(
                _finding(
                    "RC-CALC-05",
                    f"{_category_name(vat)}: Der steuerpflichtige Betrag (BT-116) ist mit"
                    f" {money(vat.taxable_amount, data.currency)} angegeben, die Positionen,"
                    f" Nachlässe und Zuschläge der Kategorie ergeben"
                    f" {money(computed, data.currency)}.",
                )
            )
    return found


def each_category_tax_is_base_times_rate(data: InvoiceData) -> list[Finding]:
    """BT-117 = BT-116 × BT-119 / 100, to the cent (± 1 cent for the seller's rounding)."""
    found = []
    for vat in data.vat_breakdown:
        rate = vat.rate or Decimal("0")
        computed = (vat.taxable_amount * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        if abs(computed - vat.tax_amount) > CENT:
            found.append(
                _finding(
                    "RC-CALC-06",
                    f"{_category_name(vat)}: Der Steuerbetrag (BT-117) ist mit"
                    f" {money(vat.tax_amount, data.currency)} angegeben, der steuerpflichtige"
                    f" Betrag mal Steuersatz ergibt {money(computed, data.currency)}.",
                )
            )
    return found


def tax_total_is_sum_of_categories(data: InvoiceData) -> list[Finding]:
    """BT-110 = Σ BT-117."""
    return _sum_must_match(
        "RC-CALC-07",
        data.tax_total,
        (vat.tax_amount for vat in data.vat_breakdown),
        "Die Umsatzsteuer gesamt (BT-110) ist nicht die Summe der Steuerbeträge je Kategorie",
        data,
    )


def gross_total_is_net_plus_tax(data: InvoiceData) -> list[Finding]:
    """BT-112 = BT-109 + BT-110."""
    return _sum_must_match(
        "RC-CALC-08",
        data.tax_inclusive,
        (data.tax_exclusive, data.tax_total),
        "Der Gesamtbetrag mit Umsatzsteuer (BT-112) ist nicht Nettobetrag + Umsatzsteuer",
        data,
    )


def payable_is_gross_less_prepaid_plus_rounding(data: InvoiceData) -> list[Finding]:
    """BT-115 = BT-112 − BT-113 + BT-114 (+ third-party payments, XRechnung extension)."""
    return _sum_must_match(
        "RC-CALC-09",
        data.payable,
        (data.tax_inclusive, -data.prepaid, data.rounding, data.third_party_payments),
        "Der fällige Betrag (BT-115) ist nicht Gesamtbetrag − Vorauszahlung + Rundung"
        " (+ Zahlungen an Dritte)",
        data,
    )


RULES: tuple[Rule, ...] = (
    line_total_is_sum_of_lines,
    allowance_total_is_sum_of_allowances,
    charge_total_is_sum_of_charges,
    net_total_is_lines_less_allowances_plus_charges,
    each_category_base_is_its_lines,
    each_category_tax_is_base_times_rate,
    tax_total_is_sum_of_categories,
    gross_total_is_net_plus_tax,
    payable_is_gross_less_prepaid_plus_rounding,
)


def check_arithmetic(data: InvoiceData) -> list[Finding]:
    """Every sum that does not add up."""
    return [finding for rule in RULES for finding in rule(data)]
