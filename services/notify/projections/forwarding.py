"""Reaction: an accepted trade registration goes to the authorities as XGewerbeanzeige.

When: once casework's decision on a Gewerbeanmeldung is ``approved`` (``CaseDecided``). § 14
GewO with § 3 GewAnzV has the authority pass on the registration *it received*; a notice that
was incomplete or is refused (a minor without the court's approval, a permit missing) is not
one to pass on, and the bodies would otherwise record businesses that never started. The
decision is where casework has checked it; for the many automated ones it follows within
seconds of the submission, so nothing waits on it.

What: the form intake's ``ApplicationSubmitted`` carries. Its commit is kept sealed, as it was
stored (``registrations``: the form is never written here in plain), until the decision is
known — intake's and casework's logs are read by runners of their own, so either may come
first. Then, for an approval, one message per recipient the competent town names
(``domain.forwarding.select``) is built (``domain.xgewerbeanzeige``) and queued through the
``Forwarder`` in use, and the sealed commit is dropped (the row stays, marked done, so that a
replayed application is not kept again). Each message's id is derived from the case and the
recipient's kind: a redelivered or replayed event finds it queued already, and no body gets a
registration twice. A rejection drops the sealed commit alike, and forwards nothing.

The queued message holds the XML until it is delivered (or its case erased), exactly as long
as the outbox holds any mail's text; an erasure also drops a registration still waiting.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import structlog

from contracts.base import DomainEvent
from contracts.events.casework import CaseDecided
from contracts.events.intake import ApplicationSubmitted
from contracts.procedures import ProcedureId
from runtime.codec import Envelope
from runtime.ids import derived_id
from runtime.service import Runtime
from services.notify.domain import forwarding, xgewerbeanzeige
from services.notify.forwarding import FORWARDER, Forwarding
from services.notify.projections.queueing import DEFAULT_OFFICE, letterhead, queue

log = structlog.get_logger(__name__)

FORWARDING_TABLES = """
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS payload_name text;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS payload_type text;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS payload bytea;
CREATE TABLE IF NOT EXISTS forwarding (
    town          text PRIMARY KEY,
    recipients    jsonb NOT NULL,
    configured_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS registrations (
    case_id           uuid PRIMARY KEY,
    data_key          text,
    application_event uuid,
    application       bytea,
    tenant            text,
    competent_town    text,
    outcome           text,
    decided_at        timestamptz,
    correlation_id    uuid,
    done              boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS registrations_key ON registrations (data_key);
"""
"""A file made here on the outbox; each town's recipients (``services.notify.forwarding``);
registrations waiting for their decision or their form."""

PROCEDURE = str(ProcedureId.GEWERBEANMELDUNG)
EVENT_TYPES = frozenset({CaseDecided.type_name})
"""The events this module handles (besides intake's application, which ``outbox`` hands on)."""


async def remember_registration(
    runtime: Runtime,
    conn: asyncpg.Connection,
    envelope: Envelope[DomainEvent],
    event: ApplicationSubmitted,
) -> None:
    """Keep a Gewerbeanmeldung's commit sealed until its decision (forward it if known)."""
    if event.procedure != PROCEDURE or event.form is None:
        return  # another procedure, or erased before it arrived
    await conn.execute(
        "INSERT INTO registrations (case_id, data_key, application_event, application)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (case_id) DO UPDATE"
        " SET data_key = $2, application_event = $3, application = $4"
        " WHERE NOT registrations.done",  # replayed after it was forwarded: nothing to keep
        event.application_id,
        envelope.meta.data_key,
        envelope.meta.event_id,
        envelope.commit,
    )
    await _forward_when_complete(runtime, conn, event.application_id)


async def handle(
    runtime: Runtime, conn: asyncpg.Connection, envelope: Envelope[DomainEvent]
) -> None:
    """A decision on a Gewerbeanmeldung: forward it if approved and its form is here."""
    event = envelope.event
    if not isinstance(event, CaseDecided) or event.procedure != PROCEDURE:
        return
    await conn.execute(
        "INSERT INTO registrations (case_id, tenant, competent_town, outcome, decided_at,"
        " correlation_id) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id) DO UPDATE"
        " SET tenant = $2, competent_town = $3, outcome = $4, decided_at = $5,"
        " correlation_id = $6 WHERE NOT registrations.done",
        event.case_id,
        envelope.meta.tenant,
        event.on_behalf_of,
        event.outcome,
        event.decided_at,
        envelope.meta.correlation_id,
    )
    await _forward_when_complete(runtime, conn, event.case_id)


async def forget(conn: asyncpg.Connection, data_key: str) -> None:
    """The case's personal data is erased: a registration still waiting goes with it."""
    await conn.execute("DELETE FROM registrations WHERE data_key = $1", data_key)


async def _forward_when_complete(runtime: Runtime, conn: asyncpg.Connection, case_id: Any) -> None:
    row = await conn.fetchrow(
        "SELECT * FROM registrations WHERE case_id = $1"
        " AND application IS NOT NULL AND outcome IS NOT NULL",
        case_id,
    )
    if row is None:
        return
    if row["outcome"] == "approved":
        submitted = await _application(runtime, row)
        if submitted is not None:
            await _forward(conn, row, submitted)
    await conn.execute(
        "UPDATE registrations SET application = NULL, done = true WHERE case_id = $1", case_id
    )


async def _application(
    runtime: Runtime, row: Any
) -> tuple[ApplicationSubmitted, str | None] | None:
    """The application, opened from its sealed commit (``None``: erased meanwhile)."""
    for envelope in await runtime.store.codec.decode(row["application"]):
        event = envelope.event
        if envelope.meta.event_id == row["application_event"] and isinstance(
            event, ApplicationSubmitted
        ):
            if event.form is None:
                return None
            return event, envelope.meta.data_key
    return None


async def _forward(
    conn: asyncpg.Connection, row: Any, submitted: tuple[ApplicationSubmitted, str | None]
) -> None:
    event, data_key = submitted
    town = row["competent_town"]
    configured = await conn.fetchval("SELECT recipients FROM forwarding WHERE town = $1", town)
    craft = xgewerbeanzeige.is_craft(event.form or {})
    recipients = forwarding.select(configured or {}, craft=craft)
    if not recipients:
        log.warning("registration not forwarded: no recipients configured", town=town)
        return
    head = await letterhead(conn, town, PROCEDURE)
    author = await _author(conn, town, head.office)
    registration = xgewerbeanzeige.Registration.from_form(
        event.form or {},
        case_id=event.application_id,
        case_number=event.case_number,
        submitted_at=event.submitted_at,
    )
    for recipient in recipients:
        message_id = derived_id(event.application_id, recipient.template)
        xml = xgewerbeanzeige.build(
            registration,
            author=author,
            reader=xgewerbeanzeige.Reader(recipient.name, recipient.email),
            message_id=message_id,
            created_at=row["decided_at"],
        )
        await queue(
            conn,
            FORWARDER.outgoing(
                Forwarding(
                    message_id=message_id,
                    tenant=row["tenant"],
                    town=town,
                    letterhead=head,
                    recipient=recipient,
                    case_id=event.application_id,
                    case_number=event.case_number,
                    submitted_at=event.submitted_at,
                    data_key=data_key,
                    correlation_id=row["correlation_id"],
                    xml=xml,
                )
            ),
        )


async def _author(conn: asyncpg.Connection, town: str, office: str) -> xgewerbeanzeige.Authority:
    """The competent town's Gewerbeamt, from its published profile."""
    profile = await conn.fetchval("SELECT profile FROM towns WHERE ags = $1", town)
    return xgewerbeanzeige.Authority(
        ags=town,
        name=f"{office or DEFAULT_OFFICE} {profile['name']}",
        email=profile["email"],
        phone=profile["phone"],
        address=xgewerbeanzeige.Address.parse(profile["address"]),
    )
