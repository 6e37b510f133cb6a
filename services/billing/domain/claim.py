"""A fee's claim as its log tells it: what is owed, what was paid, what is still open (pure).

The claim is never stored as a number that could drift from its history: the fee assessed
(``FeeAssessed``) raises it, so do a reminder's fee (``ReminderIssued``) and each late-payment
surcharge (``LateSurchargeCharged``); every ``PaymentBooked`` moves it (a reversal
backwards), and the open amount is the difference, folded from the events each time. Negative
open means the payer paid too much (a credit the town owes back). Settled is open ≤ 0 after at
least one booking, or a fee of nothing.

A fee notice cancelled (``FeeNoticeCancelled``) or amended (``FeeAmended``) moves the fee and
the claim by the correction it records; a cancelled claim takes no further correction. Reminder
fees and surcharges already incurred stay (§ 240 (1) sentence 4 AO).

The fold also knows how far the dunning has gone — whether a notice was issued, the reminder
and its due date, the surcharge months charged, the handover to enforcement — so the timers
(``domain.reminders``) decide each step once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from uuid import UUID

from contracts.base import DomainEvent
from contracts.calendar import german_date
from contracts.events.billing import (
    FeeAmended,
    FeeAssessed,
    FeeNoticeCancelled,
    FeeNoticeIssued,
    HandedOverForEnforcement,
    LateSurchargeCharged,
    PaymentBooked,
    ReminderIssued,
)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Claim:
    """One fee's claim: raised, paid, open, and how far its dunning has gone."""

    case_id: UUID | None = None
    cash_reference: str | None = None
    procedure: str | None = None
    fee: Decimal = ZERO
    """The fee assessed alone (what surcharges are charged on)."""
    raised: Decimal = ZERO
    """The fee assessed plus reminder fees and surcharges."""
    paid: Decimal = ZERO
    """The sum of the bookings, reversals subtracted."""
    due_date: date | None = None
    booking_ids: frozenset[str] = field(default_factory=frozenset)
    noticed: bool = False
    """Whether the fee notice (Gebührenbescheid) was issued: nobody is reminded of a fee
    never made known."""
    reminded_on: date | None = None
    reminder_due_date: date | None = None
    surcharge_months: frozenset[int] = field(default_factory=frozenset)
    handed_over: bool = False
    noticed_on: date | None = None
    """The day of the latest notice (an amendment replaces it)."""
    corrections: int = 0
    """How many corrections (cancellation, amendments) were recorded."""
    cancelled: bool = False
    produkt: str | None = None
    sachkonto: str | None = None

    @property
    def exists(self) -> bool:
        """Whether a fee was assessed (a claim raised) at all."""
        return self.cash_reference is not None

    @property
    def open(self) -> Decimal:
        """What is still owed; negative: paid too much."""
        return self.raised - self.paid

    @property
    def open_fee(self) -> Decimal:
        """What is still owed of the fee itself: payments go to the fee first (§ 225 AO)."""
        return max(ZERO, self.fee - self.paid)

    @property
    def settled(self) -> bool:
        """Nothing more is owed."""
        return self.exists and self.open <= 0

    @property
    def reminded(self) -> bool:
        """Whether the reminder was issued."""
        return self.reminded_on is not None

    def knows(self, booking_id: str) -> bool:
        """Whether this booking was made before (a repeat must book nothing)."""
        return booking_id in self.booking_ids


def evolve(claim: Claim, event: DomainEvent) -> Claim:
    """The claim after ``event``; events that do not concern it leave it as it was."""
    if isinstance(event, FeeAssessed):
        return replace(
            claim,
            case_id=event.case_id,
            cash_reference=event.cash_reference,
            procedure=event.procedure,
            fee=claim.fee + event.amount,
            raised=claim.raised + event.amount,
            due_date=event.due_date,
            produkt=event.produkt,
            sachkonto=event.sachkonto,
        )
    if isinstance(event, PaymentBooked) and not claim.knows(event.booking_id):
        return replace(
            claim,
            case_id=claim.case_id or event.case_id,
            cash_reference=claim.cash_reference or event.cash_reference,
            paid=claim.paid + event.amount,
            booking_ids=claim.booking_ids | {event.booking_id},
        )
    return _corrected(claim, event)


def _corrected(claim: Claim, event: DomainEvent) -> Claim:
    if isinstance(event, FeeNoticeCancelled) and event.number > claim.corrections:
        return replace(
            claim,
            fee=claim.fee + event.correction,
            raised=claim.raised + event.correction,
            corrections=event.number,
            cancelled=True,
        )
    if isinstance(event, FeeAmended) and event.number > claim.corrections:
        return replace(
            claim,
            fee=claim.fee + event.correction,
            raised=claim.raised + event.correction,
            due_date=event.due_date,
            corrections=event.number,
        )
    return _dunning(claim, event)


def _dunning(claim: Claim, event: DomainEvent) -> Claim:
    if isinstance(event, FeeNoticeIssued):
        return replace(claim, noticed=True, noticed_on=german_date(event.issued_at))
    if isinstance(event, ReminderIssued) and not claim.reminded:
        return replace(
            claim,
            raised=claim.raised + event.reminder_fee,
            reminded_on=german_date(event.issued_at),
            reminder_due_date=event.due_date,
        )
    if isinstance(event, LateSurchargeCharged) and event.month not in claim.surcharge_months:
        return replace(
            claim,
            raised=claim.raised + event.amount,
            surcharge_months=claim.surcharge_months | {event.month},
        )
    if isinstance(event, HandedOverForEnforcement):
        return replace(claim, handed_over=True)
    return claim


def fold(history: Iterable[DomainEvent]) -> Claim:
    """The claim from its events, oldest first."""
    claim = Claim()
    for event in history:
        claim = evolve(claim, event)
    return claim
