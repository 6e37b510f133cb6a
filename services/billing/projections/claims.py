"""Read model of the claims: each fee's balance, its bookings, and money awaiting clarification.

Folded from billing's own log only — ``FeeAssessed`` raises a claim, ``PaymentBooked`` moves
its paid amount, ``PaymentAwaitingClarification`` / ``ClarificationResolved`` keep the
clarification queue — so it can be rebuilt at any time and then agrees with the log to the
cent. The towns' accounts (from ``FeeScheduleAdopted``) tell a statement's account's town.
"""

from __future__ import annotations

import asyncpg

from contracts.base import DomainEvent
from contracts.events.billing import (
    ClarificationResolved,
    FeeAssessed,
    FeeScheduleAdopted,
    PaymentAwaitingClarification,
    PaymentBooked,
)
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.projection import Projection

DDL = """
CREATE TABLE claims (
    case_id        uuid PRIMARY KEY,
    town           text NOT NULL,
    cash_reference text NOT NULL UNIQUE,
    procedure      text NOT NULL,
    raised         numeric(12, 2) NOT NULL,
    paid           numeric(12, 2) NOT NULL DEFAULT 0,
    due_date       date NOT NULL,
    assessed_at    timestamptz NOT NULL,
    settled_at     timestamptz
);
CREATE INDEX claims_open ON claims (town, due_date) WHERE paid < raised;
CREATE TABLE bookings (
    booking_id     text PRIMARY KEY,
    case_id        uuid NOT NULL,
    cash_reference text NOT NULL,
    town           text NOT NULL,
    kind           text NOT NULL,
    amount         numeric(12, 2) NOT NULL,
    channel        text NOT NULL,
    matched_by     text NOT NULL,
    booked_at      timestamptz NOT NULL,
    value_date     date,
    statement_id   text,
    entry          integer,
    bank_reference text,
    provider_reference text,
    booked_by      text
);
CREATE INDEX bookings_of_claim ON bookings (case_id, booked_at);
CREATE TABLE accounts (
    iban text PRIMARY KEY,
    town text NOT NULL
);
CREATE TABLE clarifications (
    item_id        text PRIMARY KEY,
    town           text NOT NULL,
    amount         numeric(12, 2) NOT NULL,
    code           text NOT NULL,
    reason         text NOT NULL,
    candidates     text[] NOT NULL,
    account_iban   text NOT NULL,
    statement_id   text NOT NULL,
    entry          integer NOT NULL,
    bank_reference text,
    booking_date   date,
    value_date     date,
    received_at    timestamptz NOT NULL,
    resolution     text,
    cash_reference text,
    note           text,
    resolved_by    text,
    resolved_at    timestamptz
);
CREATE INDEX clarifications_open ON clarifications (town, received_at) WHERE resolution IS NULL;
"""


async def apply(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
    """Keep balances, bookings, accounts and the clarification queue."""
    event, town = envelope.event, envelope.meta.tenant
    if isinstance(event, FeeAssessed):
        await conn.execute(
            "INSERT INTO claims (case_id, town, cash_reference, procedure, raised, due_date,"
            " assessed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id) DO NOTHING",
            event.case_id,
            town,
            event.cash_reference,
            event.procedure,
            event.amount,
            event.due_date,
            event.assessed_at,
        )
    elif isinstance(event, PaymentBooked):
        await _booked(conn, town, event)
    elif isinstance(event, FeeScheduleAdopted) and event.account is not None:
        await conn.execute(
            "INSERT INTO accounts VALUES ($1, $2) ON CONFLICT (iban) DO UPDATE SET town = $2",
            event.account.iban.replace(" ", "").upper(),
            town,
        )
    elif isinstance(event, PaymentAwaitingClarification):
        await conn.execute(
            "INSERT INTO clarifications (item_id, town, amount, code, reason, candidates,"
            " account_iban, statement_id, entry, bank_reference, booking_date, value_date,"
            " received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
            " ON CONFLICT (item_id) DO NOTHING",
            event.item_id,
            event.town,
            event.amount,
            event.code,
            event.reason,
            event.candidates,
            event.account_iban,
            event.statement_id,
            event.entry,
            event.bank_reference,
            event.booking_date,
            event.value_date,
            event.received_at,
        )
    elif isinstance(event, ClarificationResolved):
        await conn.execute(
            "UPDATE clarifications SET resolution = $2, cash_reference = $3, note = $4,"
            " resolved_by = $5, resolved_at = $6 WHERE item_id = $1 AND resolution IS NULL",
            event.item_id,
            event.resolution,
            event.cash_reference,
            event.note,
            event.resolved_by_name,
            event.resolved_at,
        )


async def _booked(conn: asyncpg.Connection, town: str, event: PaymentBooked) -> None:
    inserted = await conn.execute(
        "INSERT INTO bookings VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
        " $14, $15) ON CONFLICT (booking_id) DO NOTHING",
        event.booking_id,
        event.case_id,
        event.cash_reference,
        town,
        event.kind,
        event.amount,
        event.channel,
        event.matched_by,
        event.booked_at,
        event.value_date,
        event.statement_id,
        event.entry,
        event.bank_reference,
        event.provider_reference,
        event.booked_by,
    )
    if inserted == "INSERT 0 0":
        return
    await conn.execute(
        "UPDATE claims SET paid = paid + $2,"
        " settled_at = CASE WHEN paid + $2 >= raised THEN coalesce(settled_at, $3) END"
        " WHERE case_id = $1",
        event.case_id,
        event.amount,
        event.booked_at,
    )


PROJECTION = Projection(
    name="claims",
    owner=Service.BILLING,
    sources=(Service.BILLING,),
    event_types=frozenset(
        {
            FeeAssessed.type_name,
            PaymentBooked.type_name,
            FeeScheduleAdopted.type_name,
            PaymentAwaitingClarification.type_name,
            ClarificationResolved.type_name,
        }
    ),
    handle=apply,
    migrations=(DDL,),
    opens_personal_data=False,
)
