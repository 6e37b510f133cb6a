"""Read model of the finance export: every claim raised (Soll) and payment booked (Ist), and
the day each was handed to the town's finance software.

Soll comes from ``FeeAssessed`` (with the Produkt and Sachkonto the schedule names), from a
reminder's fee and from each late-payment surcharge (``ReminderIssued``,
``LateSurchargeCharged``: ``<Kassenzeichen>/mahnung``, ``…/saeumnis-<n>``), Ist from
``PaymentBooked`` (on the Produkt and Sachkonto of its claim). A cancelled or amended notice is
Soll too, by its correction — negative for a reduction — (``FeeNoticeCancelled``,
``FeeAmended``: ``<Kassenzeichen>/korrektur-<n>``) on the fee's Produkt and Sachkonto, so the
days still add up to the claims. An entry belongs to no day until
a ``FinanceDayClosed`` lists it; so the read model rebuilds to exactly the days recorded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import asyncpg

from contracts.base import DomainEvent
from contracts.calendar import german_date
from contracts.events.billing import (
    DogTaxAssessed,
    FeeAmended,
    FeeAssessed,
    FeeNoticeCancelled,
    FinanceDayClosed,
    LateSurchargeCharged,
    PaymentBooked,
    ReminderIssued,
)
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.projection import Projection

DDL = """
CREATE TABLE entries (
    kind           text NOT NULL,
    entry_id       text NOT NULL,
    town           text NOT NULL,
    recorded_on    date NOT NULL,
    case_id        uuid NOT NULL,
    cash_reference text NOT NULL,
    procedure      text,
    produkt        text NOT NULL DEFAULT '',
    sachkonto      text NOT NULL DEFAULT '',
    amount         numeric(12, 2) NOT NULL,
    due_date       date,
    value_date     date,
    channel        text,
    day            date,
    PRIMARY KEY (kind, entry_id)
);
CREATE INDEX entries_pending ON entries (town, recorded_on) WHERE day IS NULL;
CREATE INDEX entries_of_day ON entries (town, day);
CREATE TABLE days (
    town       text NOT NULL,
    day        date NOT NULL,
    soll_total numeric(14, 2) NOT NULL,
    ist_total  numeric(14, 2) NOT NULL,
    entries    integer NOT NULL,
    closed_at  timestamptz NOT NULL,
    PRIMARY KEY (town, day)
);
"""


async def apply(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
    """Record Soll and Ist entries, and the days that took them."""
    event, town = envelope.event, envelope.meta.tenant
    recorded_on = german_date(envelope.meta.occurred_at)
    if isinstance(event, FeeAssessed) and event.amount > 0:
        await conn.execute(
            "INSERT INTO entries (kind, entry_id, town, recorded_on, case_id, cash_reference,"
            " procedure, produkt, sachkonto, amount, due_date) VALUES ('soll', $1, $2, $3, $4,"
            " $1, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
            event.cash_reference,
            town,
            recorded_on,
            event.case_id,
            event.procedure,
            event.produkt or "",
            event.sachkonto or "",
            event.amount,
            event.due_date,
        )
    elif isinstance(event, ReminderIssued) and event.reminder_fee > 0:
        await _charge(
            conn,
            town,
            recorded_on,
            event,
            f"{event.cash_reference}/mahnung",
            event.reminder_fee,
            event.due_date,
        )
    elif isinstance(event, FeeNoticeCancelled | FeeAmended) and event.correction != 0:
        await _charge(
            conn,
            town,
            recorded_on,
            event,
            f"{event.cash_reference}/korrektur-{event.number}",
            event.correction,
            event.due_date if isinstance(event, FeeAmended) else None,
        )
    elif isinstance(event, LateSurchargeCharged):
        await _charge(
            conn,
            town,
            recorded_on,
            event,
            f"{event.cash_reference}/saeumnis-{event.month}",
            event.amount,
            None,
        )
    elif isinstance(event, PaymentBooked):
        await conn.execute(
            "INSERT INTO entries (kind, entry_id, town, recorded_on, case_id, cash_reference,"
            " procedure, produkt, sachkonto, amount, value_date, channel)"
            " SELECT 'ist', $1, $2, $3, $4, $5, s.procedure, coalesce(s.produkt, ''),"
            " coalesce(s.sachkonto, ''), $6, $7, $8 FROM (SELECT 1) one LEFT JOIN entries s"
            " ON s.kind = 'soll' AND s.entry_id = $5 ON CONFLICT DO NOTHING",
            event.booking_id,
            town,
            recorded_on,
            event.case_id,
            event.cash_reference,
            event.amount,
            event.value_date,
            event.channel,
        )
    elif isinstance(event, FinanceDayClosed):
        await conn.execute(
            "UPDATE entries SET day = $2 FROM unnest($3::text[], $4::text[]) AS listed(k, id)"
            " WHERE entries.kind = listed.k AND entries.entry_id = listed.id AND town = $1"
            " AND entries.day IS NULL",
            event.town,
            event.day,
            [entry.kind for entry in event.entries],
            [entry.entry_id for entry in event.entries],
        )
        await conn.execute(
            "INSERT INTO days VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            event.town,
            event.day,
            event.soll_total,
            event.ist_total,
            len(event.entries),
            event.closed_at,
        )


async def _charge(
    conn: asyncpg.Connection,
    town: str,
    recorded_on: date,
    event: ReminderIssued | LateSurchargeCharged | FeeNoticeCancelled | FeeAmended,
    entry_id: str,
    amount: Decimal,
    due: date | None,
) -> None:
    """A reminder fee, a surcharge or a correction: Soll of its own, on the Produkt and
    Sachkonto it names (else the claim's)."""
    await conn.execute(
        "INSERT INTO entries (kind, entry_id, town, recorded_on, case_id, cash_reference,"
        " procedure, produkt, sachkonto, amount, due_date) SELECT 'soll', $1, $2, $3, $4, $5,"
        " s.procedure, coalesce($6, s.produkt, ''), coalesce($7, s.sachkonto, ''), $8, $9"
        " FROM (SELECT 1) one LEFT JOIN entries s ON s.kind = 'soll' AND s.entry_id = $5"
        " ON CONFLICT DO NOTHING",
        entry_id,
        town,
        recorded_on,
        event.case_id,
        event.cash_reference,
        event.produkt,
        event.sachkonto,
        amount,
        due,
    )


PROJECTION = Projection(
    name="finance",
    owner=Service.BILLING,
    sources=(Service.BILLING,),
    lingering=frozenset({Service.BILLING}),  # exported once a day
    event_types=frozenset(
        {
            FeeAssessed.type_name,
            DogTaxAssessed.type_name,
            ReminderIssued.type_name,
            LateSurchargeCharged.type_name,
            PaymentBooked.type_name,
            FinanceDayClosed.type_name,
            FeeNoticeCancelled.type_name,
            FeeAmended.type_name,
        }
    ),
    handle=apply,
    migrations=(DDL,),
    opens_personal_data=False,
)
