"""Attachments at the door: only PDF, PNG and JPEG, valid Base64, within the size limit,
content matching the declared type — refused otherwise with a German message on the field."""

from __future__ import annotations

import base64

import pytest

from services.intake.attachments import AttachmentRejected, Upload, check, safe_filename

MB = 1024 * 1024
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


def upload(
    content: bytes, content_type: str = "application/pdf", filename: str = "Meisterbrief.pdf"
) -> Upload:
    return Upload(
        filename=filename,
        content_type=content_type,
        content_base64=base64.b64encode(content).decode(),
    )


def rejection(index: int, file: Upload, max_bytes: int = 5 * MB) -> AttachmentRejected:
    with pytest.raises(AttachmentRejected) as caught:
        check(index, file, max_bytes)
    return caught.value


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")],
)
def test_an_allowed_file_is_returned_decoded(content: bytes, content_type: str) -> None:
    assert check(0, upload(content, content_type), 5 * MB) == content


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-msdownload",
        "image/gif",
        "application/PDF",
        "image/jpg",
        "application/pdf; charset=binary",
        "",
    ],
)
def test_a_type_not_allowed_is_refused_on_the_content_type(content_type: str) -> None:
    refused = rejection(2, upload(PDF, content_type))

    assert refused.field == "attachments.2.content_type"
    assert refused.message == (
        "Dieser Dateityp ist nicht erlaubt. Erlaubt: application/pdf, image/jpeg, image/png."
    )
    assert str(refused) == refused.message
    assert isinstance(refused, ValueError)


@pytest.mark.parametrize(
    "content_base64",
    ["kein Base64!", "JVBERi0", "JVBERi0xLjc=\n", "JVBERi0xLjc=ä"],
    ids=["not-base64", "missing-padding", "line-break", "non-ascii"],
)
def test_content_that_is_not_base64_is_refused(content_base64: str) -> None:
    refused = rejection(1, Upload("Meisterbrief.pdf", "application/pdf", content_base64))

    assert refused.field == "attachments.1.content_base64"
    assert refused.message == "Der Dateiinhalt ist nicht gültig Base64-kodiert."


def test_an_empty_file_is_refused() -> None:
    refused = rejection(0, upload(b""))

    assert (refused.field, refused.message) == (
        "attachments.0.content_base64",
        "Die Datei ist leer.",
    )


def test_a_file_of_exactly_the_limit_is_accepted() -> None:
    content = PDF.ljust(5 * MB, b"0")

    assert check(0, upload(content), 5 * MB) == content


def test_a_file_one_byte_over_the_limit_is_refused_with_the_limit_in_mb() -> None:
    refused = rejection(3, upload(PDF.ljust(5 * MB + 1, b"0")))

    assert refused.field == "attachments.3.content_base64"
    assert refused.message == "Die Datei ist zu groß (höchstens 5 MB)."


def test_a_limit_under_one_mb_is_not_stated_as_zero_mb() -> None:
    refused = rejection(0, upload(PDF.ljust(600 * 1024, b"0")), max_bytes=512 * 1024)

    assert refused.message == "Die Datei ist zu groß (höchstens 512 KB)."


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (EXE, "application/pdf"),
        (PNG, "application/pdf"),
        (PDF, "image/png"),
        (JPEG, "image/png"),
        (b"%PDF", "application/pdf"),
        (b"GIF89a\x01\x00\x01\x00", "image/jpeg"),
    ],
    ids=["exe-as-pdf", "png-as-pdf", "pdf-as-png", "jpeg-as-png", "truncated-pdf", "gif-as-jpeg"],
)
def test_content_that_does_not_match_its_declared_type_is_refused(
    content: bytes, content_type: str
) -> None:
    refused = rejection(4, upload(content, content_type))

    assert refused.field == "attachments.4.content_base64"
    assert refused.message == "Der Inhalt der Datei passt nicht zum angegebenen Dateityp."


def test_the_type_is_checked_before_the_content() -> None:
    refused = rejection(0, Upload("setup.exe", "application/x-msdownload", "kein Base64!"))

    assert refused.field == "attachments.0.content_type"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Meisterbrief.pdf", "Meisterbrief.pdf"),
        ("Meisterbrief Müller (Kopie).pdf", "Meisterbrief Müller _Kopie_.pdf"),
        ("C:\\Users\\Hedwig\\Desktop\\Personalausweis.pdf", "Personalausweis.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/var/www/../Gewerbeerlaubnis_2026-03.jpeg", "Gewerbeerlaubnis_2026-03.jpeg"),
        ("  .versteckt.pdf. ", "versteckt.pdf"),
        ("Rechnung\u202efdp.exe", "Rechnung_fdp.exe"),
        ("Zeile\nzwei;rm -rf *.png", "Zeile_zwei_rm -rf _.png"),
        ("", "anhang"),
        ("../", "anhang"),
        ("...", "anhang"),
    ],
)
def test_a_file_name_keeps_no_path_and_no_troublesome_characters(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_a_long_file_name_is_cut_to_120_characters_keeping_its_extension() -> None:
    assert safe_filename("Gewerbeerlaubnis" * 20 + ".pdf") == (
        ("Gewerbeerlaubnis" * 20)[:116] + ".pdf"
    )


def test_a_cut_file_name_does_not_end_in_a_dot() -> None:
    assert not safe_filename("a" * 119 + ".pdf").endswith(".")
