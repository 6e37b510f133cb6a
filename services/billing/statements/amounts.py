"""Amounts as a bank writes them (``1234.56`` with a ``Ccy``), checked to the cent.

ISO 20022 amounts are ``xs:decimal`` values of at most 18 digits, 5 of them after the point,
never negative: whether money came in or went out is ``CdtDbtInd``'s business. A currency
has a number of minor units (EUR: 2); an amount with more decimals than its currency has is
a fraction of a cent, which no bank books.
"""

from __future__ import annotations

import re
from decimal import Decimal

from services.billing.statements.refusals import Unreadable

_DECIMAL = re.compile(r"\+?(?:\d+(?:\.\d*)?|\.\d+)")
_CURRENCY = re.compile(r"[A-Z]{3}")
_MINOR_UNITS = {
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLP", "ISK", "JPY", "KRW", "VND", "XAF", "XOF"), 0),
}
"""ISO 4217 currencies with other than two decimals that a payment might come in."""


def minor_units(currency: str) -> int:
    """How many decimals the currency has (EUR: 2)."""
    return _MINOR_UNITS.get(currency, 2)


def parse_currency(text: str | None) -> str:
    """A three-letter ISO 4217 code, or ``Unreadable``."""
    if text is None or not _CURRENCY.fullmatch(text.strip()):
        raise Unreadable(
            "currency_invalid", f"Die Währung „{text or ''}“ ist kein ISO-4217-Code wie EUR."
        )
    return text.strip()


def parse_amount(text: str | None, currency: str) -> Decimal:
    """The amount of ``text`` in ``currency``, or ``Unreadable`` saying what is wrong."""
    raw = (text or "").strip()
    if not raw:
        raise Unreadable("amount_missing", "Der Betrag fehlt.")
    if raw.startswith("-") and _DECIMAL.fullmatch(raw[1:]):
        raise Unreadable(
            "amount_negative",
            f"Der Betrag „{raw}“ ist negativ. Ob Geld ein- oder ausging, steht im Kennzeichen"
            " Soll/Haben (CdtDbtInd), nie im Vorzeichen.",
        )
    if not _DECIMAL.fullmatch(raw) or sum(c.isdigit() for c in raw) > 18:
        raise Unreadable(
            "amount_invalid", f"Der Betrag „{raw[:40]}“ ist keine Zahl im Format 1234.56."
        )
    amount = Decimal(raw)
    places = Decimal(1).scaleb(-minor_units(currency))
    if amount != amount.quantize(places):
        raise Unreadable(
            "amount_fraction",
            f"Der Betrag „{raw}“ {currency} enthält Bruchteile der kleinsten Einheit"
            f" (bei {currency} {minor_units(currency)} Nachkommastellen).",
        )
    return amount.quantize(places)


def euro(amount: Decimal, currency: str = "EUR") -> str:
    """``Decimal('1234.5')`` → ``1.234,50 EUR``, as amounts are written in German."""
    english = f"{amount:,.2f}"
    return english.replace(",", " ").replace(".", ",").replace(" ", ".") + f" {currency}"
