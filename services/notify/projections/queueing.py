"""Putting a rendered message into the outbox, on a town's letterhead (inside the reaction's
transaction, so a message is queued exactly when its event's checkpoint moves).

A message's id is derived from the event that caused it and its template: a redelivered or
replayed event finds its message there already. Attachments are references into the object
store (``DocumentRef``), never their content: the sender reads and decrypts them when it
sends, and nothing decrypted is kept in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg

from runtime.telemetry import current_traceparent
from services.notify.domain.delivery import priority
from services.notify.domain.templates import Letterhead, Message

CHANNEL = "notify_outbox"
"""PostgreSQL NOTIFY channel that wakes the senders."""
DEFAULT_OFFICE = "Bürgerservice"


@dataclass(frozen=True)
class Outgoing:
    """One message to queue."""

    message_id: UUID
    tenant: str
    case_id: UUID | None
    data_key: str | None
    correlation_id: UUID | None
    template: str
    recipient: str
    message: Message
    letterhead_town: str | None = None
    """The town whose name the mail is sent in, if not the tenant (a decision's competent one)."""
    attachments: list[dict[str, Any]] = field(default_factory=list)
    payload: tuple[str, str, bytes] | None = None
    """A file made here to attach (file name, type, content), e.g. a forwarded
    XGewerbeanzeige; dropped with the text once delivered or erased."""


async def letterhead(conn: asyncpg.Connection, ags: str, procedure: str | None) -> Letterhead:
    """A town's letterhead with the office competent for ``procedure``."""
    town = await conn.fetchrow("SELECT profile, offices FROM towns WHERE ags = $1", ags)
    if town is None:
        raise LookupError(f"no letterhead for town {ags}")
    office = town["offices"].get(procedure or "", DEFAULT_OFFICE)
    return Letterhead.from_profile(town["profile"], office)


async def queue(conn: asyncpg.Connection, outgoing: Outgoing) -> None:
    """Queue the message once (its id decides); the insert wakes a sender
    (``outbox.WAKE_TRIGGER``)."""
    await conn.execute(
        "INSERT INTO outbox (message_id, tenant, case_id, data_key, correlation_id, traceparent,"
        " template, recipient, subject, body, letterhead_town, attachments,"
        " payload_name, payload_type, payload, html, priority)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
        " ON CONFLICT (message_id) DO NOTHING",
        outgoing.message_id,
        outgoing.tenant,
        outgoing.case_id,
        outgoing.data_key,
        outgoing.correlation_id,
        current_traceparent(),
        outgoing.template,
        outgoing.recipient,
        outgoing.message.subject,
        outgoing.message.body,
        outgoing.letterhead_town,
        outgoing.attachments,
        *(outgoing.payload or (None, None, None)),
        outgoing.message.html or None,
        priority(outgoing.template),
    )
