"""Booking money to a claim: one ``PaymentBooked`` per payment, recorded once.

Whatever brings the money — a bank statement, a payment provider's confirmation, a clerk who
assigns a clarified payment — books it here. The booking id is recorded in billing's own
database (``billing_bookings``) in the transaction that puts the event into the outbox
(``runtime.outbox``: the fee aggregate is written only through it): a booking id seen before
books nothing, so a statement imported twice, a provider's callback delivered twice, or a
retry after a crash never books twice. The event's commit id is derived from the booking id
too, so the log would recognise a repeat as well. The claim's fold (``domain.claim``)
counts a booking id once, whatever arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from uuid import UUID

import asyncpg

from contracts.base import DomainEvent
from contracts.events.billing import PaymentBooked
from runtime import outbox
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


async def book_in(
    conn: asyncpg.Connection, town: str, booking: PaymentBooked, cause: Cause
) -> bool:
    """Record ``booking`` inside the caller's transaction; False if it was booked before."""
    status: str = await conn.execute(
        "INSERT INTO public.billing_bookings (booking_id, case_id, town, cash_reference, amount)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (booking_id) DO NOTHING",
        booking.booking_id,
        booking.case_id,
        town,
        booking.cash_reference,
        booking.amount,
    )
    if status == "INSERT 0 0":
        return False
    await outbox.record(
        conn,
        fee_ref(town, booking.case_id),
        [booking],
        commit_id=derived_id("billing.booking", booking.booking_id),
        cause=cause,
    )
    return True


async def book(
    runtime: Runtime, town: str, case_id: UUID, booking: PaymentBooked, cause: Cause
) -> bool:
    """Book ``booking`` to the fee of ``case_id`` in ``town``; False if it was booked before."""
    if booking.case_id != case_id:
        raise ValueError("the booking names another case")
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL synchronous_commit TO ON")  # answered = kept
        return await book_in(conn, town, booking, cause)


async def booked_since_projection(
    conn: asyncpg.Connection, cash_references: Sequence[str]
) -> dict[str, Decimal]:
    """Per Kassenzeichen, what was booked but is not yet in the claims read model.

    The read model follows the log a moment later; a second import right after a first must
    still see the first's bookings, or it would take a payment on a paid claim for a new one.
    """
    rows = await conn.fetch(
        "SELECT b.cash_reference, sum(b.amount) AS amount FROM public.billing_bookings b"
        " WHERE b.cash_reference = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM"
        " rm_claims.bookings p WHERE p.booking_id = b.booking_id) GROUP BY b.cash_reference",
        list(cash_references),
    )
    return {row["cash_reference"]: row["amount"] for row in rows}
