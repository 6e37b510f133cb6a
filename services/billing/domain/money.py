"""Amounts with their explanation, rounded once (pure).

Every amount billing computes is EUR in ``Decimal`` and comes with the lines that explain
it (what, quantity, rate, subtotal), so every cent can be traced to the schedule. The lines
keep their exact values; the total is rounded **once, at the end of each computation**, to
the cent, half up (``ROUND_HALF_UP``: 0.005 → 0.01, 0.0049 → 0.00) — never per line and
never with Python's default banker's rounding, which would make 0.005 → 0.00. Rounding per
line would let the cents of the lines disagree with the cents of the total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from contracts.fee_schedules import FeeLine

CENT = Decimal("0.01")
SHOWN_PLACES = Decimal("1E-10")
"""A subtotal that does not terminate (a twelfth of a year) is kept to ten places."""


def to_cent(exact: Decimal) -> Decimal:
    """The amount to the cent, half up — the one rounding of a computation."""
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def shown(exact: Decimal) -> Decimal:
    """A line's subtotal as recorded: as computed, or to ten places where it runs longer."""
    if int(exact.as_tuple().exponent) >= -10:
        return exact
    return exact.quantize(SHOWN_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Explained:
    """An amount to the cent, its exact value, and the lines it is made of."""

    amount: Decimal
    exact: Decimal
    lines: tuple[FeeLine, ...]


def explained(lines: Iterable[FeeLine], exact: Decimal | None = None) -> Explained:
    """The lines with their total rounded once; ``exact`` when the caller summed more exactly."""
    kept = tuple(lines)
    total = sum((line.subtotal for line in kept), Decimal(0)) if exact is None else exact
    return Explained(amount=to_cent(total), exact=total, lines=kept)


def line(what: str, quantity: Decimal, unit: str, rate: Decimal) -> FeeLine:
    """A line whose subtotal is quantity × rate (exact: both are finite decimals)."""
    return FeeLine(what=what, quantity=quantity, unit=unit, rate=rate, subtotal=quantity * rate)


def euro(amount: Decimal) -> str:
    """German notation: ``1.234,50 €`` (to the cent as given; more places are kept)."""
    places = max(2, -int(amount.as_tuple().exponent))
    text = f"{amount:,.{places}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".") + " €"


def number(value: Decimal) -> str:
    """A quantity in German notation, without trailing zeros: ``12,5``."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")
