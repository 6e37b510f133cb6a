"""What reconciling a statement yields: bookings, clarification items, skipped entries.

Every cent of every booked credit ends up in exactly one booking or one clarification item,
and each carries its ``Source`` — statement, entry, payer, remittance — so a booking can be
explained from the event that records it. Amounts are signed: a payment is positive, a
reversal negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from services.billing.statements.model import Party

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Claim:
    """What the caller knows of a claim: its Kassenzeichen, town and balance.

    Pass settled claims too (``open_amount`` zero): a payment on one is then recognised as an
    over-payment, not as an unknown reference, and a reversal finds what it reverses.
    """

    kassenzeichen: str
    town: str
    open_amount: Decimal
    paid_amount: Decimal = ZERO
    """What payments have been booked to it so far (what a reversal can take back)."""


class MatchedBy(StrEnum):
    """How a payment found its claim."""

    KASSENZEICHEN = "kassenzeichen"
    AMOUNT = "amount"
    """No known Kassenzeichen, and exactly one open claim of the town with that amount."""


class BookingKind(StrEnum):
    """Money on a claim (payment) or taken back from it (reversal)."""

    PAYMENT = "payment"
    REVERSAL = "reversal"


@dataclass(frozen=True, slots=True)
class Source:
    """Where the money of a booking or clarification came from."""

    key: str
    """The payment's idempotency key (what the caller keeps as booked)."""
    statement_id: str
    account_iban: str
    entry: int
    """The entry's position in its statement (1-based)."""
    bank_reference: str | None
    booking_date: date | None
    value_date: date | None
    amount: Decimal
    """The payment's whole amount (signed), of which a booking may take a part."""
    currency: str
    end_to_end_id: str | None
    payer: Party
    remittance: tuple[str, ...]
    return_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Booking:
    """Money booked to a claim."""

    id: str
    """``<key>#<n>``: unique per booking, stable across imports (a message id for its event)."""
    kassenzeichen: str
    town: str
    amount: Decimal
    kind: BookingKind
    matched_by: MatchedBy
    open_after: Decimal
    """The claim's open amount after this booking (zero: settled)."""
    source: Source


@dataclass(frozen=True, slots=True)
class Clarification:
    """Money a clerk of ``town`` has to assign by hand, with the reason in German."""

    id: str
    town: str
    """The town whose account received the money (whose clerks resolve it)."""
    amount: Decimal
    code: str
    reason: str
    kassenzeichen: tuple[str, ...]
    """The Kassenzeichen found or considered (candidates for the clerk)."""
    source: Source


@dataclass(frozen=True, slots=True)
class Skipped:
    """An entry (or payment) nothing was done for, and why; not kept as booked."""

    key: str
    code: str
    reason: str
    statement_id: str
    entry: int


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """The result of one import."""

    bookings: tuple[Booking, ...]
    clarifications: tuple[Clarification, ...]
    skipped: tuple[Skipped, ...]
    keys: frozenset[str]
    """The keys to keep as booked, in the same transaction as the bookings' events."""
