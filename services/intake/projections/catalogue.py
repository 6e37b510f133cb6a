"""Read model of the member towns and the procedures they offer (from intake's own log)."""

from __future__ import annotations

import asyncpg

from contracts.base import DomainEvent
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
            "INSERT INTO procedures VALUES ($1, $2, $3, $4) ON CONFLICT (ags, procedure)"
            " DO UPDATE SET competent_office = $3, form_version = $4",
            event.ags,
            event.procedure,
            event.competent_office,
            event.form_version,
        )
    elif isinstance(event, ProcedureWithdrawn):
        await conn.execute(
            "DELETE FROM procedures WHERE ags = $1 AND procedure = $2", event.ags, event.procedure
        )


PROJECTION = Projection(
    name="catalogue",
    owner=Service.INTAKE,
    sources=(Service.INTAKE,),
    event_types=frozenset(
        {TownProfilePublished.type_name, ProcedureOffered.type_name, ProcedureWithdrawn.type_name}
    ),
    handle=apply,
    migrations=(DDL,),
)
