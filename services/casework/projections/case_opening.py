"""Reaction: every submitted application becomes a case, decided automatically if it can be.

It reads intake's log, where a town's profile always precedes its applications, so the
town's postcodes are known here before the first application of that town arrives.
Delegations are read from casework's own log (and remembered for a few seconds).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import asyncpg

from contracts.base import DomainEvent
from contracts.calendar import today
from contracts.events.casework import DelegationAgreed
from contracts.events.intake import ApplicationSubmitted, TownProfilePublished
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.projection import Projection
from runtime.service import Runtime
from services.casework.aggregates import case_ref, delegation_ref
from services.casework.domain import case, delegation
from services.casework.domain.gewerbeanmeldung_rules import Facts

DDL = """
CREATE TABLE IF NOT EXISTS towns (
    ags       text PRIMARY KEY,
    name      text NOT NULL,
    postcodes text[] NOT NULL
);
"""


def projection(runtime: Runtime) -> Projection:
    """The reaction, wired to the running service."""
    delegations = Delegations(runtime)

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        event = envelope.event
        if isinstance(event, TownProfilePublished):
            await conn.execute(
                "INSERT INTO towns VALUES ($1, $2, $3) ON CONFLICT (ags)"
                " DO UPDATE SET name = $2, postcodes = $3",
                event.ags,
                event.name,
                event.postcodes,
            )
        elif isinstance(event, ApplicationSubmitted):
            await open_case(runtime, delegations, conn, envelope.meta.tenant, event, envelope)

    return Projection(
        name="case-opening",
        owner=Service.CASEWORK,
        sources=(Service.INTAKE,),
        event_types=frozenset({TownProfilePublished.type_name, ApplicationSubmitted.type_name}),
        handle=handle,
        migrations=(DDL,),
        rebuildable=False,
    )


class Delegations:
    """Delegation agreements read from casework's log, remembered for a few seconds."""

    def __init__(self, runtime: Runtime, ttl: float = 10.0) -> None:
        self._runtime = runtime
        self._ttl = ttl
        self._known: dict[tuple[str, str], tuple[float, list[str]]] = {}

    async def of(self, town: str, procedure: str) -> list[str]:
        """The towns ``town`` lets process its cases of ``procedure``."""
        cached = self._known.get((town, procedure))
        if cached and cached[0] > time.monotonic():
            return cached[1]
        loaded = await self._runtime.store.load(delegation_ref(town, procedure))
        agreed = [e.event for e in loaded.events if isinstance(e.event, DelegationAgreed)]
        towns = list(agreed[-1].processing_towns) if agreed else []
        self._known[(town, procedure)] = (time.monotonic() + self._ttl, towns)
        return towns


async def open_case(
    runtime: Runtime,
    delegations: Delegations,
    conn: asyncpg.Connection,
    tenant: str,
    event: ApplicationSubmitted,
    envelope: Envelope[DomainEvent],
) -> None:
    """Open (and maybe decide) the case; a redelivered application changes nothing."""
    town = await conn.fetchrow("SELECT name, postcodes FROM towns WHERE ags = $1", tenant)
    agreement = await runtime.store.load(delegation_ref(tenant, event.procedure))
    delegates = [e.event for e in agreement.events if isinstance(e.event, DelegationAgreed)]
    command = case.OpenCase(
        application_id=event.application_id,
        procedure=event.procedure,
        competent_town=tenant,
        processing_towns=delegation.processing_towns(
            tenant, delegates[-1].processing_towns if delegates else []
        ),
        form=event.form,
        facts=Facts(
            today=today(),  # ages turn over at German midnight
            town_postcodes=frozenset(town["postcodes"]) if town else frozenset(),
            town_name=town["name"] if town else tenant,
        ),
        now=datetime.now(UTC),
    )
    await runtime.store.create(
        case_ref(tenant, event.application_id),
        case.decide_opening([], command),
        commit_id=derived_id(envelope.meta.event_id, "open-case"),
        cause=Cause.from_event(envelope.meta, "system:casework.automation"),
    )
