"""The notice's typeface: PT Sans from the ``fontpkg-pt-sans`` wheel, and letters it lacks.

PT Sans is ParaType's "public type", made for official documents: € and §,
„Anführungszeichen“, the Latin letters of Europe's names (ä, ß, Ł, Ş, Ő …) and Cyrillic.
It ships as static TTFs in a Python wheel, so no system font is needed and the notice looks
the same everywhere. A letter it lacks would print as nothing — a hole in a name — and
would make the file refer to the font's .notdef glyph, which PDF/A forbids; such a letter
is printed as its base letter instead ("Nguyễn" as "Nguyen"), or as "?" if it has none.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Container
from functools import cache
from importlib.resources import files
from pathlib import Path

FONT = "PTSans"
FONT_FILES = {"": "PT_Sans-Web-Regular.ttf", "B": "PT_Sans-Web-Bold.ttf"}


@cache
def font_path(style: str) -> Path:
    """The TTF of a style, inside the installed font wheel."""
    return Path(str(files("fontpkg_pt_sans") / "files" / FONT_FILES[style]))


def in_typeface(text: str, glyphs: Container[int]) -> str:
    """``text`` with each letter ``glyphs`` lacks replaced by its base letter, else "?"."""
    if all(ord(char) in glyphs or char.isspace() for char in text):
        return text
    return "".join(_letter(char, glyphs) for char in text)


def _letter(char: str, glyphs: Container[int]) -> str:
    if ord(char) in glyphs or char.isspace():
        return char
    base = "".join(
        part
        for part in unicodedata.normalize("NFKD", char)
        if ord(part) in glyphs and not unicodedata.combining(part)
    )
    return base or "?"
