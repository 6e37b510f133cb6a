"""All 86 invoices of the official KoSIT test suite are checked as the KoSIT validator checks
them and read correctly; four are rejected under the EN 16931 release in force, each for
exactly the rule the data README names (the decision is documented in the einvoices README).

The data read is compared with the file itself through XPath written here, independent of
billing's readers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from services.billing.einvoices.check import check_invoice, warm_up
from services.billing.einvoices.verdict import Verdict
from tests.unit.services.billing.einvoices.suite import INVOICES, name

REJECTED_BY_THE_EN_RELEASE_IN_FORCE = {
    "business-cases/extension/05.01a-INVOICE_ubl.xml": {"BR-CO-16"},
    "business-cases/extension/04.05a-INVOICE_uncefact.xml": {"BR-CL-21", "BR-CL-10"},
    "technical-cases/cvd/02.01a-cvd_INVOICE_ubl.xml": {"BR-CL-13"},
    "technical-cases/cvd/02.01a-cvd_INVOICE_uncefact.xml": {"BR-CL-13"},
}
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
UBL_TERMS = {
    "seller": "/*/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
    "buyer_reference": "/*/cbc:BuyerReference",
    "payable": "/*/cac:LegalMonetaryTotal/cbc:PayableAmount",
    "due_date": "(/*/cbc:DueDate | /*/cac:PaymentMeans/cbc:PaymentDueDate)[1]",
    "number": "/*/cbc:ID",
}
_SETTLEMENT = (
    "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
)
_AGREEMENT = (
    "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
)
CII_TERMS = {
    "seller": f"{_AGREEMENT}/ram:SellerTradeParty/ram:Name",
    "buyer_reference": f"{_AGREEMENT}/ram:BuyerReference",
    "payable": f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    "/ram:DuePayableAmount",
    "due_date": f"{_SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime"
    "/udt:DateTimeString",
    "number": "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID",
}


@pytest.fixture(scope="module")
def verdicts() -> dict[str, Verdict]:
    warm_up()
    return {name(path): check_invoice(path.read_bytes()) for path in INVOICES}


def test_the_suite_has_86_invoices_45_ubl_and_41_cii() -> None:
    assert len(INVOICES) == 86
    assert sum(p.name.endswith("_ubl.xml") for p in INVOICES) == 45


def test_every_invoice_is_accepted_except_four_each_with_exactly_its_rule(
    verdicts: dict[str, Verdict],
) -> None:
    rejected = {
        invoice: {f.rule_id for f in verdict.findings if f.severity == "fatal"}
        for invoice, verdict in verdicts.items()
        if not verdict.accepted
    }
    assert rejected == REJECTED_BY_THE_EN_RELEASE_IN_FORCE
    for invoice in REJECTED_BY_THE_EN_RELEASE_IN_FORCE:
        assert {f.step for f in verdicts[invoice].findings if f.severity == "fatal"} == {"en16931"}


def test_the_xrechnung_rules_flag_none_of_the_86(verdicts: dict[str, Verdict]) -> None:
    assert [i for i, v in verdicts.items() if v.failed("xrechnung")] == []


def test_every_verdict_names_the_rules_release(verdicts: dict[str, Verdict]) -> None:
    releases = {v.rules for v in verdicts.values()}
    assert len(releases) == 1
    assert releases.pop().startswith("EN16931 1.3.16 (2026-03-30)")


def expected_terms(path: Path) -> dict[str, str]:
    root = etree.parse(str(path)).getroot()
    terms = CII_TERMS if path.name.endswith("_uncefact.xml") else UBL_TERMS
    return {
        term: str(root.xpath(f"normalize-space({xpath})", namespaces=NS))
        for term, xpath in terms.items()
    }


def read_terms(verdict: Verdict) -> dict[str, str]:
    data = verdict.data
    assert data is not None
    due = data.due_date
    return {
        "seller": data.seller.name,
        "buyer_reference": data.buyer_reference or "",
        "payable": str(data.payable),
        "due_date": "" if due is None else due.isoformat(),
        "number": data.invoice_number,
    }


def normalised(terms: dict[str, str]) -> dict[str, str]:
    """The file's way of writing an amount or a date (``336.9``, ``20180413``) as ours."""
    due = terms["due_date"]
    if len(due) == 8 and due.isdigit():
        due = date(int(due[:4]), int(due[4:6]), int(due[6:])).isoformat()
    return {**terms, "payable": str(Decimal(terms["payable"])), "due_date": due}


@pytest.mark.parametrize("invoice", INVOICES, ids=name)
def test_the_data_is_read_as_the_file_says(invoice: Path, verdicts: dict[str, Verdict]) -> None:
    assert read_terms(verdicts[name(invoice)]) == normalised(expected_terms(invoice))


def test_the_amounts_add_up_in_every_invoice(verdicts: dict[str, Verdict]) -> None:
    assert [
        (i, v.failed("arithmetic")) for i, v in verdicts.items() if v.failed("arithmetic")
    ] == []
    assert all(v.data is not None and v.data.lines for v in verdicts.values())


def test_skonto_is_read_from_the_payment_terms(verdicts: dict[str, Verdict]) -> None:
    for syntax in ("ubl", "uncefact"):
        data = verdicts[f"business-cases/standard/01.10a-INVOICE_{syntax}.xml"].data
        assert data is not None
        offered = [(d.days, d.percent) for d in data.discounts]
        assert offered == [(7, Decimal("2.00")), (14, Decimal("1.00")), (30, Decimal("0.00"))]
        assert data.discount is not None
        assert (data.discount.days, data.discount.percent) == (7, Decimal("2.00"))
        assert data.discount.until == data.issue_date + timedelta(days=7)


def test_the_original_xml_is_kept_unchanged(verdicts: dict[str, Verdict]) -> None:
    for path in INVOICES[:5]:
        assert verdicts[name(path)].xml == path.read_bytes()
