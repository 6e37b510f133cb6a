"""The fee notice as a PDF: its GiroCode decoded from the rendered page, its text read back,
and what makes it PDF/A-3b, checked in the file."""

from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pypdfium2  # type: ignore[import-untyped]
import pytest
import zxingcpp
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject, StreamObject

from services.billing.notices.notice import Addressee, BankAccount, FeeLine, FeeNotice, Signatory
from services.billing.notices.pdf import render
from tests.support.fee_notices import KRAUSE, NOTICE, SACHSE, WURZEN

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
XMP = "{http://ns.adobe.com/xap/1.0/}"


def notice(**changes: Any) -> FeeNotice:
    return replace(NOTICE, **changes)


def text_of(pdf: bytes) -> str:
    """The PDF's text, whitespace made single."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def dictionary(value: object) -> DictionaryObject:
    """A PDF dictionary (or stream), its reference followed."""
    resolved = value.get_object() if isinstance(value, PdfObject) else value
    assert isinstance(resolved, DictionaryObject)
    return resolved


def array(value: object) -> ArrayObject:
    """A PDF array, its reference followed."""
    resolved = value.get_object() if isinstance(value, PdfObject) else value
    assert isinstance(resolved, ArrayObject)
    return resolved


def data(value: object) -> bytes:
    """A PDF stream's decoded content."""
    resolved = dictionary(value)
    assert isinstance(resolved, StreamObject)
    return resolved.get_data()


def catalog(pdf: bytes) -> DictionaryObject:
    return dictionary(PdfReader(io.BytesIO(pdf)).trailer["/Root"])


def girocode_on_page_one(pdf: bytes) -> list[str]:
    """The fields of the one QR code on page 1, as a banking app's scanner reads them."""
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=3).to_pil()
    codes = zxingcpp.read_barcodes(image)
    assert [code.format for code in codes] == [zxingcpp.BarcodeFormat.QRCode]
    # The payload's own bytes, decoded as its character set field (1: UTF-8) says.
    return codes[0].bytes.decode("utf-8").split("\n")


@pytest.mark.parametrize(
    ("lines", "amount"),
    [
        ((FeeLine("Gebühr", Decimal("12.50")),), "EUR12.5"),
        ((FeeLine("Gebühr", Decimal("26.00")),), "EUR26"),
        ((FeeLine("Gebühr", Decimal("0.01")),), "EUR0.01"),
        (
            (FeeLine("Sondernutzung", Decimal("1208.45")), FeeLine("Auslagen", Decimal("26.05"))),
            "EUR1234.5",
        ),
        ((FeeLine("Gebühr", Decimal("999999999.99")),), "EUR999999999.99"),
    ],
)
def test_the_girocode_carries_every_epc_field(lines: tuple[FeeLine, ...], amount: str) -> None:
    fields = girocode_on_page_one(render(notice(lines=lines)))

    assert fields == [
        "BCD",  # service tag
        "002",  # version
        "1",  # character set: UTF-8
        "SCT",  # SEPA credit transfer
        "COBADEFFXXX",
        "Große Kreisstadt Wurzen",
        "DE89370400440532013000",
        amount,
        "",  # no purpose code
        "",  # no structured creditor reference …
        "5.0110.000017.9",  # … the Kassenzeichen as the remittance text
    ]
    assert re.fullmatch(r"EUR\d{1,9}(\.\d{1,2})?", fields[7])
    assert Decimal(fields[7].removeprefix("EUR")) == sum(line.amount for line in lines)


def test_the_girocode_pays_the_towns_own_account() -> None:
    augustusburg = replace(
        WURZEN,
        official_name="Stadt Augustusburg",
        account=BankAccount("Stadt Augustusburg", "DE02120300000000202051", "BYLADEM1001"),
    )

    fields = girocode_on_page_one(render(notice(letterhead=augustusburg)))

    assert fields[4:7] == ["BYLADEM1001", "Stadt Augustusburg", "DE02120300000000202051"]


