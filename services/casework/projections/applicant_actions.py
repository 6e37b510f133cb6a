"""Reaction: what the applicant does on the tracking page or in the widget reaches the case.

An answer to a request for information is recorded on the case (the clerk can go on); a
withdrawal closes an undecided case. Both decide on the case's state, so a redelivered event
or one for a case already decided changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg

from contracts.base import DomainEvent
from contracts.events.intake import ApplicationWithdrawn, InformationProvided
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.projection import Projection
from runtime.service import Runtime
from services.casework.aggregates import case_ref
from services.casework.domain import automatic_actions
from services.casework.domain.case import Case, fold


def projection(runtime: Runtime) -> Projection:
    """The reaction, wired to the running service."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        event, meta = envelope.event, envelope.meta
        action = reaction(event, datetime.now(UTC))
        if action is None or not isinstance(event, InformationProvided | ApplicationWithdrawn):
            return
        await runtime.store.decide_and_append(
            case_ref(meta.tenant, event.application_id),
            lambda history: action(fold(history)),
            commit_id=derived_id(meta.event_id, "applicant-action"),
            cause=Cause.from_event(meta, "citizen"),
        )

    return Projection(
        name="applicant-actions",
        owner=Service.CASEWORK,
        sources=(Service.INTAKE,),
        event_types=frozenset({InformationProvided.type_name, ApplicationWithdrawn.type_name}),
        handle=handle,
        rebuildable=False,
        opens_personal_data=False,
    )


def reaction(event: DomainEvent, now: datetime) -> Callable[[Case], list[DomainEvent]] | None:
    """What the applicant's event does to the case, if anything."""
    if isinstance(event, InformationProvided):
        request_id = event.request_id
        return lambda case: automatic_actions.receive_information(case, request_id, now)
    if isinstance(event, ApplicationWithdrawn):
        return lambda case: automatic_actions.withdraw(case, now)
    return None
