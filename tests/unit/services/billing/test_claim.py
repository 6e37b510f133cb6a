"""A claim folded from its fee's log: raised, paid, open — and every booking counted once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from contracts.events.billing import FeeAssessed, PaymentBooked
from services.billing.bookings import NoSuchClaim, decide_booking
from services.billing.domain.claim import fold

CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
AT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
ASSESSED = FeeAssessed(
    case_id=CASE,
    procedure="gewerbeanmeldung",
    amount=Decimal("26.00"),
    cash_reference="14729410-2026-000123",
    due_date=date(2026, 12, 30),
    assessed_at=AT,
)


def booking(booking_id: str, amount: str, kind: str = "payment") -> PaymentBooked:
    return PaymentBooked.model_validate(
        {
            "case_id": CASE,
            "cash_reference": ASSESSED.cash_reference,
            "booking_id": booking_id,
            "kind": kind,
            "amount": amount,
            "channel": "bank_statement",
            "matched_by": "kassenzeichen",
            "booked_at": AT,
        }
    )


def test_a_claim_is_open_until_its_bookings_reach_the_fee() -> None:
    assert not fold([]).exists
    claim = fold([ASSESSED])
    assert (claim.raised, claim.paid, claim.open, claim.settled) == (
        Decimal("26.00"),
        Decimal("0.00"),
        Decimal("26.00"),
        False,
    )
    part = fold([ASSESSED, booking("a#1", "10.00")])
    assert (part.open, part.settled) == (Decimal("16.00"), False)
    paid = fold([ASSESSED, booking("a#1", "10.00"), booking("b#1", "16.00")])
    assert (paid.open, paid.settled) == (Decimal("0.00"), True)


def test_a_reversal_reopens_it_and_an_overpayment_is_a_credit() -> None:
    reversed_ = fold([ASSESSED, booking("a#1", "26.00"), booking("r#1", "-26.00", "reversal")])
    assert (reversed_.open, reversed_.settled) == (Decimal("26.00"), False)
    over = fold([ASSESSED, booking("a#1", "30.00")])
    assert (over.open, over.settled) == (Decimal("-4.00"), True)


def test_a_booking_is_counted_once_however_often_it_arrives() -> None:
    twice = fold([ASSESSED, booking("a#1", "10.00"), booking("a#1", "10.00")])
    assert twice.paid == Decimal("10.00")
    assert decide_booking([ASSESSED], booking("a#1", "10.00")) == [booking("a#1", "10.00")]
    assert decide_booking([ASSESSED, booking("a#1", "10.00")], booking("a#1", "10.00")) == []
    with pytest.raises(NoSuchClaim):
        decide_booking([], booking("a#1", "10.00"))
