"""Mails about a town's incoming e-invoices: the rejection to the supplier, deadlines to the desk.

billing's ``IncomingInvoiceRejected`` carries the supplier's contact address from the invoice
(sealed with the invoice's key, opened here) and the reasons: the mail goes there, once per
event (the message id is derived from it), signed by the owning town. A rejection without an
address (``notice`` ``no_address``) sends nothing — billing's record says so to the clerks.
``InvoiceDeadlineNear`` goes to the owning town's desk address (its casework configuration,
``desks``), if it has one.

Part of the outbox reaction (``outbox.projection``), in its transaction.
"""

from __future__ import annotations

import asyncpg

from contracts.base import DomainEvent
from contracts.events.einvoices import IncomingInvoiceRejected, InvoiceDeadlineNear
from runtime.codec import Envelope
from runtime.ids import derived_id
from services.notify.domain.invoice_templates import (
    OFFICE,
    invoice_deadline_near,
    invoice_rejection,
)
from services.notify.domain.templates import Letterhead, Message
from services.notify.projections.queueing import Outgoing, queue

EVENT_TYPES = frozenset({IncomingInvoiceRejected.type_name, InvoiceDeadlineNear.type_name})


async def handle(conn: asyncpg.Connection, envelope: Envelope[DomainEvent]) -> None:
    """Queue the mail an invoice event asks for (or nothing)."""
    event = envelope.event
    if isinstance(event, IncomingInvoiceRejected) and event.supplier_email:
        message = invoice_rejection(
            await _letterhead(conn, event.town),
            seller_name=event.seller_name,
            invoice_number=event.invoice_number,
            reasons=list(event.reasons),
        )
        await _queue(conn, envelope, "invoice_rejection", event.supplier_email, message)
    elif isinstance(event, InvoiceDeadlineNear):
        desk = await conn.fetchval("SELECT email FROM desks WHERE ags = $1", event.town)
        if not desk:
            return
        message = invoice_deadline_near(
            await _letterhead(conn, event.town),
            kind=event.kind,
            deadline=event.deadline,
            amount=event.amount,
            invoice_number=event.invoice_number,
            seller_name=event.seller_name,
        )
        await _queue(conn, envelope, "invoice_deadline_near", desk, message)


async def _letterhead(conn: asyncpg.Connection, town: str) -> Letterhead:
    row = await conn.fetchrow("SELECT profile FROM towns WHERE ags = $1", town)
    if row is None:
        raise LookupError(f"no letterhead for town {town}")
    return Letterhead.from_profile(row["profile"], OFFICE)


async def _queue(
    conn: asyncpg.Connection,
    envelope: Envelope[DomainEvent],
    template: str,
    recipient: str,
    message: Message,
) -> None:
    meta = envelope.meta
    invoice_id = getattr(envelope.event, "invoice_id", None)
    await queue(
        conn,
        Outgoing(
            message_id=derived_id(meta.event_id, template),
            tenant=meta.tenant,
            case_id=invoice_id,
            data_key=meta.data_key,
            correlation_id=meta.correlation_id,
            template=template,
            recipient=recipient,
            message=message,
            letterhead_town=meta.tenant,
        ),
    )
