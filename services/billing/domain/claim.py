"""A fee's claim as its log tells it: what is owed, what was paid, what is still open (pure).

The claim is never stored as a number that could drift from its history: the fee assessed
(``FeeAssessed``) raises it, every ``PaymentBooked`` moves it (a reversal backwards), and the
open amount is the difference, folded from the events each time. Negative open means the
payer paid too much (a credit the town owes back). Settled is open ≤ 0 after at least one
booking, or a fee of nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from contracts.base import DomainEvent
from contracts.events.billing import FeeAssessed, PaymentBooked

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Claim:
    """One fee's claim: raised, paid, open."""

    case_id: UUID | None = None
    cash_reference: str | None = None
    raised: Decimal = ZERO
    """The fee assessed (plus, later, reminder fees and surcharges)."""
    paid: Decimal = ZERO
    """The sum of the bookings, reversals subtracted."""
    due_date: date | None = None
    booking_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def exists(self) -> bool:
        """Whether a fee was assessed (a claim raised) at all."""
        return self.cash_reference is not None

    @property
    def open(self) -> Decimal:
        """What is still owed; negative: paid too much."""
        return self.raised - self.paid

    @property
    def settled(self) -> bool:
        """Nothing more is owed."""
        return self.exists and self.open <= 0

    def knows(self, booking_id: str) -> bool:
        """Whether this booking was made before (a repeat must book nothing)."""
        return booking_id in self.booking_ids


def evolve(claim: Claim, event: DomainEvent) -> Claim:
    """The claim after ``event``; events that do not concern it leave it as it was."""
    if isinstance(event, FeeAssessed):
        return Claim(
            case_id=event.case_id,
            cash_reference=event.cash_reference,
            raised=claim.raised + event.amount,
            paid=claim.paid,
            due_date=event.due_date,
            booking_ids=claim.booking_ids,
        )
    if isinstance(event, PaymentBooked) and not claim.knows(event.booking_id):
        return Claim(
            case_id=claim.case_id or event.case_id,
            cash_reference=claim.cash_reference or event.cash_reference,
            raised=claim.raised,
            paid=claim.paid + event.amount,
            due_date=claim.due_date,
            booking_ids=claim.booking_ids | {event.booking_id},
        )
    return claim


def fold(history: Iterable[DomainEvent]) -> Claim:
    """The claim from its events, oldest first."""
    claim = Claim()
    for event in history:
        claim = evolve(claim, event)
    return claim
