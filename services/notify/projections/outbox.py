"""Reaction: what must be sent goes into the outbox, in the same transaction as the checkpoint.

The outbox holds the rendered message until it is delivered, then forgets recipient and
text (the log keeps the delivery, with the recipient sealed). When a case's personal data
is erased, its undelivered messages are dropped as well, and so is its applicant's address.
intake's log brings the towns and the applications (the acknowledgement); casework's the
case's messages, one template each (``case_messages``), and its approved trade registrations,
forwarded to the authorities (``forwarding``); archive's the erasures.
"""

from __future__ import annotations

import asyncpg

from contracts.base import DomainEvent
from contracts.events.archive import PersonalDataErased
from contracts.events.intake import ApplicationSubmitted, ProcedureOffered, TownProfilePublished
from contracts.naming import Service
from runtime.codec import Envelope
from runtime.ids import derived_id
from runtime.projection import Projection
from runtime.service import Runtime
from services.notify.domain import templates
from services.notify.projections import case_messages, forwarding, invoice_messages
from services.notify.projections.queueing import CHANNEL, Outgoing, letterhead, queue

DDL = """
CREATE TABLE IF NOT EXISTS towns (
    ags     text PRIMARY KEY,
    profile jsonb NOT NULL,
    offices jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS outbox (
    message_id      uuid PRIMARY KEY,
    tenant          text NOT NULL,
    case_id         uuid,
    data_key        text,
    correlation_id  uuid,
    traceparent     text,
    template        text NOT NULL,
    recipient       text,
    subject         text,
    body            text,
    status          text NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz
);
-- added after the first release: outboxes created before carry them too
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS correlation_id uuid;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS traceparent text;
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
"""

LEASES = """
ALTER TABLE outbox ADD COLUMN lease_token uuid;
ALTER TABLE outbox ADD COLUMN lease_holder bigint;
ALTER TABLE outbox ADD COLUMN leased_at timestamptz;
ALTER TABLE outbox ADD COLUMN lease_until timestamptz;
ALTER TABLE outbox SET (fillfactor = 80);
"""
"""A message being sent is leased to one sender (``services.notify.sender``); room on each
page lets the lease be written in place."""

REPORTS = """
CREATE TABLE reports (
    report_key  text PRIMARY KEY,
    message_id  uuid NOT NULL,
    action      text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
"""
"""The delivery status notifications applied (``services.notify.bounce_mail``): the same
report twice changes nothing the second time."""

HTML = """
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS html text;
"""
"""A message's HTML part (``domain.rendering``) beside its plain text (``body``); dropped
with it once the message is delivered or erased."""

PRIORITIES = """
ALTER TABLE outbox ADD COLUMN priority smallint NOT NULL DEFAULT 1;
DROP INDEX IF EXISTS outbox_due;
CREATE INDEX outbox_due ON outbox (priority, next_attempt_at) WHERE status = 'pending';
"""
"""The senders take due messages by priority, then by due time (``domain.delivery``)."""

WAKE_TRIGGER = f"""
CREATE FUNCTION outbox_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_queued AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_queued();
"""
"""A queued message wakes the senders from the database itself: one round trip less for each
message than a separate ``NOTIFY``, and no writer that inserts can forget it (one that makes a
message due again by an UPDATE, as ``api.send_again``, still says so itself)."""


def projection(runtime: Runtime) -> Projection:
    """The reaction, wired to the running service."""

    async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
        event = envelope.event
        if isinstance(event, TownProfilePublished):
            await conn.execute(
                "INSERT INTO towns (ags, profile) VALUES ($1, $2)"
                " ON CONFLICT (ags) DO UPDATE SET profile = $2",
                event.ags,
                event.model_dump(mode="json"),
            )
        elif isinstance(event, ProcedureOffered):
            await conn.execute(
                "UPDATE towns SET offices = offices || jsonb_build_object($2::text, $3::text)"
                " WHERE ags = $1",
                event.ags,
                event.procedure,
                event.competent_office,
            )
        elif isinstance(event, ApplicationSubmitted):
            await enqueue_acknowledgement(conn, envelope, event)
            await case_messages.remember_contact(conn, envelope, event)
            await forwarding.remember_registration(runtime, conn, envelope, event)
            await case_messages.replay_waiting(runtime, conn, event.application_id)
        elif isinstance(event, PersonalDataErased):
            runtime.keys.forget(event.data_key)
            await conn.execute(
                "UPDATE outbox SET recipient = NULL, subject = NULL, body = NULL, html = NULL,"
                " last_error = NULL,"
                " status = CASE WHEN status = 'pending' THEN 'erased' ELSE status END"
                " WHERE data_key = $1",
                event.data_key,
            )
            await conn.execute(
                "UPDATE contacts SET name = NULL, email = NULL, tracking_url = NULL"
                " WHERE data_key = $1",
                event.data_key,
            )
            await conn.execute("DELETE FROM waiting WHERE data_key = $1", event.data_key)
            await conn.execute(
                "UPDATE outbox SET payload = NULL WHERE data_key = $1", event.data_key
            )
            await forwarding.forget(conn, event.data_key)
        elif event.type_name in forwarding.EVENT_TYPES:
            await forwarding.handle(runtime, conn, envelope)
        elif event.type_name in invoice_messages.EVENT_TYPES:
            await invoice_messages.handle(conn, envelope)
        else:
            await case_messages.handle(runtime, conn, envelope)

    return Projection(
        name="outbox",
        owner=Service.NOTIFY,
        sources=(Service.INTAKE, Service.CASEWORK, Service.ARCHIVE, Service.BILLING),
        deferred=frozenset({Service.CASEWORK, Service.BILLING}),
        event_types=frozenset(
            {
                TownProfilePublished.type_name,
                ProcedureOffered.type_name,
                ApplicationSubmitted.type_name,
                PersonalDataErased.type_name,
            }
        )
        | case_messages.EVENT_TYPES
        | invoice_messages.EVENT_TYPES
        | forwarding.EVENT_TYPES,
        handle=handle,
        migrations=migrations(),
        rebuildable=False,
    )


def migrations() -> tuple[str, ...]:
    """The outbox's schema steps, in order (tests that build the tables alone use them too)."""
    return (
        DDL,
        LEASES,
        case_messages.CASE_TABLES,
        REPORTS,
        HTML,
        forwarding.FORWARDING_TABLES,
        case_messages.PROCESSING_TOWNS,
        PRIORITIES,
        WAKE_TRIGGER,
    )


async def enqueue_acknowledgement(
    conn: asyncpg.Connection, envelope: Envelope[DomainEvent], event: ApplicationSubmitted
) -> None:
    """Queue the acknowledgement of receipt (once per application)."""
    if event.contact is None:
        return  # erased before it could be sent: nobody to write to
    message = templates.acknowledgement(
        await letterhead(conn, envelope.meta.tenant, event.procedure),
        name=event.contact.name,
        procedure=event.procedure,
        application_id=str(event.application_id),
        submitted_at=event.submitted_at,
        tracking_url=event.tracking_url,
        case_number=event.case_number,
    )
    await queue(
        conn,
        Outgoing(
            message_id=derived_id(envelope.meta.event_id, "acknowledgement"),
            tenant=envelope.meta.tenant,
            case_id=event.application_id,
            data_key=envelope.meta.data_key,
            correlation_id=envelope.meta.correlation_id,
            template="acknowledgement",
            recipient=event.contact.email,
            message=message,
        ),
    )


__all__ = ["CHANNEL", "projection"]
