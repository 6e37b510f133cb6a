"""Reaction: every submitted application (and every lodged objection) becomes a case,
decided automatically where it can be.

It reads intake's log, where a town's profile always precedes its applications, so the
town's postcodes and area are known here before the first application of that town arrives.
Delegations and the towns' casework configuration are read from casework's own log at each
application, so a new agreement applies to the very next case.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from pydantic import ValidationError

from contracts.base import DomainEvent
from contracts.calendar import german_date
from contracts.events.archive import PersonalDataErased
from contracts.events.intake import ApplicationSubmitted, ObjectionLodged, TownProfilePublished
from contracts.geo import town_covering
from contracts.naming import Service
from contracts.procedures import PROCEDURES, ProcedureId
from contracts.procedures.bewohnerparkausweis import VALIDITY_DAYS
from runtime.codec import Envelope
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.projection import Projection
from runtime.service import Runtime
from services.casework import towns
from services.casework.aggregates import case_ref
from services.casework.domain import opening
from services.casework.domain.case import fold
from services.casework.domain.rules import Facts
from services.casework.domain.rules.base import street_key

DDL = """
CREATE TABLE IF NOT EXISTS towns (
    ags       text PRIMARY KEY,
    name      text NOT NULL,
    postcodes text[] NOT NULL
);
"""

AREAS_AND_PLATES = """
ALTER TABLE towns ADD COLUMN area jsonb;
CREATE TABLE parking_plates (
    tenant     text NOT NULL,
    plate      text NOT NULL,
    case_id    uuid NOT NULL,
    applied_on date NOT NULL,
    PRIMARY KEY (tenant, plate, case_id)
);
"""
"""Towns' areas route a defect report to the town where it lies; the vehicles applied for
show a second resident parking application for the same vehicle."""


def projection(runtime: Runtime) -> Projection:
    """The reaction, wired to the running service."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        event = envelope.event
        if isinstance(event, TownProfilePublished):
            await conn.execute(
                "INSERT INTO towns (ags, name, postcodes, area) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (ags) DO UPDATE SET name = $2, postcodes = $3, area = $4",
                event.ags,
                event.name,
                event.postcodes,
                [list(corner) for corner in event.area] if event.area else None,
            )
        elif isinstance(event, ApplicationSubmitted):
            await open_case(runtime, conn, envelope.meta.tenant, event, envelope)
        elif isinstance(event, ObjectionLodged):
            await open_objection(runtime, envelope.meta.tenant, event, envelope)
        elif isinstance(event, PersonalDataErased) and event.case_id:
            await conn.execute("DELETE FROM parking_plates WHERE case_id = $1", event.case_id)

    return Projection(
        name="case-opening",
        owner=Service.CASEWORK,
        sources=(Service.INTAKE, Service.ARCHIVE),
        event_types=frozenset(
            {
                TownProfilePublished.type_name,
                ApplicationSubmitted.type_name,
                ObjectionLodged.type_name,
                PersonalDataErased.type_name,
            }
        ),
        handle=handle,
        migrations=(DDL, AREAS_AND_PLATES),
        rebuildable=False,
    )


async def competent_town(conn: asyncpg.Connection, tenant: str, event: ApplicationSubmitted) -> str:
    """The town applied to — or, for a report about a place in another member town, that town."""
    definition = PROCEDURES.get(event.procedure)
    if definition is None or not definition.place_may_be_elsewhere or event.form is None:
        return tenant
    try:
        place = definition.place(definition.form(event.form_version).read(event.form))
    except (ValidationError, KeyError):
        return tenant
    if place is None:
        return tenant
    rows = await conn.fetch("SELECT ags, area FROM towns WHERE area IS NOT NULL")
    areas = {row["ags"]: [tuple(corner) for corner in row["area"]] for row in rows}
    return town_covering(areas, place.coordinates) or tenant


def plate_key(plate: str) -> str:
    """A registration number as one compares it: ``L-HQ 1988`` and ``l hq1988`` are one."""
    return "".join(ch for ch in plate.upper() if ch.isalnum())


async def plate_applied_for(
    conn: asyncpg.Connection, town: str, event: ApplicationSubmitted, now: datetime
) -> bool:
    """Whether another application of the town named the vehicle within a permit's year;
    records this one."""
    vehicle: Any = (event.form or {}).get("vehicle") or {}
    plate = plate_key(str(vehicle.get("plate", "")))
    if not plate:
        return False
    today = german_date(now)
    earlier = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM parking_plates WHERE tenant = $1 AND plate = $2"
        " AND case_id <> $3 AND applied_on > $4)",
        town,
        plate,
        event.application_id,
        today - timedelta(days=VALIDITY_DAYS),
    )
    await conn.execute(
        "INSERT INTO parking_plates VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        town,
        plate,
        event.application_id,
        today,
    )
    return bool(earlier)


async def open_case(
    runtime: Runtime,
    conn: asyncpg.Connection,
    tenant: str,
    event: ApplicationSubmitted,
    envelope: Envelope[DomainEvent],
) -> None:
    """Open (and maybe decide) the case; a redelivered application changes nothing."""
    now = datetime.now(UTC)
    competent = await competent_town(conn, tenant, event)
    town = await conn.fetchrow("SELECT name, postcodes FROM towns WHERE ags = $1", competent)
    config = await towns.configuration(runtime, competent)
    parking = event.procedure == ProcedureId.BEWOHNERPARKAUSWEIS
    command = opening.OpenCase(
        application_id=event.application_id,
        procedure=event.procedure,
        form_version=event.form_version,
        form=event.form,
        competent_town=competent,
        processing_towns=await towns.processing_towns(
            runtime, competent, event.procedure, german_date(now)
        ),
        facts=Facts(
            today=german_date(now),  # ages turn over at German midnight
            town_postcodes=frozenset(town["postcodes"]) if town else frozenset(),
            town_name=town["name"] if town else competent,
            parking_zones={
                zone: frozenset(street_key(street) for street in streets)
                for zone, streets in config.parking_zones.items()
            },
            plate_applied_for=parking and await plate_applied_for(conn, competent, event, now),
        ),
        now=now,
        automation=config.automation.get(event.procedure),
        processing_days=config.processing_days.get(event.procedure),
        case_number=event.case_number,
    )
    await runtime.store.create(
        case_ref(tenant, event.application_id),
        opening.decide_opening([], command),
        commit_id=derived_id(envelope.meta.event_id, "open-case"),
        cause=Cause.from_event(envelope.meta, "system:casework.automation"),
    )


async def open_objection(
    runtime: Runtime, tenant: str, event: ObjectionLodged, envelope: Envelope[DomainEvent]
) -> None:
    """An objection opens a new case for the towns that processed the first one."""
    first = fold(
        e.event for e in (await runtime.store.load(case_ref(tenant, event.application_id))).events
    )
    competent = first.competent_town or tenant
    now = datetime.now(UTC)
    command = opening.OpenCase(
        application_id=event.objection_id,
        procedure=event.procedure,
        form_version=None,
        form=None,
        competent_town=competent,
        processing_towns=list(first.processing_towns) or [competent],
        facts=Facts(today=german_date(now), town_postcodes=frozenset(), town_name=competent),
        now=now,
        case_number=event.case_number,
        objection_to=event.application_id,
    )
    await runtime.store.create(
        case_ref(tenant, event.objection_id),
        opening.decide_opening([], command),
        commit_id=derived_id(envelope.meta.event_id, "open-objection"),
        cause=Cause.from_event(envelope.meta, "system:casework.automation"),
    )
