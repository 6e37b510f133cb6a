"""Read model: the case's messages and how their delivery went, from notify's log.

notify announces each outcome of a message about a case: handed to the mail server
(``MessageDelivered``), an attempt failed (``MessageDeliveryFailed``, ``final`` once it gives
up), and what came back later by delivery status notification — delayed (``MessageDeferred``)
or undeliverable (``MessageBounced``). One row per event (its id makes a redelivery harmless);
a message's status at any moment is its latest row until then, so the case page shows it as
it was at a past moment too. The recipient and a bounce's diagnostic are the applicant's
personal data: archive's ``PersonalDataErased`` removes them.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from contracts.base import DomainEvent
from contracts.events.archive import PersonalDataErased
from contracts.events.notify import (
    MessageBounced,
    MessageDeferred,
    MessageDelivered,
    MessageDeliveryFailed,
)
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.projection import Projection
from runtime.service import Runtime
from services.casework.case_view import MessageView

DDL = """
CREATE TABLE deliveries (
    event_id   uuid PRIMARY KEY,
    message_id uuid NOT NULL,
    case_id    uuid NOT NULL,
    data_key   text,
    template   text NOT NULL,
    status     text NOT NULL,
    recipient  text,
    detail     text,
    at         timestamptz NOT NULL
);
CREATE INDEX deliveries_by_case ON deliveries (case_id, message_id, at);
CREATE INDEX deliveries_by_key ON deliveries (data_key) WHERE data_key IS NOT NULL;
"""

OF_CASE = """
SELECT DISTINCT ON (message_id) message_id, template, status, detail, at,
    (SELECT r.recipient FROM rm_case_messages.deliveries r
     WHERE r.message_id = d.message_id AND r.recipient IS NOT NULL AND r.at <= d.at
     ORDER BY r.at DESC LIMIT 1) AS recipient,
    (SELECT min(f.at) FROM rm_case_messages.deliveries f WHERE f.message_id = d.message_id)
        AS first_at
FROM rm_case_messages.deliveries d
WHERE case_id = $1 AND ($2::timestamptz IS NULL OR at <= $2)
ORDER BY message_id, at DESC, event_id DESC
"""
"""Each message's latest status (until ``$2``), with the last recipient it named."""


DELIVERY_EVENTS = (MessageDelivered, MessageDeliveryFailed, MessageBounced, MessageDeferred)


def outcome(event: DomainEvent) -> tuple[str, str | None, str | None, datetime] | None:
    """(status, recipient, detail, when) of a delivery event; ``None`` for another event."""
    match event:
        case MessageDelivered():
            return "delivered", event.recipient, None, event.delivered_at
        case MessageDeliveryFailed():
            if event.final:
                tries = "einem Versuch" if event.attempts == 1 else f"{event.attempts} Versuchen"
                return "failed", None, f"Aufgegeben nach {tries}", event.failed_at
            return "deferred", None, f"Versuch {event.attempts} fehlgeschlagen", event.failed_at
        case MessageBounced():
            detail = " – ".join(x for x in (event.status, event.diagnostic) if x)
            return "bounced", event.final_recipient, detail, event.bounced_at
        case MessageDeferred():
            detail = " – ".join(x for x in (event.status, event.diagnostic) if x)
            return "deferred", event.final_recipient, detail, event.deferred_at
    return None


def projection(runtime: Runtime) -> Projection:
    """The read model, wired to the running service."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        event, meta = envelope.event, envelope.meta
        if isinstance(event, PersonalDataErased):
            runtime.keys.forget(event.data_key)
            await conn.execute(
                "UPDATE deliveries SET recipient = NULL, detail = NULL"
                " WHERE data_key = $1 AND status IN ('bounced', 'deferred', 'delivered')",
                event.data_key,
            )
            return
        found = outcome(event)
        if not isinstance(event, DELIVERY_EVENTS) or found is None or event.case_id is None:
            return  # a message about no case (an invoice to a business, say)
        status, recipient, detail, at = found
        await conn.execute(
            "INSERT INTO deliveries (event_id, message_id, case_id, data_key, template, status,"
            " recipient, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (event_id) DO NOTHING",
            meta.event_id,
            event.message_id,
            event.case_id,
            meta.data_key,
            event.template,
            status,
            recipient,
            detail,
            at,
        )

    sources = (Service.NOTIFY, Service.ARCHIVE)
    return Projection(
        name="case-messages",
        owner=Service.CASEWORK,
        sources=sources,
        deferred=frozenset(sources),  # nobody waits for it in the moment
        event_types=frozenset(
            {*(e.type_name for e in DELIVERY_EVENTS), PersonalDataErased.type_name}
        ),
        handle=handle,
        migrations=(DDL,),
    )


async def messages_of(
    pool: asyncpg.Pool, case_id: UUID, as_of: datetime | None = None
) -> list[MessageView]:
    """The case's messages with their delivery status (as it was at ``as_of``), oldest first."""
    rows = await pool.fetch(OF_CASE, case_id, as_of)
    return [
        MessageView(
            message_id=row["message_id"],
            template=row["template"],
            status=row["status"],
            recipient=row["recipient"],
            detail=row["detail"],
            at=row["at"],
        )
        for row in sorted(rows, key=lambda r: r["first_at"])
    ]
