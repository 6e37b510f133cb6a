"""Online payments in billing's database: started with their event, ended or booked once.

A payment's row (``billing_online_payments``) is written in the transaction that records its
``OnlinePaymentStarted`` in the outbox. A provider's report is applied in one transaction
that locks the row, refuses a nonce seen before (``billing_provider_nonces``: a replayed
callback) and a report that breaks a rule (``matching``), and then books the money through
``bookings.book_in`` — whose booking id, ``online:{provider}:{provider_reference}``, is
recorded once, so a duplicate confirmation with a fresh nonce books nothing again — or
records ``OnlinePaymentFailed`` once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

import asyncpg

from contracts.events.billing import OnlinePaymentFailed, OnlinePaymentStarted, PaymentBooked
from runtime import outbox
from runtime.eventstore import Cause
from runtime.ids import derived_id
from services.billing.aggregates import online_payment_ref
from services.billing.bookings import book_in, booked_since_projection
from services.billing.payments.matching import StartedPayment, broken_rules
from services.billing.payments.provider import ProviderReport
from services.billing.payments.signing import MessageRefused

Applied = Literal["booked", "already_booked", "ended", "already_ended", "pending"]
NONCES_KEPT = timedelta(days=1)
"""Far beyond the signatures' window: an older nonce is refused by its timestamp anyway."""


@dataclass(frozen=True)
class OpenClaim:
    """A claim as the citizen may pay it: its town, and what is still open."""

    case_id: UUID
    town: str
    cash_reference: str
    open: Decimal


def booking_id(provider: str, provider_reference: str) -> str:
    """The booking id of an online payment: one per payment at its provider."""
    return f"online:{provider}:{provider_reference}"


async def open_claim(pool: asyncpg.Pool, cash_reference: str) -> OpenClaim | None:
    """The claim of a Kassenzeichen with its open amount, bookings not yet projected counted."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT case_id, town, raised, paid FROM rm_claims.claims WHERE cash_reference = $1",
            cash_reference,
        )
        if row is None:
            return None
        unseen = await booked_since_projection(conn, [cash_reference])
    paid = row["paid"] + unseen.get(cash_reference, Decimal("0"))
    return OpenClaim(row["case_id"], row["town"], cash_reference, row["raised"] - paid)


async def record_start(
    pool: asyncpg.Pool, started: StartedPayment, redirect_url: str, at: datetime, cause: Cause
) -> None:
    """Record the payment and its ``OnlinePaymentStarted`` in one transaction."""
    event = OnlinePaymentStarted(
        payment_id=started.payment_id,
        case_id=started.case_id,
        cash_reference=started.cash_reference,
        amount=started.amount,
        currency=started.currency,
        provider=started.provider,
        provider_reference=started.provider_reference,
        started_at=at,
    )
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO public.billing_online_payments (payment_id, town, case_id,"
            " cash_reference, amount, currency, provider, provider_reference, redirect_url,"
            " started_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            started.payment_id,
            started.town,
            started.case_id,
            started.cash_reference,
            started.amount,
            started.currency,
            started.provider,
            started.provider_reference,
            redirect_url,
            at,
        )
        await outbox.record(
            conn,
            online_payment_ref(started.town, started.payment_id),
            [event],
            commit_id=derived_id("billing.online-payment", started.payment_id, "started"),
            cause=cause,
            expected_seq=0,
        )


def _started(row: Any) -> StartedPayment:
    return StartedPayment(
        payment_id=row["payment_id"],
        town=row["town"],
        case_id=row["case_id"],
        cash_reference=row["cash_reference"],
        amount=row["amount"],
        currency=row["currency"],
        provider=row["provider"],
        provider_reference=row["provider_reference"],
        status=row["status"],
    )


async def payment(pool: asyncpg.Pool, payment_id: UUID) -> tuple[StartedPayment, str] | None:
    """A payment as recorded, with the provider's page for it."""
    row = await pool.fetchrow(
        "SELECT * FROM public.billing_online_payments WHERE payment_id = $1", payment_id
    )
    return None if row is None else (_started(row), row["redirect_url"])


async def apply_report(
    pool: asyncpg.Pool, provider: str, report: ProviderReport, at: datetime, cause: Cause
) -> Applied:
    """Apply a verified report once; raises ``MessageRefused`` (replayed, unknown, mismatch)."""
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            "SELECT * FROM public.billing_online_payments WHERE payment_id = $1 FOR UPDATE",
            report.payment_id,
        )
        if row is None or row["provider"] != provider:
            raise MessageRefused("unknown", "Diese Zahlung ist hier nicht bekannt.")
        await _nonce_once(conn, provider, report.nonce)
        started = _started(row)
        broken = broken_rules(started, report)
        if broken:
            raise MessageRefused("mismatch", " ".join(reason for _, reason in broken))
        if report.status == "paid":
            return await _book(conn, started, at, cause)
        if report.status in ("failed", "cancelled"):
            return await _end(conn, started, report, at, cause)
        return "pending"


async def _nonce_once(conn: asyncpg.Connection, provider: str, nonce: str) -> None:
    status: str = await conn.execute(
        "INSERT INTO public.billing_provider_nonces (provider, nonce) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING",
        provider,
        nonce,
    )
    if status == "INSERT 0 0":
        raise MessageRefused(
            "replayed", "Diese Nachricht wurde bereits empfangen (Wiederholung) und wird verworfen."
        )
    await conn.execute(
        "DELETE FROM public.billing_provider_nonces WHERE seen_at < now() - $1::interval",
        NONCES_KEPT,
    )


async def _book(
    conn: asyncpg.Connection, started: StartedPayment, at: datetime, cause: Cause
) -> Applied:
    booking = PaymentBooked(
        case_id=started.case_id,
        cash_reference=started.cash_reference,
        booking_id=booking_id(started.provider, started.provider_reference),
        kind="payment",
        amount=started.amount,
        currency=started.currency,
        channel="online",
        matched_by="provider",
        booked_at=at,
        value_date=at.date(),
        provider_reference=started.provider_reference,
    )
    booked = await book_in(conn, started.town, booking, cause)
    await conn.execute(
        "UPDATE public.billing_online_payments SET status = 'paid', ended_at = $2"
        " WHERE payment_id = $1 AND status <> 'paid'",
        started.payment_id,
        at,
    )
    return "booked" if booked else "already_booked"


async def _end(
    conn: asyncpg.Connection,
    started: StartedPayment,
    report: ProviderReport,
    at: datetime,
    cause: Cause,
) -> Applied:
    if started.status != "pending":
        return "already_ended"
    assert report.status in ("failed", "cancelled")
    await conn.execute(
        "UPDATE public.billing_online_payments SET status = $2, ended_at = $3"
        " WHERE payment_id = $1",
        started.payment_id,
        report.status,
        at,
    )
    event = OnlinePaymentFailed(
        payment_id=started.payment_id,
        case_id=started.case_id,
        cash_reference=started.cash_reference,
        provider=started.provider,
        provider_reference=started.provider_reference,
        outcome=report.status,
        ended_at=at,
    )
    await outbox.record(
        conn,
        online_payment_ref(started.town, started.payment_id),
        [event],
        commit_id=derived_id("billing.online-payment", started.payment_id, "ended"),
        cause=cause,
    )
    return "ended"
