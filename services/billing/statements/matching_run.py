"""The bookkeeping of one reconciliation: the payments of an entry, and what was decided.

``matching.py`` decides; ``Run`` records its decisions (bookings, clarification items,
skipped entries, the keys to keep) and keeps the claims' balances current between them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Set
from dataclasses import dataclass
from decimal import Decimal

from services.billing.statements.keys import payment_key
from services.billing.statements.ledger import Ledger
from services.billing.statements.model import Direction, Entry, Statement, Transaction
from services.billing.statements.outcomes import (
    Booking,
    BookingKind,
    Claim,
    Clarification,
    MatchedBy,
    Reconciliation,
    Skipped,
    Source,
)

_NO_DETAILS = Transaction(amount=None)


@dataclass(frozen=True, slots=True)
class Payment:
    """One payment to reconcile: where it came from and what its payer wrote."""

    source: Source
    texts: tuple[str, ...]
    town: str
    """The town whose account received it."""


def _payment(
    statement: Statement, entry: Entry, key: str, tx: Transaction, amount: Decimal, town: str
) -> Payment:
    texts = tx.remittance.texts()
    if not texts and not entry.transactions and entry.additional_information:
        texts = (entry.additional_information,)
    sign = 1 if entry.direction is Direction.CREDIT else -1
    source = Source(
        key=key,
        statement_id=statement.statement_id,
        account_iban=statement.account_iban,
        entry=entry.position,
        bank_reference=entry.account_servicer_reference or entry.entry_reference,
        booking_date=entry.booking_date,
        value_date=entry.value_date,
        amount=sign * amount,
        currency=entry.currency,
        end_to_end_id=tx.end_to_end_id,
        payer=tx.debtor if entry.direction is Direction.CREDIT else tx.creditor,
        remittance=texts,
        return_reason=tx.return_reason,
    )
    return Payment(source, texts, town)


def payments_of(
    statement: Statement, entry: Entry, key: str, town: str, *, whole: bool = False
) -> list[Payment]:
    """The payments in an entry: one per transaction of a batch, else the entry itself.

    ``whole``: the entry as one payment (key ``…/0``), for an entry a clerk must look at.
    """
    transactions = entry.transactions
    if whole or len(transactions) <= 1:
        tx = transactions[0] if transactions else _NO_DETAILS
        index = 0 if whole else 1
        return [_payment(statement, entry, payment_key(key, index), tx, entry.amount, town)]
    return [
        _payment(statement, entry, payment_key(key, index), tx, tx.amount or Decimal(0), town)
        for index, tx in enumerate(transactions, start=1)
    ]


class Run:
    """Decisions of one reconciliation so far, and the balances they left."""

    def __init__(self, claims: Iterable[Claim], booked: Set[str]) -> None:
        self._ledger = Ledger(claims)
        self._booked = booked
        self._keys: set[str] = set()
        self._parts: Counter[str] = Counter()
        self._bookings: list[Booking] = []
        self._clarifications: list[Clarification] = []
        self._skipped: list[Skipped] = []

    def seen(self, key: str) -> bool:
        """Whether the payment was booked before or earlier in this run."""
        return key in self._booked or key in self._keys

    def sort_references(
        self, references: Iterable[str], town: str
    ) -> tuple[list[str], list[str], list[str]]:
        """Kassenzeichen of the town's claims, of other towns' claims, and unknown ones."""
        mine: list[str] = []
        foreign: list[str] = []
        unknown: list[str] = []
        for reference in references:
            balance = self._ledger.get(reference)
            if balance is None:
                unknown.append(reference)
            else:
                (mine if balance.town == town else foreign).append(reference)
        return mine, foreign, unknown

    def towns_of(self, references: Iterable[str]) -> list[str]:
        """The towns whose claims these are, each once."""
        towns = (self._ledger.get(reference) for reference in references)
        return list(dict.fromkeys(balance.town for balance in towns if balance is not None))

    def open_of(self, kassenzeichen: str) -> Decimal:
        """What is still open on a claim."""
        balance = self._ledger.get(kassenzeichen)
        return balance.open if balance is not None else Decimal(0)

    def paid_on(self, kassenzeichen: str) -> Decimal:
        """What has been paid on a claim (what a reversal can take back)."""
        balance = self._ledger.get(kassenzeichen)
        return balance.paid if balance is not None else Decimal(0)

    def open_with(self, town: str, amount: Decimal) -> list[str]:
        """The town's claims whose open amount is exactly ``amount``."""
        return self._ledger.open_with(town, amount)

    def _next_id(self, key: str) -> str:
        self._keys.add(key)
        self._parts[key] += 1
        return f"{key}#{self._parts[key]}"

    def book(
        self,
        payment: Payment,
        kassenzeichen: str,
        amount: Decimal,
        kind: BookingKind,
        matched_by: MatchedBy,
    ) -> None:
        """Book ``amount`` (negative for a reversal) to a claim."""
        balance = self._ledger.get(kassenzeichen)
        assert balance is not None, "only known claims are booked to"
        open_after = self._ledger.pay(kassenzeichen, amount)
        booking_id = self._next_id(payment.source.key)
        self._bookings.append(
            Booking(
                booking_id,
                kassenzeichen,
                balance.town,
                amount,
                kind,
                matched_by,
                open_after,
                payment.source,
            )
        )

    def clarify(
        self,
        payment: Payment,
        amount: Decimal,
        code: str,
        reason: str,
        kassenzeichen: tuple[str, ...],
    ) -> None:
        """Leave ``amount`` of a payment to a clerk, with the reason."""
        item_id = self._next_id(payment.source.key)
        self._clarifications.append(
            Clarification(
                item_id, payment.town, amount, code, reason, kassenzeichen, payment.source
            )
        )

    def skip(self, key: str, code: str, reason: str, statement: Statement, entry: Entry) -> None:
        """Note an entry nothing is done for."""
        self._skipped.append(Skipped(key, code, reason, statement.statement_id, entry.position))

    def result(self) -> Reconciliation:
        """Everything decided, and the keys to keep."""
        return Reconciliation(
            tuple(self._bookings),
            tuple(self._clarifications),
            tuple(self._skipped),
            frozenset(self._keys),
        )
