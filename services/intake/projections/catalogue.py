"""Read model of the member towns, the procedures they offer and what those cost.

Towns and offers come from intake's own log, the fees from billing's (its fee schedules)."""

from __future__ import annotations

import asyncpg

from contracts.base import DomainEvent
from contracts.events.billing import FeeScheduleAdopted
from contracts.events.intake import ProcedureOffered, ProcedureWithdrawn, TownProfilePublished
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.projection import Projection

DDL = """
CREATE TABLE IF NOT EXISTS towns (
    ags           text PRIMARY KEY,
    name          text NOT NULL,
    official_name text NOT NULL,
    profile       jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS procedures (
    ags              text NOT NULL,
    procedure        text NOT NULL,
    competent_office text NOT NULL,
    form_version     integer NOT NULL,
    PRIMARY KEY (ags, procedure)
);
"""


OFFER_DETAILS = """
ALTER TABLE procedures ADD COLUMN contact text;
ALTER TABLE procedures ADD COLUMN opening_hours text;
ALTER TABLE procedures ADD COLUMN fee_hint text;
CREATE TABLE fees (
    ags       text NOT NULL,
    procedure text NOT NULL,
    amount    numeric(12, 2) NOT NULL,
    PRIMARY KEY (ags, procedure)
);
"""


async def apply(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
    """Keep towns and their offered procedures current."""
    event = envelope.event
    if isinstance(event, TownProfilePublished):
        await conn.execute(
            "INSERT INTO towns (ags, name, official_name, profile) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (ags) DO UPDATE SET name = $2, official_name = $3, profile = $4",
            event.ags,
            event.name,
            event.official_name,
            event.model_dump(mode="json"),
        )
    elif isinstance(event, ProcedureOffered):
        await conn.execute(
            "INSERT INTO procedures (ags, procedure, competent_office, form_version, contact,"
            " opening_hours, fee_hint) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (ags, procedure) DO UPDATE SET competent_office = $3,"
            " form_version = $4, contact = $5, opening_hours = $6, fee_hint = $7",
            event.ags,
            event.procedure,
            event.competent_office,
            event.form_version,
            event.contact,
            event.opening_hours,
            event.fee_hint,
        )
    elif isinstance(event, FeeScheduleAdopted):
        # What the town's fee schedule says (billing's log): a fee hint for the catalogue.
        await conn.execute("DELETE FROM fees WHERE ags = $1", event.town)
        await conn.executemany(
            "INSERT INTO fees VALUES ($1, $2, $3)",
            [(event.town, procedure, amount) for procedure, amount in event.fees.items()],
        )
    elif isinstance(event, ProcedureWithdrawn):
        await conn.execute(
            "DELETE FROM procedures WHERE ags = $1 AND procedure = $2", event.ags, event.procedure
        )


PROJECTION = Projection(
    name="catalogue",
    owner=Service.INTAKE,
    sources=(Service.INTAKE, Service.BILLING),
    event_types=frozenset(
        {
            TownProfilePublished.type_name,
            ProcedureOffered.type_name,
            ProcedureWithdrawn.type_name,
            FeeScheduleAdopted.type_name,
        }
    ),
    handle=apply,
    migrations=(DDL, OFFER_DETAILS),
)
