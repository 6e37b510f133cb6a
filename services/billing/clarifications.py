"""Resolving money that awaits clarification: a clerk of the owning town says where it belongs.

Assigned to a claim, it is booked there (``bookings.book_in``, booking id fixed by the item, so
a repeated click books nothing twice); a refund or "not ours" leaves the claims alone. The
item is marked resolved in the same transaction that records the events in the outbox, under
a row lock: two clerks resolving one item at once get one resolution and one conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from contracts.events.billing import ClarificationResolved, PaymentBooked
from runtime import outbox
from runtime.auth import Identity
from runtime.eventstore import Cause
from runtime.ids import derived_id, new_id
from runtime.service import Runtime
from services.billing.aggregates import clarification_ref
from services.billing.bookings import book_in

Resolution = Literal["assigned", "refund", "not_ours"]


class ItemNotFound(LookupError):
    """No such item in this town (or none the caller may see)."""


class AlreadyResolved(Exception):
    """Someone resolved the item before."""


@dataclass(frozen=True)
class UnknownClaim(ValueError):
    """The Kassenzeichen named is no claim of the town."""

    cash_reference: str


async def resolve(
    runtime: Runtime,
    identity: Identity,
    town: str,
    item_id: str,
    resolution: Resolution,
    *,
    cash_reference: str | None,
    note: str,
) -> ClarificationResolved:
    """Record the clerk's resolution (and, if assigned, the booking)."""
    now = datetime.now(UTC)
    cause = Cause(actor=f"clerk:{identity.subject}", correlation_id=new_id())
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL synchronous_commit TO ON")  # answered = kept
        item = await conn.fetchrow(
            "SELECT amount, resolution FROM public.billing_clarification_items"
            " WHERE item_id = $1 AND town = $2 FOR UPDATE",
            item_id,
            town,
        )
        if item is None:
            raise ItemNotFound(item_id)
        if item["resolution"] is not None:
            raise AlreadyResolved(item_id)
        if resolution == "assigned":
            assert cash_reference is not None
            case_id = await conn.fetchval(
                "SELECT case_id FROM rm_claims.claims WHERE cash_reference = $1 AND town = $2",
                cash_reference,
                town,
            )
            if case_id is None:
                raise UnknownClaim(cash_reference)
            amount = item["amount"]
            await book_in(
                conn,
                town,
                PaymentBooked(
                    case_id=case_id,
                    cash_reference=cash_reference,
                    booking_id=f"clarification:{item_id}",
                    kind="payment" if amount >= 0 else "reversal",
                    amount=amount,
                    channel="clarification",
                    matched_by="clerk",
                    booked_at=now,
                    booked_by=identity.name,
                ),
                cause,
            )
        await conn.execute(
            "UPDATE public.billing_clarification_items SET resolution = $2, resolved_at = $3"
            " WHERE item_id = $1",
            item_id,
            resolution,
            now,
        )
        event = ClarificationResolved(
            item_id=item_id,
            town=town,
            resolution=resolution,
            cash_reference=cash_reference if resolution == "assigned" else None,
            note=note,
            resolved_by=identity.subject,
            resolved_by_name=identity.name,
            resolved_at=now,
        )
        await outbox.record(
            conn,
            clarification_ref(town, item_id),
            [event],
            commit_id=derived_id("billing.clarification.resolved", item_id),
            cause=cause,
        )
    return event
