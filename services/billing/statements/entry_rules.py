"""Rules on a whole entry, before its payments are matched: skip it, or leave it to a clerk.

Each rule is named for what it finds and answers ``(code, German reason)`` or ``None``; the
first rule that finds something decides.
"""

from __future__ import annotations

from collections.abc import Callable

from services.billing.statements.model import Direction, Entry
from services.billing.statements.wording import return_reason

Finding = tuple[str, str] | None
Rule = Callable[[Entry], Finding]


def entry_not_booked_yet(entry: Entry) -> Finding:
    """Announced (``PDNG``, ``INFO``), not on the account: a later statement books it."""
    if entry.booked:
        return None
    return "not_booked", (
        f"Noch nicht gebucht (Status {entry.status}); die Buchung kommt mit einem späteren"
        " Kontoauszug."
    )


def entry_of_nothing(entry: Entry) -> Finding:
    """Zero moves no claim."""
    return (
        ("zero", "Buchung über 0,00 ohne Wirkung auf eine Forderung.")
        if entry.amount == 0
        else None
    )


def ordinary_debit(entry: Entry) -> Finding:
    """Money the town paid out (a refund, a bank fee) is no payment on a claim."""
    returned = any(tx.return_reason for tx in entry.transactions)
    if entry.direction is Direction.DEBIT and not entry.reversal and not returned:
        return "debit", "Abbuchung vom Konto der Gemeinde, keine Zahlung auf eine Forderung."
    return None


def payment_in_another_currency(entry: Entry) -> Finding:
    """Claims are in EUR; converting is a clerk's decision."""
    if entry.currency == "EUR":
        return None
    return "foreign_currency", f"Zahlung in {entry.currency}; Forderungen werden in EUR geführt."


def reversed_debit(entry: Entry) -> Finding:
    """The bank reverses a debit: money back from something the town paid, not a claim."""
    if entry.direction is Direction.CREDIT and entry.reversal:
        return "reversed_debit", (
            "Die Bank hat eine Abbuchung storniert (Gutschrift mit Storno-Kennzeichen); bitte der"
            " ursprünglichen Abbuchung zuordnen."
        )
    return None


def returned_transfer(entry: Entry) -> Finding:
    """A transfer of the town's came back (a refund to a closed account), not a payment."""
    reasons = [tx.return_reason for tx in entry.transactions if tx.return_reason]
    if entry.direction is Direction.CREDIT and reasons:
        return "returned_transfer", (
            f"Eine Überweisung der Gemeinde kam zurück{return_reason(reasons[0])}; bitte der"
            " ursprünglichen Auszahlung zuordnen."
        )
    return None


def batch_without_its_payments(entry: Entry) -> Finding:
    """A batch whose single payments are not in this statement cannot be matched."""
    if (entry.batch_size or 0) > max(len(entry.transactions), 1):
        return "batch_without_details", (
            f"Sammelbuchung über {entry.batch_size} Zahlungen, deren Einzelumsätze der Auszug"
            " nicht enthält; die Bank liefert sie als camt.054."
        )
    return None


def batch_not_adding_up(entry: Entry) -> Finding:
    """Single payments that do not add up to the entry cannot all be right."""
    amounts = [tx.amount for tx in entry.transactions]
    if len(amounts) < 2:
        return None
    if None in amounts or sum(a for a in amounts if a is not None) != entry.amount:
        return "batch_sum_mismatch", (
            "Die Einzelumsätze der Sammelbuchung ergeben nicht den gebuchten Betrag."
        )
    return None


SKIP: tuple[Rule, ...] = (entry_not_booked_yet, entry_of_nothing, ordinary_debit)
"""Entries nothing is done for (not kept as booked)."""
TO_A_CLERK: tuple[Rule, ...] = (
    payment_in_another_currency,
    reversed_debit,
    returned_transfer,
    batch_without_its_payments,
    batch_not_adding_up,
)
"""Entries a clerk gets whole, as one clarification item."""


def first_finding(rules: tuple[Rule, ...], entry: Entry) -> Finding:
    """What the first rule that finds something finds."""
    for rule in rules:
        finding = rule(entry)
        if finding is not None:
            return finding
    return None