def test_the_text_names_amount_due_date_kassenzeichen_and_addressee() -> None:
    text = text_of(render(notice(lines=(FeeLine("Gebühr", Decimal("1234.50")),))))

    for part in (
        "Große Kreisstadt Wurzen Stadtverwaltung Wurzen · Gewerbeamt",
        "Hedwig Quirinus-Zwetschgenbaum Domplatz 5 04808 Wurzen",
        "Kassenzeichen 5.0110.000017.9",
        "Vorgangsnummer WUR-2026-000017",
        "Datum 04.05.2026",
        "Fällig am 04.06.2026",
        "Gebührenbescheid – Gewerbeanmeldung",
        "über den am 04.05.2026 entschieden wurde",
        "Gebühr 1.234,50 € Gesamtbetrag 1.234,50 €",
        "Bitte überweisen Sie den Gesamtbetrag von 1.234,50 € bis zum 04.06.2026 unter Angabe"
        " des Kassenzeichens 5.0110.000017.9",
        "IBAN DE89 3704 0044 0532 0130 00",
        "BIC COBADEFFXXX",
        "Verwendungszweck 5.0110.000017.9",
        "Bezahlen mit GiroCode",
        "Rechtsgrundlage: §§ 1, 2 SächsVwKG i. V. m. der Verwaltungskostensatzung der Stadt"
        " Wurzen.",
        "keine aufschiebende Wirkung",
    ):
        assert part in text, part


def test_the_legal_remedy_notice_names_objection_period_and_the_towns_address() -> None:
    text = text_of(render(NOTICE))

    assert (
        "Rechtsbehelfsbelehrung Gegen diesen Bescheid kann innerhalb eines Monats nach seiner"
        " Bekanntgabe Widerspruch erhoben werden. Der Widerspruch ist schriftlich oder zur"
        " Niederschrift bei der Stadtverwaltung Wurzen, Friedrich-Ebert-Straße 2, 04808 Wurzen,"
        " einzulegen." in text
    )


def test_a_clerk_of_another_town_signs_im_auftrag_for_the_competent_town() -> None:
    text = text_of(render(notice(decided_by=SACHSE)))

    assert (
        "Mit freundlichen Grüßen Im Auftrag Petra Sachse Stadt Augustusburg für die Große"
        " Kreisstadt Wurzen Dieser Bescheid wurde maschinell erstellt" in text
    )


@pytest.mark.parametrize("decided_by", [None, KRAUSE], ids=["automation", "own-clerk"])
def test_without_another_towns_clerk_the_notice_has_no_im_auftrag(
    decided_by: Signatory | None,
) -> None:
    text = text_of(render(notice(decided_by=decided_by)))

    assert "Im Auftrag" not in text
    assert "Augustusburg" not in text
    assert (
        "Mit freundlichen Grüßen Große Kreisstadt Wurzen Dieser Bescheid wurde maschinell"
        " erstellt und ist ohne Unterschrift gültig." in text
    )


def test_large_amounts_and_several_lines_are_set_german_style() -> None:
    lines = (
        FeeLine("Sondernutzung: Gerüst, 48 m² × 92 Tage × 0,50 €", Decimal("2208.00"), "Nr. 7.2"),
        FeeLine("Auslagen", Decimal("123456789.12")),
        FeeLine("Zustellung", Decimal("3.45")),
    )

    pdf = render(notice(lines=lines))
    text = text_of(pdf)

    assert "Sondernutzung: Gerüst, 48 m² × 92 Tage × 0,50 € (Nr. 7.2) 2.208,00 €" in text
    assert "Auslagen 123.456.789,12 €" in text
    assert "Zustellung 3,45 €" in text
    assert "Gesamtbetrag 123.459.000,57 €" in text
    assert girocode_on_page_one(pdf)[7] == "EUR123459000.57"


def test_names_with_umlauts_and_central_european_letters_render(
    caplog: pytest.LogCaptureFixture,
) -> None:
    names = Addressee(
        "Jürgen Größler-Öztürk und Łucja Świątek-Dvořák",
        ("Äußere Weißenfelser Straße 7", "04808 Wurzen-Nemt"),
    )

    with caplog.at_level(logging.WARNING):
        text = text_of(render(notice(addressee=names)))

    assert "Jürgen Größler-Öztürk und Łucja Świątek-Dvořák" in text
    assert "Äußere Weißenfelser Straße 7 04808 Wurzen-Nemt" in text
    assert not [record for record in caplog.records if "missing" in record.getMessage()]


