"""Booking money to a claim: one ``PaymentBooked`` per payment, decided on the fee's own log.

Whatever brings the money — a bank statement, a payment provider's confirmation, a clerk who
assigns a clarified payment — books it here. The decision is taken on the fee aggregate's
history (``domain.claim``): a booking id seen before books nothing, so a statement imported
twice, a provider's callback delivered twice, or a retry after a lost acknowledgement never
books twice. The commit id is derived from the booking id as well, so a retry whose first
append did land is recognised by the server as that same commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from contracts.base import DomainEvent
from contracts.events.billing import PaymentBooked
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.service import Runtime
from services.billing.aggregates import fee_ref
from services.billing.domain.claim import Claim, fold


class NoSuchClaim(LookupError):
    """No fee was assessed under this case (nothing to book to)."""


def decide_booking(history: Sequence[DomainEvent], booking: PaymentBooked) -> list[DomainEvent]:
    """``[booking]``, or nothing if the claim knows it; ``NoSuchClaim`` without a claim."""
    claim: Claim = fold(history)
    if not claim.exists:
        raise NoSuchClaim(str(booking.case_id))
    if claim.knows(booking.booking_id):
        return []
    return [booking]


async def book(
    runtime: Runtime, town: str, case_id: UUID, booking: PaymentBooked, cause: Cause
) -> bool:
    """Book ``booking`` to the fee of ``case_id`` in ``town``; False if it was booked before."""
    appended = await runtime.store.decide_and_append(
        fee_ref(town, case_id),
        lambda history: decide_booking(history, booking),
        cause=cause,
        commit_id=derived_id("billing.booking", booking.booking_id),
    )
    return bool(appended)
