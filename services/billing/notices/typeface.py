"""Letters the notice's typeface lacks.

PT Sans (``runtime.typeface``) has € and §, „Anführungszeichen“, the Latin letters of Europe's
names (ä, ß, Ł, Ş, Ő …) and Cyrillic. A letter it lacks would print as nothing — a hole in a
name — and would make the file refer to the font's .notdef glyph, which PDF/A forbids; such a
letter is printed as its base letter instead ("Nguyễn" as "Nguyen"), or as "?" if it has none.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Container


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
