"""The claims' balances while one import is reconciled (a working copy, never the record).

A statement may pay a claim twice, or pay and reverse it; each booking must see the balance
the previous one left. Claims are also indexed by town and open amount, for matching a
payment without a Kassenzeichen by its amount.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from services.billing.statements.outcomes import Claim


@dataclass(slots=True)
class Balance:
    """A claim's open and paid amounts as they stand now."""

    town: str
    open: Decimal
    paid: Decimal


class Ledger:
    """Balances by Kassenzeichen, and open claims by town and open amount."""

    def __init__(self, claims: Iterable[Claim]) -> None:
        self._balances: dict[str, Balance] = {}
        self._by_amount: defaultdict[tuple[str, Decimal], dict[str, None]] = defaultdict(dict)
        for claim in claims:
            balance = Balance(claim.town, claim.open_amount, claim.paid_amount)
            self._balances[claim.kassenzeichen] = balance
            self._index(claim.kassenzeichen, balance)

    def _index(self, kassenzeichen: str, balance: Balance) -> None:
        if balance.open > 0:
            self._by_amount[(balance.town, balance.open)][kassenzeichen] = None

    def _unindex(self, kassenzeichen: str, balance: Balance) -> None:
        self._by_amount.get((balance.town, balance.open), {}).pop(kassenzeichen, None)

    def get(self, kassenzeichen: str) -> Balance | None:
        """The claim's balance, ``None`` for an unknown Kassenzeichen."""
        return self._balances.get(kassenzeichen)

    def open_with(self, town: str, amount: Decimal) -> list[str]:
        """The town's claims whose open amount is exactly ``amount``."""
        return list(self._by_amount.get((town, amount), {}))

    def pay(self, kassenzeichen: str, amount: Decimal) -> Decimal:
        """Book ``amount`` (negative: reverse) to the claim; its open amount afterwards."""
        balance = self._balances[kassenzeichen]
        self._unindex(kassenzeichen, balance)
        balance.open -= amount
        balance.paid += amount
        self._index(kassenzeichen, balance)
        return balance.open
