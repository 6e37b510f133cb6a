"""Reconciling bank statement entries with claims: bookings and clarification items (pure).

For every booked entry of a statement, in order:

1. Entries that are no payment on a claim are skipped, with the reason: not yet booked by the
   bank, zero, or an ordinary debit from the town's account (a refund, a bank fee).
2. Entries a machine must not split are a clarification item as a whole: another currency
   than EUR, a reversed debit, a returned transfer of the town's, a batch whose single
   payments the statement does not list (they come with the camt.054) or whose single
   payments do not add up to the entry (``entry_rules.py``).
3. Each payment in the entry (a batch has several) is matched by the Kassenzeichen in its
   remittance information: the claims named are paid in the order they are named, each up to
   its open amount; what is left — an over-payment, money for a settled claim, for another
   town's claim or for an unknown Kassenzeichen — is a clarification item saying why. A payment
   naming no known Kassenzeichen is matched by its amount when exactly one open claim of the
   town has that amount; with none or several it is a clarification item.
4. A reversal (a debit reversing an earlier credit, or a returned direct debit — an
   R-transaction) takes back from the claims its remittance names, each up to what was paid
   on it; what it cannot take back is a clarification item.

Each payment has an idempotency key (``keys.py``); a payment whose key is in ``booked`` (or
was met earlier in the same call) is skipped, so the same statement imported twice books
nothing twice and raises no clarification item twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from decimal import Decimal

from services.billing.statements import wording
from services.billing.statements.entry_rules import SKIP, TO_A_CLERK, first_finding
from services.billing.statements.keys import entry_keys
from services.billing.statements.matching_run import Payment, Run, payments_of
from services.billing.statements.model import Entry, Statement
from services.billing.statements.outcomes import BookingKind, Claim, MatchedBy, Reconciliation
from services.billing.statements.references import find_references, is_without_town
from services.billing.statements.refusals import StatementRefused


def reconcile(
    statements: Iterable[Statement],
    claims: Iterable[Claim],
    *,
    account_towns: Mapping[str, str],
    booked: Set[str],
    by_amount: bool = True,
) -> Reconciliation:
    """Bookings, clarification items and skipped entries for ``statements``.

    ``account_towns`` maps each account's IBAN to the town (AGS) it belongs to; a statement of
    another account is refused. ``booked`` holds the keys of earlier imports. With
    ``by_amount=False`` a payment without a known Kassenzeichen is never booked by its amount.
    """
    statements = list(statements)
    towns = [_town_of(statement, account_towns) for statement in statements]
    run = Run(claims, booked)
    for statement, town in zip(statements, towns, strict=True):
        for entry, key in zip(statement.entries, entry_keys(statement), strict=True):
            _reconcile_entry(run, statement, entry, key, town, by_amount)
    return run.result()


def _town_of(statement: Statement, account_towns: Mapping[str, str]) -> str:
    town = account_towns.get(statement.account_iban)
    if town is None:
        raise StatementRefused.because(
            "unknown_account",
            f"Das Konto {statement.account_iban} des Auszugs {statement.statement_id} gehört"
            " keiner Gemeinde; der Auszug wird nicht eingelesen.",
        )
    return town


def _reconcile_entry(
    run: Run, statement: Statement, entry: Entry, key: str, town: str, by_amount: bool
) -> None:
    skip = first_finding(SKIP, entry)
    if skip is not None:
        run.skip(key, *skip, statement, entry)
        return
    whole = first_finding(TO_A_CLERK, entry)
    payments = payments_of(statement, entry, key, town, whole=whole is not None)
    for payment in payments:
        if run.seen(payment.source.key):
            run.skip(payment.source.key, "duplicate", "Bereits eingelesen.", statement, entry)
        elif whole is not None:
            run.clarify(payment, payment.source.amount, *whole, ())
        elif payment.source.amount < 0:
            _reverse(run, payment, town)
        else:
            _pay(run, payment, town, by_amount)


def _references(payment: Payment, town: str) -> list[str]:
    found = find_references(payment.texts)
    if not found and payment.source.end_to_end_id:
        found = find_references([payment.source.end_to_end_id])
    return list(dict.fromkeys(f"{town}-{r}" if is_without_town(r) else r for r in found))


def _pay(run: Run, payment: Payment, town: str, by_amount: bool) -> None:
    references = _references(payment, town)
    mine, foreign, unknown = run.sort_references(references, town)
    rest = payment.source.amount
    for kassenzeichen in mine:
        share = min(rest, run.open_of(kassenzeichen))
        if share > 0:
            run.book(payment, kassenzeichen, share, BookingKind.PAYMENT, MatchedBy.KASSENZEICHEN)
            rest -= share
    if rest == 0:
        return
    candidates = run.open_with(town, rest) if by_amount and not mine and not foreign else []
    if len(candidates) == 1:
        run.book(payment, candidates[0], rest, BookingKind.PAYMENT, MatchedBy.AMOUNT)
        return
    found = (mine, foreign, unknown)
    code, reason = _why_unassigned(payment.source.amount, rest, found, run, candidates, town)
    run.clarify(payment, rest, code, reason, tuple(references or candidates))


def _why_unassigned(
    amount: Decimal,
    rest: Decimal,
    found: tuple[list[str], list[str], list[str]],
    run: Run,
    candidates: Sequence[str],
    town: str,
) -> tuple[str, str]:
    """Why money of a payment is left (code, German reason)."""
    mine, foreign, unknown = found
    if mine and rest < amount:
        return "overpayment", wording.overpaid(rest, mine, unknown)
    if mine:
        return "claim_settled", wording.settled(mine)
    if foreign:
        return "other_town", wording.other_town(foreign, run.towns_of(foreign), town)
    if unknown:
        return "unknown_reference", wording.unknown(unknown)
    if candidates:
        return "ambiguous_amount", wording.ambiguous(rest, len(candidates))
    return "no_reference", wording.no_reference(rest)


def _reverse(run: Run, payment: Payment, town: str) -> None:
    mine, _, _ = run.sort_references(_references(payment, town), town)
    rest = -payment.source.amount
    for kassenzeichen in mine:
        share = min(rest, run.paid_on(kassenzeichen))
        if share > 0:
            run.book(payment, kassenzeichen, -share, BookingKind.REVERSAL, MatchedBy.KASSENZEICHEN)
            rest -= share
    if rest > 0:
        reason = wording.reversal_unmatched(rest, payment.source.return_reason, mine)
        run.clarify(payment, -rest, "reversal_unmatched", reason, tuple(mine))
