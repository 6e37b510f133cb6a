"""A fee as an XRechnung: it passes the check incoming invoices get, and the check reads back
the fee (amount, due date, Kassenzeichen, account, buyer reference, seller); what a business
typed is escaped; without a buyer reference our own code refuses it in German."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from contracts.events.billing import FeeAssessed
from contracts.fee_schedules import FeeLine, TownAccount
from contracts.procedures.e_invoice import EInvoiceRequest
from contracts.values import PostalAddress
from services.billing.einvoices.check import check_invoice
from services.billing.einvoices.fee_invoice import fee_invoice
from services.billing.einvoices.outgoing import (
    CUSTOMIZATION,
    NS_CBC,
    FeeInvoice,
    FeeInvoiceRefused,
    fee_invoice_xml,
)
from services.billing.einvoices.outgoing_check import checked_fee_invoice

WURZEN = {
    "ags": "14729410",
    "name": "Wurzen",
    "official_name": "Große Kreisstadt Wurzen",
    "kind": "Stadt",
    "email": "buergerservice@wurzen.rathauscloud.example",
    "phone": "+49 3425 0000-0",
    "leitweg_id": "147290410410-0001-45",
    "website": "https://www.wurzen.de",
    "address": {"street": "Friedrich-Ebert-Straße 2", "postcode": "04808", "city": "Wurzen"},
}
ACCOUNT = TownAccount(
    holder="Stadtkasse Wurzen", iban="DE51 8605 5592 0000 7294 10", bic="WELADE8LXXX"
)
REQUEST = EInvoiceRequest(
    buyer_name="Gerüstbau Zwetschgenbaum GmbH",
    buyer_address=PostalAddress(street="Am Gerüst 3", postcode="04109", city="Leipzig"),
    buyer_reference="991-01234-12",
    email="rechnungseingang@geruestbau.example",
)


def assessed(**changes: object) -> FeeAssessed:
    """A Sondernutzung's fee of three lines, one of them a twelfth (more than two places)."""
    fields: dict[str, object] = {
        "case_id": uuid4(),
        "procedure": "sondernutzungserlaubnis",
        "amount": Decimal("158.33"),
        "cash_reference": "14729410-2026-000042",
        "due_date": date(2027, 1, 4),
        "assessed_at": datetime(2026, 12, 1, 9, tzinfo=UTC),
        "lines": [
            FeeLine(
                what="Gerüst, 18 m² × 2 angefangene Wochen",
                quantity=Decimal("36"),
                unit="m² × Woche",
                rate=Decimal("2.50"),
                subtotal=Decimal("90.00"),
            ),
            FeeLine(
                what="Container, 1 Monat",
                quantity=Decimal("1"),
                unit="Monat",
                rate=Decimal("60.00"),
                subtotal=Decimal("60.00"),
            ),
            FeeLine(
                what="Werbeaufsteller, 1 von 12 Monaten",
                quantity=Decimal("1"),
                unit="Monate von 12",
                rate=Decimal("100.00"),
                subtotal=Decimal("8.3333333333"),
            ),
        ],
    }
    fields.update(changes)
    return FeeAssessed.model_validate(fields)


def invoice(fee: FeeAssessed | None = None, request: EInvoiceRequest = REQUEST) -> FeeInvoice:
    return fee_invoice(
        fee or assessed(),
        profile=WURZEN,
        office="Tiefbauamt",
        account=ACCOUNT,
        request=request,
        case_number="WUR-2026-000042",
        decided_at=datetime(2026, 11, 30, 15, tzinfo=UTC),
        issued_at=datetime(2026, 12, 1, 9, 5, tzinfo=UTC),
    )


def test_a_fee_of_several_lines_passes_the_check_and_reads_back_as_the_fee() -> None:
    fee = assessed()
    verdict = check_invoice(fee_invoice_xml(invoice(fee)))

    assert verdict.accepted, verdict.findings
    assert [f for f in verdict.findings if f.severity == "fatal"] == []
    data = verdict.data
    assert data is not None
    assert data.payable == fee.amount == Decimal("158.33")
    assert data.due_date == fee.due_date
    assert data.invoice_number == fee.cash_reference
    assert data.iban == "DE51860555920000729410"
    assert data.bic == "WELADE8LXXX"
    assert data.buyer_reference == "991-01234-12"
    assert data.seller.name == "Große Kreisstadt Wurzen"
    assert data.buyer.name == "Gerüstbau Zwetschgenbaum GmbH"
    assert data.currency == "EUR"
    assert data.type_code == "380"
    assert [line.net_amount for line in data.lines] == [
        Decimal("90.00"),
        Decimal("60.00"),
        Decimal("8.33"),
    ]
    assert {line.vat_category for line in data.lines} == {"O"}
    assert [(b.category, b.tax_amount) for b in data.vat_breakdown] == [("O", Decimal("0.00"))]


