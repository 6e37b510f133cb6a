"""What the clerks' invoice pages read: the towns a clerk sees, a town's invoices, one
invoice's events and its original — each behind the same access rule as the JSON API.

A clerk sees the invoices of their own towns and of every town that has delegated its
invoice processing (``eingangsrechnung``) to one of them (``einvoice_api.sees_town``);
operators see all. An invoice of any other town is "not found", exactly like one that does
not exist, so its id tells a stranger nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from contracts.base import DomainEvent
from contracts.calendar import today
from contracts.events.einvoices import IncomingInvoiceReceived, data_key_of
from contracts.naming import Service
from runtime import documents
from runtime.auth import OPERATOR_ROLE, Identity
from runtime.codec import Envelope
from runtime.eventstore import AggregateRef
from runtime.service import Runtime
from services.billing.domain.invoice_approval import ApprovalState
from services.billing.einvoice_api import sees_town

WITH_STATUS = (
    "SELECT i.*, a.status FROM rm_incoming_invoices.invoices i"
    " LEFT JOIN public.billing_invoice_approvals a USING (invoice_id)"
)
"""The read model's row with the approval status (``None`` before a first step)."""


class InvoiceNotFound(Exception):
    """No such invoice, or not one the clerk may see."""


class OriginalGone(Exception):
    """The invoice's key is destroyed (erasure): its original can no longer be opened."""


@dataclass(frozen=True)
class InvoiceRecord:
    """One invoice as the page needs it: its read-model row and its events, in order."""

    row: asyncpg.Record
    events: Sequence[Envelope[DomainEvent]]

    @property
    def received(self) -> IncomingInvoiceReceived:
        """The event that brought it."""
        for envelope in self.events:
            if isinstance(envelope.event, IncomingInvoiceReceived):
                return envelope.event
        raise InvoiceNotFound  # the read model is ahead of nothing: cannot happen


def invoice_ref(town: str, invoice_id: UUID) -> AggregateRef:
    """Where an incoming invoice's events live."""
    return AggregateRef(Service.BILLING, town, "incoming-invoice", str(invoice_id))


async def visible_towns(runtime: Runtime, clerk: Identity) -> list[str]:
    """The clerk's own towns, then the towns whose invoices are delegated to them."""
    if clerk.has_role(OPERATOR_ROLE):
        rows = await runtime.pool.fetch(
            "SELECT DISTINCT town FROM rm_incoming_invoices.invoices ORDER BY town"
        )
        return [*clerk.towns, *(r["town"] for r in rows if r["town"] not in clerk.towns)]
    rows = await runtime.pool.fetch(
        "SELECT DISTINCT ON (delegating_town) delegating_town, processing_towns, valid_until"
        " FROM rm_incoming_invoices.delegations"
        " WHERE valid_from IS NULL OR valid_from <= $1"
        " ORDER BY delegating_town, agreed_seq DESC",
        today(),
    )
    delegated = [
        row["delegating_town"]
        for row in rows
        if (row["valid_until"] is None or row["valid_until"] >= today())
        and set(row["processing_towns"]) & set(clerk.towns)
        and row["delegating_town"] not in clerk.towns
    ]
    return [*clerk.towns, *delegated]


async def town_invoices(runtime: Runtime, towns: Sequence[str]) -> list[asyncpg.Record]:
    """The towns' received invoices, the earliest due first (then as they came)."""
    return list(
        await runtime.pool.fetch(
            WITH_STATUS + " WHERE i.town = ANY($1::text[])"
            " ORDER BY i.due_date NULLS LAST, i.received_at, i.invoice_id",
            list(towns),
        )
    )


async def load_invoice(runtime: Runtime, clerk: Identity, invoice_id: UUID) -> InvoiceRecord:
    """The invoice, if the clerk may see it (``InvoiceNotFound`` otherwise)."""
    row = await runtime.pool.fetchrow(WITH_STATUS + " WHERE i.invoice_id = $1", invoice_id)
    if row is None or not await sees_town(runtime, clerk, row["town"]):
        raise InvoiceNotFound
    loaded = await runtime.store.load(invoice_ref(row["town"], invoice_id))
    if not loaded.events:
        raise InvoiceNotFound
    return InvoiceRecord(row, loaded.events)


async def original_bytes(runtime: Runtime, received: IncomingInvoiceReceived) -> bytes:
    """The original as the supplier sent it, opened with the invoice's own key."""
    key = await runtime.keys.get(data_key_of(received.invoice_id))
    if key is None:
        raise OriginalGone
    name = received.original.object_name
    stored = (await runtime.attachments.get(name)).data or b""
    return documents.decrypt(stored, key, name)


async def report_fragment(runtime: Runtime, invoice_id: UUID) -> str | None:
    """The check's report as the supplier saw it (an HTML fragment billing rendered)."""
    found: str | None = await runtime.pool.fetchval(
        "SELECT report_html FROM public.billing_incoming_invoices WHERE invoice_id = $1",
        invoice_id,
    )
    return found


async def approval_of(runtime: Runtime, invoice_id: UUID) -> tuple[ApprovalState | None, list[Any]]:
    """The invoice's approval state and step history as the commands keep them (``None``
    and no steps before the first step)."""
    row = await runtime.pool.fetchrow(
        "SELECT state, history FROM public.billing_invoice_approvals WHERE invoice_id = $1",
        invoice_id,
    )
    if row is None:
        return None, []
    state, history = (_json(row[name]) for name in ("state", "history"))
    return ApprovalState.model_validate(state), list(history)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
