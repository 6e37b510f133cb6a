"""Statements and entries built directly, for the matching tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from services.billing.statements.model import (
    Direction,
    Entry,
    MessageKind,
    Party,
    Remittance,
    Statement,
    Transaction,
)
from services.billing.statements.outcomes import Claim
from tests.support.applications import AUGUSTUSBURG, WURZEN
from tests.unit.services.billing.statements.camt_files import (
    AUGUSTUSBURG_ACCOUNT,
    WURZEN_ACCOUNT,
)

ACCOUNTS = {WURZEN_ACCOUNT: WURZEN, AUGUSTUSBURG_ACCOUNT: AUGUSTUSBURG}
DAY = date(2026, 11, 20)
PAYER = Party("MUSTERMANN, MAX", "DE75120300001020304050")


def kz(number: int, town: str = WURZEN) -> str:
    """The Kassenzeichen ``<town>-2026-<number>``."""
    return f"{town}-2026-{number:06d}"


def claim(number: int, open_amount: str, paid: str = "0.00", town: str = WURZEN) -> Claim:
    """A claim of ``town`` with its open and paid amounts."""
    return Claim(kz(number, town), town, Decimal(open_amount), Decimal(paid))


def payment(
    amount: str,
    *remittance: str,
    end_to_end_id: str | None = None,
    return_reason: str | None = None,
) -> Transaction:
    """One transaction of ``amount`` with ``remittance`` lines."""
    return Transaction(
        amount=Decimal(amount),
        end_to_end_id=end_to_end_id,
        remittance=Remittance(tuple(remittance)),
        debtor=PAYER,
        return_reason=return_reason,
    )


def credit(
    amount: str,
    *remittance: str,
    reference: str | None = None,
    position: int = 1,
    transactions: tuple[Transaction, ...] | None = None,
    direction: Direction = Direction.CREDIT,
    reversal: bool = False,
    currency: str = "EUR",
    status: str = "BOOK",
    batch_size: int | None = None,
) -> Entry:
    """A booked entry (a credit unless told otherwise) with one payment of ``remittance``."""
    return Entry(
        position=position,
        amount=Decimal(amount),
        currency=currency,
        direction=direction,
        reversal=reversal,
        status=status,
        booking_date=DAY,
        value_date=DAY,
        account_servicer_reference=reference,
        batch_size=batch_size,
        transactions=(payment(amount, *remittance),) if transactions is None else transactions,
    )


def account_statement(
    *entries: Entry, statement_id: str = "S-1", iban: str = WURZEN_ACCOUNT
) -> Statement:
    """A camt.053 statement of ``entries``, numbered by position."""
    numbered = tuple(replace(e, position=i) for i, e in enumerate(entries, start=1))
    return Statement(
        kind=MessageKind.STATEMENT,
        message_type="camt.053.001.02",
        message_id=f"MSG-{statement_id}",
        statement_id=statement_id,
        account_iban=iban,
        account_currency="EUR",
        created_at=None,
        from_date=DAY,
        to_date=DAY,
        sequence_number=None,
        entries=numbered,
    )
