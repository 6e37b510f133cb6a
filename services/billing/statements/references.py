"""Finding Kassenzeichen in what a payer wrote, the way payers write them.

A Kassenzeichen is the town's AGS, the year and a running number: ``14729410-2026-000123``
(``services/billing/domain/fees.py`` makes them). Payers copy it from the notice or type it,
and banks pass it on in the remittance information, often upper-cased and wrapped at 35 or
70 characters. So a Kassenzeichen is recognised

- with any run of spaces, hyphens, dots, slashes or underscores between its three parts, or
  none (``14729410 2026 000123``, ``147294102026000123``);
- across a line break of the bank's (``…2026-00`` / ``0123``);
- as its 18 digits in any grouping (``1472 9410 2026 0001 23``), when they stand alone;
- without the town, as ``2026-000123``, when the word Kassenzeichen (or ``KZ``) comes right
  before it, in any case: the town is then the one whose account received the money.

What is found is only a candidate: the matcher decides whether a claim has that Kassenzeichen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SEP = r"[\s\-./_]*"
_FULL = re.compile(rf"(?<!\d)(\d{{8}}){_SEP}(\d{{4}}){_SEP}(\d{{6}})(?!\d)")
_GROUPED = re.compile(r"(?<!\d)\d(?:[\s\-./_]*\d)*(?!\d)")
_SHORT = re.compile(
    rf"(?:KASSENZEICHEN|KASSENZ|KZ)(?:[\s.:#]|NR|NUMMER)*(?<!\d)(\d{{4}}){_SEP}(\d{{6}})(?![\d\-./_]*\d)",
    re.IGNORECASE,
)


def canonical(digits: str) -> str:
    """18 digits → ``14729410-2026-000123``; 10 digits → ``2026-000123`` (town missing)."""
    if len(digits) == 18:
        return f"{digits[:8]}-{digits[8:12]}-{digits[12:]}"
    return f"{digits[:4]}-{digits[4:]}"


def is_without_town(reference: str) -> bool:
    """Whether a found reference lacks the town (``2026-000123``)."""
    return len(reference) == 11


Found = list[tuple[int, str]]
"""References with where they start in the text, to keep the payer's order."""


def _matches(pattern: re.Pattern[str], text: str) -> Found:
    return [(m.start(), canonical("".join(m.groups()))) for m in pattern.finditer(text)]


def _grouped(text: str) -> Found:
    runs = ((m.start(), re.sub(r"\D", "", m.group())) for m in _GROUPED.finditer(text))
    return [(start, canonical(run)) for start, run in runs if len(run) == 18]


def _in_spaced(found: Found, lines: list[str]) -> Found:
    """Positions in the lines joined without a space → positions with one between lines."""
    ends = [sum(len(line) for line in lines[: i + 1]) for i in range(len(lines))]
    return [(start + sum(1 for end in ends if end <= start), ref) for start, ref in found]


def find_references(texts: Iterable[str]) -> tuple[str, ...]:
    """The Kassenzeichen in ``texts``, in the order written, each once.

    Full ones come as ``14729410-2026-000123``, ones without the town as ``2026-000123``.
    """
    lines = list(texts)
    spaced, joined = " ".join(lines), "".join(lines)
    found = _matches(_FULL, spaced) + _matches(_SHORT, spaced) + _grouped(spaced)
    found += _in_spaced(_matches(_FULL, joined) + _matches(_SHORT, joined), lines)
    return tuple(dict.fromkeys(reference for _, reference in sorted(found)))
