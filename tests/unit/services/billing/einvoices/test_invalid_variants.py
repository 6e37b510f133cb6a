"""Each variant of a valid invoice with one thing wrong is rejected with the rule that says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.billing.einvoices.check import check_invoice
from tests.unit.services.billing.einvoices.suite import CII_BASE, UBL_BASE
from tests.unit.services.billing.einvoices.variants import (
    NS,
    Change,
    removed,
    set_to,
    unknown_element_after,
    variant,
)

UBL_LINE_CATEGORY = "/*/cac:InvoiceLine[1]/cac:Item/cac:ClassifiedTaxCategory/cbc:ID"
CII_LINE_CATEGORY = (
    "//ram:IncludedSupplyChainTradeLineItem[1]/ram:SpecifiedLineTradeSettlement"
    "/ram:ApplicableTradeTax/ram:CategoryCode"
)
CII_SUMS = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation"
VARIANTS: list[tuple[str, Path, Change, set[str]]] = [
    ("UBL ohne Leitweg-ID", UBL_BASE, removed("/*/cbc:BuyerReference"), {"BR-DE-15"}),
    ("CII ohne Leitweg-ID", CII_BASE, removed("//ram:BuyerReference"), {"BR-DE-15"}),
    (
        "UBL fälliger Betrag falsch",
        UBL_BASE,
        set_to("/*/cac:LegalMonetaryTotal/cbc:PayableAmount", "346.90"),
        {"BR-CO-16", "RC-CALC-09"},
    ),
    (
        "CII fälliger Betrag falsch",
        CII_BASE,
        set_to(f"{CII_SUMS}/ram:DuePayableAmount", "346.90"),
        {"BR-CO-16", "RC-CALC-09"},
    ),
    (
        "UBL Summe der Positionen falsch",
        UBL_BASE,
        set_to("/*/cac:LegalMonetaryTotal/cbc:LineExtensionAmount", "324.86"),
        {"BR-CO-10", "RC-CALC-01"},
    ),
    (
        "CII Summe der Positionen falsch",
        CII_BASE,
        set_to(f"{CII_SUMS}/ram:LineTotalAmount", "324.86"),
        {"BR-CO-10", "RC-CALC-01"},
    ),
    (
        "UBL Umsatzsteuer gesamt falsch",
        UBL_BASE,
        set_to("/*/cac:TaxTotal/cbc:TaxAmount", "23.04"),
        {"BR-CO-14", "RC-CALC-07"},
    ),
    (
        "UBL Position mit falscher Umsatzsteuerkategorie",
        UBL_BASE,
        set_to(UBL_LINE_CATEGORY, "Z"),
        {"BR-Z-05", "RC-CALC-05"},
    ),
    (
        "CII Position mit falscher Umsatzsteuerkategorie",
        CII_BASE,
        set_to(CII_LINE_CATEGORY, "Z"),
        {"BR-Z-05", "RC-CALC-05"},
    ),
    (
        "UBL unbekannte Umsatzsteuerkategorie",
        UBL_BASE,
        set_to(UBL_LINE_CATEGORY, "X"),
        {"BR-CL-18"},
    ),
    (
        "UBL unbekanntes Element",
        UBL_BASE,
        unknown_element_after("/*/cbc:ID", NS["cbc"]),
        {"RC-SCHEMA-01"},
    ),
    (
        "CII unbekanntes Element",
        CII_BASE,
        unknown_element_after("//rsm:ExchangedDocument/ram:ID", NS["ram"]),
        {"RC-SCHEMA-01"},
    ),
]


@pytest.mark.parametrize(
    ("label", "base", "change", "expected"), VARIANTS, ids=[v[0] for v in VARIANTS]
)
def test_the_variant_is_rejected_with_the_expected_rules(
    label: str, base: Path, change: Change, expected: set[str]
) -> None:
    assert check_invoice(base.read_bytes()).accepted  # the base is valid: the change is the cause
    verdict = check_invoice(variant(base, change))
    fatal = {f.rule_id for f in verdict.findings if f.severity == "fatal"}
    assert not verdict.accepted
    assert expected <= fatal, fatal


def test_a_schema_violation_ends_the_check_before_the_rules() -> None:
    verdict = check_invoice(variant(UBL_BASE, unknown_element_after("/*/cbc:ID", NS["cbc"])))
    assert {f.step for f in verdict.findings} == {"schema"}
    assert verdict.data is None
    (finding,) = verdict.findings
    assert "Unbekannt" in finding.message
    assert finding.message.startswith("Verstoß gegen das XML-Schema in Zeile")


def test_a_rule_finding_names_where_it_was_found() -> None:
    verdict = check_invoice(variant(UBL_BASE, removed("/*/cbc:BuyerReference")))
    (finding,) = [f for f in verdict.findings if f.rule_id == "BR-DE-15"]
    assert (finding.step, finding.severity, finding.location) == (
        "xrechnung",
        "fatal",
        "/Invoice[1]",
    )
    assert "Buyer reference" in finding.message


def test_our_sums_name_the_amounts() -> None:
    verdict = check_invoice(
        variant(UBL_BASE, set_to("/*/cac:LegalMonetaryTotal/cbc:PayableAmount", "346.90"))
    )
    (ours,) = verdict.failed("arithmetic")
    assert ours.message == (
        "Der fällige Betrag (BT-115) ist nicht Gesamtbetrag − Vorauszahlung + Rundung"
        " (+ Zahlungen an Dritte): angegeben 346,90 EUR, berechnet 336,90 EUR."
    )
    assert verdict.data is not None  # a rejected invoice is still read for the report
