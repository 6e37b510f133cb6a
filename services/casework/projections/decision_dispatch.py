"""Reaction: the decision letter's delivery by notify is its dispatch (Bekanntgabe follows).

When notify has handed the ``decision`` mail to the recipient's server, the case records
``DecisionDispatched`` with the day it counts as made known — the third day after dispatch
(§ 41 (2) VwVfG, ``deadlines.known_on``) — which starts the objection period and the fee's
due date. The commit id is derived from the delivery and the case's state already knowing a
dispatch yields nothing, so a redelivered ``MessageDelivered`` records it once.
"""

from __future__ import annotations

import asyncpg

from contracts.base import DomainEvent
from contracts.events.notify import MessageDelivered
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.projection import Projection
from runtime.service import Runtime
from services.casework.aggregates import case_ref
from services.casework.domain.automatic_actions import record_dispatch
from services.casework.domain.case import fold

DECISION_TEMPLATE = "decision"
"""notify's template name of the mail that carries the decision letter."""


def projection(runtime: Runtime) -> Projection:
    """The reaction, wired to the running service."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        event, meta = envelope.event, envelope.meta
        if not isinstance(event, MessageDelivered) or event.template != DECISION_TEMPLATE:
            return
        if event.case_id is None:
            return
        delivered_at = event.delivered_at
        await runtime.store.decide_and_append(
            case_ref(meta.tenant, event.case_id),
            lambda history: record_dispatch(fold(history), delivered_at),
            commit_id=derived_id(meta.event_id, "decision-dispatched"),
            cause=Cause.from_event(meta, "system:casework.dispatch"),
        )

    sources = (Service.NOTIFY,)
    return Projection(
        name="decision-dispatch",
        owner=Service.CASEWORK,
        sources=sources,
        deferred=frozenset(sources),  # nobody waits for it in the moment
        event_types=frozenset({MessageDelivered.type_name}),
        handle=handle,
        rebuildable=False,
        opens_personal_data=False,
    )
