"""Reading business terms out of an invoice's XML: amounts, dates, codes, Skonto.

Shared by the UBL and the CII reader. Amounts are read as ``Decimal`` exactly as written
(never through float); a term that must be there and is not, or cannot be read, raises
:class:`Unreadable` with a German sentence naming the business term.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from services.billing.einvoices.verdict import EarlyPaymentDiscount


class Unreadable(ValueError):
    """A business term the invoice must carry is missing or cannot be read."""


def text(element: Any, path: str, namespaces: dict[str, str]) -> str | None:
    """The whitespace-trimmed text at ``path``, or None when absent or empty."""
    found = element.find(path, namespaces)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def required(value: str | None, term: str) -> str:
    """``value``, or :class:`Unreadable` naming the business term (``"BT-1 Rechnungsnummer"``)."""
    if value is None:
        raise Unreadable(f"Die Angabe {term} fehlt.")
    return value


def amount(value: str | None, term: str, default: Decimal | None = None) -> Decimal:
    """An amount as written, or ``default`` when absent (else :class:`Unreadable`)."""
    if value is None:
        if default is None:
            raise Unreadable(f"Der Betrag {term} fehlt.")
        return default
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise Unreadable(f"Der Betrag {term} („{value}“) ist keine Zahl.") from exc


def optional_decimal(value: str | None) -> Decimal | None:
    """A rate or quantity, or None when absent or unreadable (the rules report those)."""
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def iso_date(value: str | None, term: str) -> date:
    """``2018-04-13`` (UBL) → a date."""
    try:
        return date.fromisoformat(required(value, term))
    except ValueError as exc:
        raise Unreadable(f"Das Datum {term} („{value}“) ist kein Datum.") from exc


def cii_date(value: str | None, term: str) -> date:
    """``20180413`` (CII, format 102) → a date."""
    digits = required(value, term)
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError as exc:
        raise Unreadable(f"Das Datum {term} („{digits}“) ist kein Datum.") from exc


def optional_date(value: str | None, reader: Any, term: str) -> date | None:
    """A date that may be absent."""
    return None if value is None else reader(value, term)


_SKONTO = re.compile(
    r"#SKONTO#TAGE=(?P<days>[0-9]+)#PROZENT=(?P<percent>[0-9]+(?:\.[0-9]+)?)#"
    r"(?:BASISBETRAG=(?P<base>-?[0-9]+(?:\.[0-9]+)?)#)?"
)


def skonto(terms: str | None, issued: date) -> tuple[EarlyPaymentDiscount, ...]:
    """The Skonto lines of XRechnung's payment terms (BT-20), e.g.
    ``#SKONTO#TAGE=14#PROZENT=2.00#``; the days count from the invoice date."""
    if not terms:
        return ()
    return tuple(
        EarlyPaymentDiscount(
            days=int(match["days"]),
            percent=Decimal(match["percent"]),
            base_amount=Decimal(match["base"]) if match["base"] else None,
            until=issued + timedelta(days=int(match["days"])),
        )
        for match in _SKONTO.finditer(terms)
    )


def first_offered(discounts: tuple[EarlyPaymentDiscount, ...]) -> EarlyPaymentDiscount | None:
    """The first Skonto that is one (a line with 0 % states the net term)."""
    return next((d for d in discounts if d.percent > 0), None)