def test_a_letter_the_typeface_lacks_prints_as_its_base_letter(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        text = text_of(render(notice(addressee=Addressee("Nguyễn Thị Minh Khai"))))

    assert "Nguyen Thi Minh Khai" in text  # PT Sans has neither ễ nor ị
    assert not [record for record in caplog.records if "missing" in record.getMessage()]


def test_an_amending_notice_names_the_one_it_replaces() -> None:
    text = text_of(render(notice(kassenzeichen="5.0110.000018.7", replaces="5.0110.000017.9")))

    assert "Geänderter Gebührenbescheid – Gewerbeanmeldung" in text
    assert "ersetzt den Gebührenbescheid mit dem Kassenzeichen 5.0110.000017.9" in text


def test_the_xmp_metadata_identifies_pdf_a_3b_with_the_notices_own_dates() -> None:
    metadata = data(catalog(render(NOTICE))["/Metadata"])
    description = ET.fromstring(metadata).find(".//{*}Description")
    assert description is not None

    assert description.findtext(f"{PDFAID}part") == "3"
    assert description.findtext(f"{PDFAID}conformance") == "B"
    for stamp in ("CreateDate", "ModifyDate", "MetadataDate"):
        assert description.findtext(f"{XMP}{stamp}") == "2026-05-04T10:00:00+02:00"
    title = description.findtext(".//{*}title/{*}Alt/{*}li")
    assert title == "Gebührenbescheid – Gewerbeanmeldung (Kassenzeichen 5.0110.000017.9)"
    assert re.fullmatch(r"uuid:[0-9a-f-]{36}", description.findtext(".//{*}DocumentID") or "")


def test_the_file_is_pdf_1_7_with_an_srgb_output_intent_and_an_id() -> None:
    pdf = render(NOTICE)
    intents = array(catalog(pdf)["/OutputIntents"])

    assert pdf.startswith(b"%PDF-1.7\n%")
    assert max(pdf[10:14]) > 127  # the binary comment right after the header
    assert len(intents) == 1
    intent = dictionary(intents[0])
    assert str(intent["/S"]) == "/GTS_PDFA1"
    profile = dictionary(intent["/DestOutputProfile"])
    icc = data(profile)
    assert str(profile["/N"]) == "3"  # components: R, G, B
    assert icc[36:40] == b"acsp"  # an ICC profile …
    assert icc[16:20] == b"RGB "  # … of an RGB colour space
    assert len(array(PdfReader(io.BytesIO(pdf)).trailer["/ID"])) == 2


def test_every_font_is_embedded() -> None:
    reader = PdfReader(io.BytesIO(render(notice(decided_by=SACHSE))))
    fonts = [
        dictionary(font)
        for page in reader.pages
        for font in dictionary(dictionary(page["/Resources"])["/Font"]).values()
    ]

    assert {str(font["/BaseFont"]) for font in fonts} == {"/MPDFAA+PTSans", "/MPDFAA+PTSansBold"}
    for font in fonts:
        assert str(font["/Subtype"]) == "/Type0"
        for descendant in array(font["/DescendantFonts"]):
            descriptor = dictionary(dictionary(descendant)["/FontDescriptor"])
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            assert len(data(descriptor["/FontFile2"])) > 1000


def test_nothing_is_painted_with_transparency() -> None:
    reader = PdfReader(io.BytesIO(render(NOTICE)))
    for page in reader.pages:
        resources = dictionary(page["/Resources"])
        for reference in dictionary(resources.get("/ExtGState", DictionaryObject())).values():
            state = dictionary(reference)
            assert state.get("/CA", 1) == 1
            assert state.get("/ca", 1) == 1
            assert state.get("/SMask", "/None") == "/None"
            assert state.get("/BM", "/Normal") in ("/Normal", "/Compatible")
        assert "/XObject" not in resources  # no image that could carry a soft mask


def test_the_same_notice_gives_the_same_bytes() -> None:
    again = replace(NOTICE, addressee=Addressee(NOTICE.addressee.name, NOTICE.addressee.lines))

    assert render(again) == render(NOTICE)
    assert render(notice(issued_at=datetime(2026, 5, 5, 8, 0, tzinfo=UTC))) != render(NOTICE)
