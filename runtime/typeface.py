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

import hashlib
import os
import tempfile
from functools import cache
from importlib.resources import files
from pathlib import Path

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.fonts import TTFFont

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

    The glyphs' bounding boxes are taken as the font states them: fontTools would otherwise
    unpack and recompute every glyph's outline each time fpdf2 writes the subset, though
    subsetting never changes an outline.
    """
    for style in FONT_FILES:
        pdf.add_font(FONT, style, str(font_path(style)))
    for font in pdf.fonts.values():
        if isinstance(font, TTFFont):
            font.ttfont.recalcBBoxes = False
