"""The Hundesteuerbescheid: made from the assessment, worded, rendered — its instalments, the
direct debit's announcement without a GiroCode, or the GiroCode of the first instalment."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pypdfium2  # type: ignore[import-untyped]
import pytest
import zxingcpp

from contracts.events.billing import DogTaxAssessed, Instalment
from contracts.fee_schedules import FeeLine
from services.billing.notices import dog_tax_wording as wording
from services.billing.notices.dog_tax_notice import DogTaxNotice, Due, TaxedDog, dog_tax_notice
from services.billing.notices.dog_tax_pdf import render_dog_tax
from services.billing.notices.notice import Addressee
from tests.support.fee_notices import WURZEN
from tests.unit.services.billing.test_notice_pdf import PDFAID, catalog, data, text_of

ISSUED_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEEPER = Addressee("Hedwig Quirinus-Zwetschgenbaum", ("Domplatz 5", "04808 Wurzen"))
DOGS = (TaxedDog("Bello", "1"), TaxedDog("Rex", "2"))
CREDITOR = "DE38ZZZ14729410000"
ASSESSED = DogTaxAssessed(
    case_id=UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f11"),
    procedure="hundesteuer",
    amount=Decimal("252.00"),
    cash_reference="14729410-2027-000042",
    due_date=date(2027, 2, 15),
    assessed_at=ISSUED_AT,
    lines=[
        FeeLine(
            what="„Bello“, erster Hund, Januar bis Dezember",
            quantity=Decimal(12),
            unit="Monate von 12",
            rate=Decimal("84.00"),
            subtotal=Decimal("84.00"),
        ),
        FeeLine(
            what="„Rex“, zweiter Hund, Januar bis Dezember",
            quantity=Decimal(12),
            unit="Monate von 12",
            rate=Decimal("168.00"),
            subtotal=Decimal("168.00"),
        ),
    ],
    legal_basis="Hundesteuersatzung der Großen Kreisstadt Wurzen vom 12. Dezember 2024",
    year=2027,
    keeper_key="k-1",
    dogs=[UUID(int=1), UUID(int=2)],
    instalments=[
        Instalment(due=date(2027, 2, 15), amount=Decimal("63.00")),
        Instalment(due=date(2027, 5, 15), amount=Decimal("63.00")),
        Instalment(due=date(2027, 8, 15), amount=Decimal("63.00")),
        Instalment(due=date(2027, 11, 15), amount=Decimal("63.00")),
    ],
    direct_debit=False,
)
DEBITED = ASSESSED.model_copy(
    update={"direct_debit": True, "mandate_reference": "HST-14729410-2027-000042"}
)


def made(assessed: DogTaxAssessed = ASSESSED) -> DogTaxNotice:
    return dog_tax_notice(
        assessed, town=WURZEN, to=KEEPER, dogs=DOGS, creditor_id=CREDITOR, issued_at=ISSUED_AT
    )


def codes_on_page_one(pdf: bytes) -> list[list[str]]:
    page = pypdfium2.PdfDocument(pdf)[0]
    codes = zxingcpp.read_barcodes(page.render(scale=3).to_pil())
    return [code.bytes.decode("utf-8").split("\n") for code in codes]


def test_the_notice_takes_the_assessment_s_lines_total_and_instalments() -> None:
    notice = made()

    assert (notice.kassenzeichen, notice.year, notice.total) == (
        "14729410-2027-000042",
        2027,
        Decimal("252.00"),
    )
    assert [(line.label, line.months, line.amount) for line in notice.lines] == [
        ("„Bello“, erster Hund, Januar bis Dezember", Decimal(12), Decimal("84.00")),
        ("„Rex“, zweiter Hund, Januar bis Dezember", Decimal(12), Decimal("168.00")),
    ]
    assert notice.instalments[0] == Due(date(2027, 2, 15), Decimal("63.00"))
    assert len(notice.instalments) == 4
    assert not notice.direct_debit
    assert notice.creditor_id is None  # named only with a direct debit
    assert not notice.rounded_once


def test_a_direct_debit_needs_its_mandate_reference() -> None:
    assert made(DEBITED).mandate_reference == "HST-14729410-2027-000042"
    assert made(DEBITED).creditor_id == "DE38ZZZ14729410000"
    without = DEBITED.model_copy(update={"mandate_reference": None})
    assert not made(without).direct_debit  # nothing to collect with: asked to transfer


def test_instalments_must_add_up_to_the_year_s_tax() -> None:
    with pytest.raises(ValueError, match="add up"):
        replace(made(), instalments=(Due(date(2027, 2, 15), Decimal("63.00")),))


def test_shares_of_a_year_are_shown_to_the_cent_and_the_rounding_is_explained() -> None:
    seven = ASSESSED.model_copy(
        update={
            "amount": Decimal("49.00"),
            "lines": [
                FeeLine(
                    what="„Bello“, erster Hund, Juni bis Dezember",
                    quantity=Decimal(7),
                    unit="Monate von 12",
                    rate=Decimal("84.00"),
                    subtotal=Decimal("49.0000000000"),
                ),
            ],
            "instalments": [Instalment(due=date(2027, 8, 15), amount=Decimal("49.00"))],
        }
    )
    assert wording.rounding(made(seven)) is None
    thirds = seven.model_copy(
        update={
            "amount": Decimal("58.33"),
            "lines": [
                seven.lines[0].model_copy(
                    update={"rate": Decimal(100), "subtotal": Decimal("58.3333333333")}
                ),
                seven.lines[0].model_copy(
                    update={"rate": Decimal(0), "subtotal": Decimal(0), "what": "„Rex“, steuerfrei"}
                ),
            ],
            "instalments": [Instalment(due=date(2027, 8, 15), amount=Decimal("58.33"))],
        }
    )
    assert [line.amount for line in made(thirds).lines] == [Decimal("58.33"), Decimal("0.00")]
    assert wording.rounding(made(thirds)) is None  # 58.33 shown, 58.33 owed
    odd = thirds.model_copy(update={"amount": Decimal("116.67")})
    odd = odd.model_copy(
        update={
            "lines": [odd.lines[0], odd.lines[0]],
            "instalments": [Instalment(due=date(2027, 8, 15), amount=Decimal("116.67"))],
        }
    )
    assert "einmal kaufmännisch gerundet" in (wording.rounding(made(odd)) or "")


def test_the_wording_lists_dogs_instalments_and_how_to_pay() -> None:
    notice = made()

    assert wording.subject(notice) == "Hundesteuerbescheid für das Jahr 2027"
    assert wording.dogs(notice) == (
        "Ihre angemeldeten Hunde: „Bello“ (Steuermarke Nr. 1), „Rex“ (Steuermarke Nr. 2)."
    )
    assert wording.line_label(notice.lines[0]) == (
        "„Bello“, erster Hund, Januar bis Dezember: 12 von 12 Monaten zu 84,00 € jährlich"
    )
    assert wording.instalment_rows(notice) == [
        ("1. Rate, fällig am 15.02.2027", "63,00 €"),
        ("2. Rate, fällig am 15.05.2027", "63,00 €"),
        ("3. Rate, fällig am 15.08.2027", "63,00 €"),
        ("4. Rate, fällig am 15.11.2027", "63,00 €"),
    ]
    request = wording.payment_request(notice)
    assert "Kassenzeichens 14729410-2027-000042" in request
    assert "erste Rate (63,00 €, fällig am 15.02.2027)" in request
    debit = wording.payment_request(made(DEBITED))
    assert "per SEPA-Lastschrift von Ihrem Konto eingezogen" in debit
    assert "(Mandatsreferenz HST-14729410-2027-000042, Gläubiger-Identifikationsnummer" in debit
    assert "Sie brauchen nichts zu überweisen" in debit
    assert "Widerspruch" in wording.remedy(notice)
    assert "innerhalb eines Monats" in wording.remedy(notice)


def test_one_instalment_is_simply_due() -> None:
    single = ASSESSED.model_copy(
        update={"instalments": [Instalment(due=date(2027, 7, 1), amount=Decimal("252.00"))]}
    )
    assert wording.instalment_rows(made(single)) == [("Fällig am 01.07.2027", "252,00 €")]
    assert wording.girocode_caption(made(single)) == "Bezahlen mit GiroCode"


def test_the_pdf_lists_the_instalments_and_its_girocode_pays_the_first() -> None:
    pdf = render_dog_tax(made())
    text = text_of(pdf)

    for part in (
        "Hundesteuerbescheid für das Jahr 2027",
        "Hedwig Quirinus-Zwetschgenbaum",
        "14729410-2027-000042",
        "Steuermarke Nr. 1",
        "84,00 €",
        "168,00 €",
        "Hundesteuer 2027 252,00 €",
        "Fälligkeiten",
        "1. Rate, fällig am 15.02.2027 63,00 €",
        "4. Rate, fällig am 15.11.2027 63,00 €",
        "Rechtsbehelfsbelehrung",
        "GiroCode: erste Rate",
    ):
        assert part in text, part
    [code] = codes_on_page_one(pdf)
    assert code[:3] == ["BCD", "002", "1"]
    assert (code[5], code[6], code[7]) == (WURZEN.account.holder, WURZEN.account.iban, "EUR63")
    assert "14729410-2027-000042" in code


def test_a_direct_debit_is_announced_and_the_pdf_has_no_girocode() -> None:
    pdf = render_dog_tax(made(DEBITED))
    text = text_of(pdf)

    assert "Zahlung per SEPA-Lastschrift" in text
    assert "Mandatsreferenz HST-14729410-2027-000042" in text
    assert "1. Rate, fällig am 15.02.2027 63,00 €" in text
    assert "GiroCode" not in text
    assert codes_on_page_one(pdf) == []


def test_the_pdf_is_pdf_a_3b_and_the_same_notice_gives_the_same_bytes() -> None:
    pdf = render_dog_tax(made())
    description = ET.fromstring(data(catalog(pdf)["/Metadata"])).find(".//{*}Description")
    assert description is not None
    assert (
        description.findtext(f"{PDFAID}part"),
        description.findtext(f"{PDFAID}conformance"),
    ) == (
        "3",
        "B",
    )
    assert render_dog_tax(made()) == pdf
