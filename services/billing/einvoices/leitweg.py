"""The Leitweg-ID's form and check digits, as the KoSIT format specification defines them.

A public buyer's Leitweg-ID (BT-10, the buyer reference) is where an invoice is routed: a
coarse address of 2 to 12 digits (the state, district or municipality key), an optional fine
address of up to 30 letters and digits, and two check digits, joined by hyphens. The check
digits are ISO/IEC 7064 MOD 97-10 over the coarse and fine address (letters counted as
A = 10 … Z = 35, upper and lower case alike): a well-formed id read as one number that way,
check digits included, leaves remainder 1 when divided by 97 — as an IBAN does. A typo in any
digit, or two digits swapped, is caught before an invoice is routed anywhere.
"""

from __future__ import annotations

import re

_FORM = re.compile(r"(?P<coarse>[0-9]{2,12})(?:-(?P<fine>[0-9A-Za-z]{1,30}))?-(?P<check>[0-9]{2})")
MAX_LENGTH = 46
"""12 + 1 + 30 + 1 + 2 characters."""


def _as_number(text: str) -> int:
    """Digits stay, letters become two digits each (A = 10 … Z = 35)."""
    return int("".join(str(int(char, 36)) for char in text.upper()))


def check_digits(coarse: str, fine: str = "") -> str:
    """The two check digits of a coarse and fine address (MOD 97-10, ISO/IEC 7064)."""
    return f"{98 - _as_number(coarse + fine + '00') % 97:02d}"


def leitweg_problem(value: str) -> str | None:
    """None for a well-formed Leitweg-ID with correct check digits, else why not (German)."""
    if not value.strip():
        return "Die Leitweg-ID fehlt."
    if len(value) > MAX_LENGTH:
        return f"Die Leitweg-ID ist länger als {MAX_LENGTH} Zeichen."
    match = _FORM.fullmatch(value)
    if match is None:
        return (
            f"„{value}“ hat nicht die Form einer Leitweg-ID: 2 bis 12 Ziffern (Grobadressierung),"
            " optional bis zu 30 Buchstaben oder Ziffern (Feinadressierung) und zwei Prüfziffern,"
            " durch Bindestriche getrennt."
        )
    body = match["coarse"] + (match["fine"] or "")
    if _as_number(body + match["check"]) % 97 != 1:
        return (
            f"Die Prüfziffern der Leitweg-ID „{value}“ stimmen nicht (richtig wären"
            f" {check_digits(body)}); bitte prüfen Sie die Leitweg-ID auf Tippfehler."
        )
    return None
