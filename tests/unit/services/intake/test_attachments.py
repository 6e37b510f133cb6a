"""Attachments at the door: typed by their content, named for display only, limits in German."""

from __future__ import annotations

import pytest

from contracts.procedures.base import AttachmentRule
from services.intake.attachments import safe_filename, size_in_words
from services.intake.uploads import allowed_types, content_type_of

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")],
)
def test_a_file_is_what_its_first_bytes_say(content: bytes, kind: str) -> None:
    assert content_type_of(content) == kind


@pytest.mark.parametrize("content", [EXE, b"", b"plain text, nothing else"])
def test_an_executable_or_plain_text_is_no_document(content: bytes) -> None:
    assert content_type_of(content) not in AttachmentRule().content_types


def test_the_allowed_kinds_and_limits_read_in_german() -> None:
    assert allowed_types(AttachmentRule()) == "JPEG, PDF oder PNG"
    assert allowed_types(AttachmentRule(content_types=frozenset({"application/pdf"}))) == "PDF"
    assert size_in_words(5 * 1024 * 1024) == "5 MB"
    assert size_in_words(1536 * 1024) == "1,5 MB"
    assert size_in_words(512 * 1024) == "512 KB"


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