def test_the_rounded_lines_missing_the_fee_by_a_cent_are_made_up_by_the_rounding_amount() -> None:
    fee = assessed(
        amount=Decimal("16.67"),
        lines=[
            FeeLine(
                what=f"Teil {n}",
                quantity=Decimal("1"),
                unit="Monate von 12",
                rate=Decimal("100.00"),
                subtotal=Decimal("8.3333333333"),
            )
            for n in (1, 2)
        ],
    )
    verdict = check_invoice(fee_invoice_xml(invoice(fee)))

    assert verdict.accepted, verdict.findings
    assert verdict.data is not None
    assert verdict.data.line_total == Decimal("16.66")
    assert verdict.data.rounding == Decimal("0.01")
    assert verdict.data.payable == Decimal("16.67")


def test_an_older_fee_without_lines_is_one_line_of_its_amount() -> None:
    fee = assessed(procedure="gewerbeanmeldung", amount=Decimal("24.00"), lines=[])
    verdict = check_invoice(fee_invoice_xml(invoice(fee)))

    assert verdict.accepted, verdict.findings
    assert verdict.data is not None
    assert [line.name for line in verdict.data.lines] == ["Gebühr: Gewerbeanmeldung"]


def test_what_the_business_typed_is_escaped_and_reads_back_unchanged() -> None:
    hostile = REQUEST.model_copy(
        update={
            "buyer_name": 'Bau <&"> GmbH ]]> <!-- x',
            "buyer_reference": "<Ref & 'Co'>",
            "buyer_address": PostalAddress(
                street="<cbc:ID>Evil</cbc:ID> & Co", postcode="04109", city="Leipzig"
            ),
        }
    )
    xml = fee_invoice_xml(invoice(request=hostile))

    assert b'Bau &lt;&amp;"&gt; GmbH ]]&gt; &lt;!-- x' in xml
    assert b"<cbc:ID>Evil" not in xml
    tree = etree.fromstring(xml)
    assert tree.findtext(f"{{{NS_CBC}}}BuyerReference") == "<Ref & 'Co'>"
    verdict = check_invoice(xml)
    assert verdict.accepted, verdict.findings
    assert verdict.data is not None
    assert verdict.data.buyer.name == 'Bau <&"> GmbH ]]> <!-- x'
    assert verdict.data.buyer.street == "<cbc:ID>Evil</cbc:ID> & Co"


def test_the_header_names_xrechnung_3_and_the_kassenzeichen_as_remittance() -> None:
    tree = etree.fromstring(fee_invoice_xml(invoice()))
    cbc = f"{{{NS_CBC}}}"

    assert tree.findtext(f"{cbc}CustomizationID") == CUSTOMIZATION
    assert tree.findtext(f"{cbc}ID") == "14729410-2026-000042"
    assert tree.findtext(f".//{cbc}PaymentMeansCode") == "58"
    assert tree.findtext(f".//{cbc}PaymentID") == "14729410-2026-000042"
    assert tree.findtext(f".//{cbc}TaxExemptionReason") == (
        "Nicht steuerbar (hoheitliche Tätigkeit, § 2b UStG)"
    )
    assert tree.findtext(f".//{cbc}ActualDeliveryDate") == "2026-11-30"
    endpoint = tree.find(f".//{cbc}EndpointID")
    assert endpoint is not None
    assert (endpoint.text, endpoint.get("schemeID")) == (WURZEN["email"], "EM")


@pytest.mark.parametrize("reference", [None, "", "   "])
def test_without_a_buyer_reference_our_own_code_refuses_before_building(
    reference: str | None,
) -> None:
    built = invoice()
    without = built.model_copy(
        update={"buyer": built.buyer.model_copy(update={"reference": reference})}
    )

    with pytest.raises(FeeInvoiceRefused) as refused:
        fee_invoice_xml(without)
    assert str(refused.value) == (
        "Für eine XRechnung fehlt die Käuferreferenz (Leitweg-ID oder Bestellzeichen des"
        " Rechnungsempfängers)."
    )


def test_the_worker_job_reports_what_the_check_finds_fatal() -> None:
    good = checked_fee_invoice(invoice())
    assert good.accepted
    assert good.fatal == ()

    built = invoice()
    # A seller without a phone breaks BR-DE-6: the job must say so, not pass it on.
    broken = built.model_copy(update={"seller": built.seller.model_copy(update={"phone": ""})})
    bad = checked_fee_invoice(broken)
    assert not bad.accepted
    assert any(line.startswith("BR-DE-6") for line in bad.fatal), bad.fatal
