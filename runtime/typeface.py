"""The typeface of every document the suite prints: PT Sans, prepared once for embedding.

Casework's letters and billing's notices are set in PT Sans from the ``fontpkg-pt-sans`` wheel.
Its TTFs carry TrueType hinting (programs that fit outlines to a screen's pixel grid, which PDF
viewers and printers do not need) and tables for text shaping and kerning that fpdf2 does not
apply; together they are seven eighths of each file, and fpdf2 parses, subsets and writes the
font again for every document. So the documents use a copy without them — the same glyphs,
outlines and widths — made once per machine and kept in the temporary folder. That halves
each PDF and cuts a fee notice's render time by about a quarter (``python -m bench.billing``).
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
import tempfile
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import ClassVar

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

FONT = "PTSans"
FONT_FILES = {"": "PT_Sans-Web-Regular.ttf", "B": "PT_Sans-Web-Bold.ttf"}
"""The styles documents use: regular and bold."""

UNUSED_TABLES = ["DSIG", "hdmx", "LTSH", "kern", "GPOS", "GSUB", "FFTM"]
"""Signature, device metrics and layout tables: nothing fpdf2 reads or a PDF needs."""


@cache
def original_path(style: str) -> Path:
    """The TTF of a style as the font wheel ships it."""
    return Path(str(files("fontpkg_pt_sans") / "files" / FONT_FILES[style]))


@cache
def font_path(style: str) -> Path:
    """The TTF of a style as documents embed it: made on first use, then reused."""
    source = original_path(style)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / "rathaus-typeface" / f"{digest}-{source.name}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_slim(source, target)
    return target


def _write_slim(source: Path, target: Path) -> None:
    """Every glyph of ``source`` without hinting or unused tables, written atomically."""
    font = TTFont(source)
    options = subset.Options(
        hinting=False, notdef_outline=True, recommended_glyphs=True, glyph_names=True
    )
    options.drop_tables += UNUSED_TABLES
    options.layout_features = []
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=font.getBestCmap().keys())
    subsetter.subset(font)
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    font.save(partial)
    os.replace(partial, target)


def add_fonts(pdf: FPDF) -> None:
    """Give ``pdf`` the typeface in both styles.

    fpdf2's ``add_font`` reads the whole font again for every document — its metrics, its
    character map and the width of every glyph, a fifth of a short notice's render time —
    though they never change. So each process reads them once (``_prepared``) and a document
    gets a copy that shares them, with what a document changes of its own: a fresh, lazily
    read font to subset and a subset map. The PDF is byte for byte the one ``add_font``
    makes (``tests/unit/runtime/test_typeface.py``).

    The glyphs' bounding boxes are taken as the font states them: fontTools would otherwise
    unpack and recompute every glyph's outline each time fpdf2 writes the subset, though
    subsetting never changes an outline.
    """
    for style in FONT_FILES:
        font = copy.copy(_prepared(style))
        font.i = len(pdf.fonts) + 1
        font.ttfont = TTFont(io.BytesIO(_font_bytes(style)), recalcTimestamp=False, lazy=True)
        font.ttfont.recalcBBoxes = False
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        pdf.fonts[font.fontkey] = font


@cache
def _prepared(style: str) -> TTFFont:
    """A style as fpdf2's ``add_font`` reads it, once per process."""
    reader = FPDF()
    reader.add_font(FONT, style, str(font_path(style)))
    font = reader.fonts[f"{FONT.lower()}{style}"]
    assert isinstance(font, TTFFont)
    return font


@cache
def _font_bytes(style: str) -> bytes:
    return font_path(style).read_bytes()


def lines_of(pdf: FPDF, text: str, width: float) -> list[str]:
    """``text`` broken into lines at most ``width`` wide in the current font: at spaces and at
    its own line breaks, a word longer than a line wherever it must.

    fpdf2's ``multi_cell`` measures the growing line again for every letter it adds, which is
    quadratic in the line's length and was half of a notice's render time. Here each letter's
    width is measured once and a word's is their sum (fpdf2 sets text without kerning, so that
    is the width it prints); the lines are then set with ``cell``.
    """
    measure = _Widths(pdf)
    space = measure(" ")
    lines: list[str] = []
    for part in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in part.split(" "):
            for piece in _pieces(measure, word, width):
                wide = measure(piece)
                if line and used + space + wide > width:
                    lines.append(" ".join(line))
                    line, used = [], 0.0
                used = wide if not line else used + space + wide
                line.append(piece)
        lines.append(" ".join(line))
    return lines


class _Widths:
    """Widths of text in the current font; each letter is measured once per process, font and
    size (and document class, which may print a letter the font lacks as another)."""

    _known: ClassVar[dict[tuple[type, str, float, str], float]] = {}

    def __init__(self, pdf: FPDF) -> None:
        self._pdf = pdf
        font = pdf.current_font
        assert font is not None, "set a font before setting text"
        self._font = (type(pdf), str(font.fontkey), float(pdf.font_size))

    def __call__(self, text: str) -> float:
        return sum(self._letter(letter) for letter in text)

    def _letter(self, letter: str) -> float:
        key = (*self._font, letter)
        if key not in self._known:
            self._known[key] = self._pdf.get_string_width(letter)
        return self._known[key]


def _pieces(measure: _Widths, word: str, width: float) -> list[str]:
    """A word as pieces that each fit a line (most words: the word itself)."""
    if measure(word) <= width:
        return [word]
    pieces, piece = [], ""
    for letter in word:
        if piece and measure(piece + letter) > width:
            pieces.append(piece)
            piece = ""
        piece += letter
    return [*pieces, piece]


def set_paragraph(pdf: FPDF, height: float, text: str, width: float = 0) -> None:
    """Set ``text`` left-aligned (DIN 5008's ragged right) in lines of ``height``, from the
    current position to ``width`` (0: the right margin); afterwards at the left margin, below."""
    x = pdf.get_x()
    wide = width or pdf.w - pdf.r_margin - x
    for line in lines_of(pdf, text, wide - 2 * pdf.c_margin):
        pdf.set_x(x)
        pdf.cell(wide, height, line, new_x="LEFT", new_y="NEXT")
    pdf.set_x(pdf.l_margin)
