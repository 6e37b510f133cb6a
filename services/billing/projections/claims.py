"""Read model of the claims: each fee's balance, its bookings, and money awaiting clarification.

Folded from billing's own log only — ``FeeAssessed`` raises a claim (so do a reminder's fee
and each late-payment surcharge), ``PaymentBooked`` moves its paid amount,
``PaymentAwaitingClarification`` / ``ClarificationResolved`` keep the clarification queue —
so it can be rebuilt at any time and then agrees with the log to the cent. The towns'
accounts (from ``FeeScheduleAdopted``) tell a statement's account's town.
"""

from __future__ import annotations

import asyncpg

from contracts.base import DomainEvent
from contracts.events.billing import (
    ClarificationResolved,
    DogTaxAssessed,
    FeeAmended,
    FeeAssessed,
    FeeNoticeCancelled,
    FeeScheduleAdopted,
    HandedOverForEnforcement,
    LateSurchargeCharged,
    PaymentAwaitingClarification,
    PaymentBooked,
    ReminderIssued,
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

DUNNING = """
ALTER TABLE claims ADD COLUMN reminder_fees   numeric(12, 2) NOT NULL DEFAULT 0;
ALTER TABLE claims ADD COLUMN surcharges      numeric(12, 2) NOT NULL DEFAULT 0;
ALTER TABLE claims ADD COLUMN reminded_at     timestamptz;
ALTER TABLE claims ADD COLUMN reminder_due    date;
ALTER TABLE claims ADD COLUMN handed_over_at  timestamptz;
ALTER TABLE claims ADD COLUMN handed_over_amount numeric(12, 2);
CREATE INDEX claims_handed_over ON claims (town, handed_over_at) WHERE handed_over_at IS NOT NULL;
CREATE TABLE surcharges (
    case_id    uuid NOT NULL,
    month      integer NOT NULL,
    amount     numeric(12, 2) NOT NULL,
    charged_at timestamptz NOT NULL,
    PRIMARY KEY (case_id, month)
);
"""
"""Reminder fees and surcharges raise a claim (``raised`` includes them, as the fold's does);
the reminder and the handover for enforcement are kept for the town's lists."""

INSTALMENTS = """
CREATE TABLE instalments (
    case_id uuid NOT NULL,
    due     date NOT NULL,
    amount  numeric(12, 2) NOT NULL,
    PRIMARY KEY (case_id, due)
);
CREATE INDEX instalments_by_due ON instalments (due);
CREATE TABLE direct_debits (
    case_id           uuid PRIMARY KEY,
    town              text NOT NULL,
    year              integer NOT NULL,
    keeper_key        text NOT NULL,
    mandate_reference text NOT NULL,
    dogs              uuid[] NOT NULL
);
"""
"""An annual tax's instalments, and the claims collected by SEPA direct debit (the dog tax's
keepers who gave a mandate): what a direct-debit file of a due day collects."""

CORRECTIONS = """
ALTER TABLE claims ADD COLUMN corrections  numeric(12, 2) NOT NULL DEFAULT 0;
ALTER TABLE claims ADD COLUMN cancelled_at timestamptz;
CREATE INDEX claims_credit ON claims (town) WHERE paid > raised;
CREATE TABLE corrections (
    case_id     uuid NOT NULL,
    number      integer NOT NULL,
    kind        text NOT NULL,
    amount      numeric(12, 2),
    correction  numeric(12, 2) NOT NULL,
    due_date    date,
    reason      text NOT NULL,
    by_name     text NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (case_id, number)
);
"""
"""A cancelled or amended notice moves ``raised`` by its correction (as the fold does); a claim
paid beyond it shows a credit (``paid > raised``): a refund is due."""


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
        if isinstance(event, DogTaxAssessed):
            await _instalments(conn, town, event)
    elif isinstance(event, PaymentBooked):
        await _booked(conn, town, event)
    elif isinstance(event, ReminderIssued | LateSurchargeCharged | HandedOverForEnforcement):
        await _dunned(conn, event)
    elif isinstance(event, FeeNoticeCancelled | FeeAmended):
        await _corrected(conn, event)
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


async def _instalments(conn: asyncpg.Connection, town: str, event: DogTaxAssessed) -> None:
    await conn.executemany(
        "INSERT INTO instalments VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        [(event.case_id, each.due, each.amount) for each in event.instalments],
    )
    if event.direct_debit and event.mandate_reference:
        await conn.execute(
            "INSERT INTO direct_debits VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            event.case_id,
            town,
            event.year,
            event.keeper_key,
            event.mandate_reference,
            event.dogs,
        )


async def _corrected(conn: asyncpg.Connection, event: FeeNoticeCancelled | FeeAmended) -> None:
    if isinstance(event, FeeNoticeCancelled):
        kind, amount, due, by, at = (
            "cancellation",
            None,
            None,
            event.cancelled_by_name,
            event.cancelled_at,
        )
    else:
        kind, amount, due, by, at = (
            "amendment",
            event.amount,
            event.due_date,
            event.amended_by_name,
            event.amended_at,
        )
    inserted = await conn.execute(
        "INSERT INTO corrections VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT DO NOTHING",
        event.case_id,
        event.number,
        kind,
        amount,
        event.correction,
        due,
        event.reason,
        by,
        at,
    )
    if inserted == "INSERT 0 0":
        return
    await conn.execute(
        "UPDATE claims SET raised = raised + $2, corrections = corrections + $2,"
        " due_date = coalesce($3::date, due_date),"
        " cancelled_at = CASE WHEN $4::boolean THEN $5::timestamptz END,"
        " settled_at = CASE WHEN paid >= raised + $2 THEN coalesce(settled_at, $5::timestamptz)"
        " END WHERE case_id = $1",
        event.case_id,
        event.correction,
        due,
        kind == "cancellation",
        at,
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


async def _dunned(
    conn: asyncpg.Connection,
    event: ReminderIssued | LateSurchargeCharged | HandedOverForEnforcement,
) -> None:
    if isinstance(event, ReminderIssued):
        await conn.execute(
            "UPDATE claims SET raised = raised + $2, reminder_fees = $2, reminded_at = $3,"
            " reminder_due = $4, settled_at = CASE WHEN paid >= raised + $2 THEN settled_at END"
            " WHERE case_id = $1 AND reminded_at IS NULL",
            event.case_id,
            event.reminder_fee,
            event.issued_at,
            event.due_date,
        )
    elif isinstance(event, LateSurchargeCharged):
        inserted = await conn.execute(
            "INSERT INTO surcharges VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            event.case_id,
            event.month,
            event.amount,
            event.charged_at,
        )
        if inserted == "INSERT 0 0":
            return
        await conn.execute(
            "UPDATE claims SET raised = raised + $2, surcharges = surcharges + $2,"
            " settled_at = CASE WHEN paid >= raised + $2 THEN settled_at END WHERE case_id = $1",
            event.case_id,
            event.amount,
        )
    else:
        await conn.execute(
            "UPDATE claims SET handed_over_at = $2, handed_over_amount = $3"
            " WHERE case_id = $1 AND handed_over_at IS NULL",
            event.case_id,
            event.handed_over_at,
            event.open_amount,
        )


PROJECTION = Projection(
    name="claims",
    owner=Service.BILLING,
    sources=(Service.BILLING,),
    lingering=frozenset({Service.BILLING}),  # a payment comes days later, not at once
    event_types=frozenset(
        {
            FeeAssessed.type_name,
            DogTaxAssessed.type_name,
            PaymentBooked.type_name,
            FeeScheduleAdopted.type_name,
            PaymentAwaitingClarification.type_name,
            ClarificationResolved.type_name,
            ReminderIssued.type_name,
            LateSurchargeCharged.type_name,
            HandedOverForEnforcement.type_name,
            FeeNoticeCancelled.type_name,
            FeeAmended.type_name,
        }
    ),
    handle=apply,
    migrations=(DDL, DUNNING, INSTALMENTS, CORRECTIONS),
    opens_personal_data=False,
)
