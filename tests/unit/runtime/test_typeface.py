"""The documents' typeface: the slim font has every glyph, and paragraphs break as fpdf2's do."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF

from runtime.typeface import FONT, FONT_FILES, add_fonts, font_path, lines_of, original_path

LEGAL = (
    "Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben"
    " werden. Der Widerspruch ist schriftlich oder zur Niederschrift bei der Stadtverwaltung"
    " Wurzen, Friedrich-Ebert-Straße 2, 04808 Wurzen, einzulegen. Żaneta Łukasiewicz-Ørsted"
    " und Ольга Иванова zahlen 1.234,56 € (§ 240 AO) „pünktlich“."
)


def pdf_with_fonts() -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    add_fonts(pdf)
    pdf.add_page()
    pdf.set_font(FONT, "", 10.5)
    return pdf


@pytest.mark.parametrize("style", list(FONT_FILES))
def test_the_slim_font_keeps_every_letter_and_its_width(style: str) -> None:
    original, slim = TTFont(original_path(style)), TTFont(font_path(style))
    assert original.getBestCmap() == slim.getBestCmap()
    assert original["hmtx"].metrics == slim["hmtx"].metrics
    assert "fpgm" not in slim
    assert "kern" not in slim


@pytest.mark.parametrize("width", [40.0, 85.0, 160.0])
def test_a_paragraph_breaks_where_fpdf2_would_break_it(width: float) -> None:
    pdf = pdf_with_fonts()
    ours = lines_of(pdf, LEGAL, width - 2 * pdf.c_margin)
    theirs = pdf.multi_cell(width, 5, LEGAL, align="L", dry_run=True, output="LINES")
    assert isinstance(theirs, list)
    assert [line.rstrip() for line in ours] == [str(line).rstrip() for line in theirs]
    assert all(pdf.get_string_width(line) <= width - 2 * pdf.c_margin for line in ours)


def test_a_word_longer_than_the_line_is_broken_where_it_must_and_breaks_are_kept() -> None:
    pdf = pdf_with_fonts()
    lines = lines_of(pdf, "Kurz\nDonaudampfschifffahrtsgesellschaftskapitänsmütze", 30.0)
    assert lines[0] == "Kurz"
    assert "".join(lines[1:]) == "Donaudampfschifffahrtsgesellschaftskapitänsmütze"
    assert len(lines) > 2
    assert all(pdf.get_string_width(line) <= 30.0 for line in lines)
