"""Readable case numbers (Vorgangsnummern): a town's short code, the year, a running number.

``WUR-2026-000017`` is what a citizen reads out on the phone; the application id (a UUID)
stays the key programs use. The code is the first three letters of the town's name, umlauts
and ß written out (Großpösna → GRO); the member towns' codes differ (a test checks them), and
a town may be given a code of its own where a newcomer's would collide.
"""

from __future__ import annotations

import re
import unicodedata

SPELLED_OUT = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}


def town_code(name: str) -> str:
    """Three capital letters from a town's name."""
    spelled = "".join(SPELLED_OUT.get(c, c) for c in name)
    ascii_only = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    letters = re.sub(r"[^A-Za-z]", "", ascii_only).upper()
    return (letters + "XXX")[:3]


def case_number(code: str, year: int, number: int) -> str:
    """``WUR-2026-000017``."""
    return f"{code}-{year}-{number:06d}"
