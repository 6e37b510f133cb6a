"""The documents' typeface: the slim font has every glyph, and paragraphs break as fpdf2's do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.fonts import TTFFont

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


def a_notice(fonts: Callable[[FPDF], None], text: str = LEGAL) -> bytes:
    """Two pages in both styles, with letters outside Latin-1 and one the font lacks."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    fonts(pdf)
    for page in range(2):
        pdf.add_page()
        pdf.set_font(FONT, "B", 12)
        pdf.cell(text=f"Gebührenbescheid – Seite {page + 1}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 10.5)
        pdf.multi_cell(0, 5, text + " ✓")
    return bytes(pdf.output())


def fonts_as_fpdf2_adds_them(pdf: FPDF) -> None:
    for style in FONT_FILES:
        pdf.add_font(FONT, style, str(font_path(style)))
    for font in pdf.fonts.values():
        if isinstance(font, TTFFont):
            font.ttfont.recalcBBoxes = False


def test_the_prepared_typeface_makes_the_pdf_fpdf2_s_add_font_makes() -> None:
    expected = a_notice(fonts_as_fpdf2_adds_them)
    assert a_notice(add_fonts) == expected
    a_notice(add_fonts, "Zeichen, die der Bescheid nicht hat: ЖЩЮ ŒŸ Ħħ")
    assert a_notice(add_fonts) == expected  # nothing of another document stays behind
