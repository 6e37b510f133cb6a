"""Idempotency keys: the same payment in the same statement gets the same key, every time.

The caller keeps the keys of everything it booked or sent to clarification; an entry whose key
is among them is skipped, so importing a statement twice books nothing twice.

An entry's key is the account, the statement's id and the entry's reference: ``NtryRef`` where
the bank gives one, else its ``AcctSvcrRef``. A bank gives no reference for some entries;
their key is a hash of everything the entry says, its position in the statement included (two
equal payments of 26 € on one day are two payments, not a duplicate). A payment inside an entry
is keyed by its entry's key and its place in the entry (``…/1``, ``…/2`` in a batch).

The statement's id is part of every key, as banks scope ``NtryRef`` to the statement. The
price: the same movement delivered in two different messages (a camt.054 notification and
later the camt.053 statement) has two keys. So an account is imported either from camt.053 or
from camt.054, not from both — the caller's configuration decides which.
"""

from __future__ import annotations

import hashlib

from services.billing.statements.model import Entry, Statement, Transaction


def _transaction_content(tx: Transaction) -> list[str]:
    return [
        str(tx.amount),
        tx.end_to_end_id or "",
        tx.account_servicer_reference or "",
        tx.mandate_id or "",
        *tx.remittance.texts(),
        tx.debtor.name or "",
        tx.debtor.iban or "",
        tx.creditor.iban or "",
        tx.return_reason or "",
    ]


def content_hash(entry: Entry, *, with_position: bool = True) -> str:
    """A hash of what the entry says and where it stands (hex, 32 characters)."""
    parts = [
        str(entry.position) if with_position else "",
        f"{entry.amount} {entry.currency} {entry.direction} {entry.reversal} {entry.status}",
        str(entry.booking_date),
        str(entry.value_date),
        entry.bank_transaction_code or "",
        entry.additional_information or "",
    ]
    for tx in entry.transactions:
        parts.extend(_transaction_content(tx))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def entry_key(statement: Statement, entry: Entry) -> str:
    """``DE…:STATEMENT-ID:ref:NTRYREF`` — or ``…:sha256:…`` when the bank gives no reference."""
    scope = f"{statement.account_iban}:{statement.statement_id}"
    reference = entry.entry_reference or entry.account_servicer_reference
    if reference:
        return f"{scope}:ref:{reference}"
    return f"{scope}:sha256:{content_hash(entry)}"


def entry_keys(statement: Statement) -> tuple[str, ...]:
    """Every entry's key, in order; a reference the bank used twice is told apart.

    Two entries with one reference but different content are two movements: the second's
    key gets its content hash, so neither is taken for the other. The same entry listed twice
    keeps the same key, and its second listing is skipped as a duplicate.
    """
    keys: list[str] = []
    contents: dict[str, str] = {}
    for entry in statement.entries:
        key = entry_key(statement, entry)
        content = content_hash(entry, with_position=False)
        if contents.setdefault(key, content) != content:
            key = f"{key}:sha256:{content_hash(entry)}"
        keys.append(key)
    return tuple(keys)


def payment_key(entry_key: str, index: int) -> str:
    """The key of the ``index``-th payment (1-based) in an entry."""
    return f"{entry_key}/{index}"
