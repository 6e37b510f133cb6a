"""Background job: announce incoming invoices whose discount date or due date is near.

A town that misses an invoice's discount date pays more; one that misses its due date pays
late. Every round (``BILLING_TIMER_SECONDS``; "today" is the timers' clock, which tests can
move) the job looks at the invoices still to be paid — received, not a duplicate, neither
rejected nor in a payment file — and records ``InvoiceDeadlineNear`` for each deadline within
``LEAD_DAYS`` (``domain.invoice_payment.deadlines_near``): once per invoice and kind, whatever
restarts or replicas do, by the primary key of ``billing_invoice_deadline_notices`` written
in the transaction that puts the event into the outbox. notify mails the town's desk address.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import asyncpg
import structlog

from contracts.calendar import german_date
from contracts.events.einvoices import InvoiceDeadlineNear
from runtime import outbox
from runtime.clock import Clock
from runtime.eventstore import Cause
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.ids import derived_id, new_id
from runtime.service import Runtime
from services.billing.domain.invoice_approval import ApprovalState, InvoiceFacts
from services.billing.domain.invoice_payment import Deadline, deadlines_near
from services.billing.einvoices.receiving import incoming_invoice_ref
from services.billing.settings import BillingSettings

log = structlog.get_logger(__name__)

ACTOR = "system:billing.invoice-deadlines"
LEAD_DAYS = 3
"""How many days ahead a deadline is announced: enough for the three signatures and the
treasury's next payment run."""

OPEN = """
SELECT i.invoice_id, i.town, i.invoice_number, i.seller_name, i.type_code, i.payable,
       i.currency, i.issue_date, i.due_date, i.discount_percent, i.discount_days,
       i.discount_until, a.state
FROM rm_incoming_invoices.invoices i
LEFT JOIN public.billing_invoice_approvals a USING (invoice_id)
WHERE i.duplicate_of IS NULL
  AND (a.status IS NULL OR a.status NOT IN ('rejected', 'released'))
  AND (i.due_date <= $1 OR i.discount_days IS NOT NULL)
ORDER BY i.invoice_id
"""
"""Invoices still to pay with a deadline up to the horizon (announced ones are skipped by the
insert, not here: the list is short)."""


def facts_of_row(row: asyncpg.Record) -> InvoiceFacts:
    """The facts of an invoice from its approval state if it has one, else from the queue
    (which lacks a discount's base amount: the payable amount stands in for it there)."""
    if row["state"] is not None:
        raw = row["state"]
        return ApprovalState.model_validate(json.loads(raw) if isinstance(raw, str) else raw).facts
    until = row["discount_until"]
    if until is None and row["discount_days"] is not None:
        until = row["issue_date"] + timedelta(days=row["discount_days"])
    return InvoiceFacts(
        invoice_id=row["invoice_id"],
        town=row["town"],
        invoice_number=row["invoice_number"],
        seller_name=row["seller_name"],
        type_code=row["type_code"],
        payable=row["payable"],
        currency=row["currency"],
        issue_date=row["issue_date"],
        due_date=row["due_date"],
        discount_percent=row["discount_percent"],
        discount_until=until,
    )


async def run_deadline_announcements(runtime: Runtime) -> None:
    """Background job: announce near deadlines, then sleep."""
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)
    clock = Clock(settings.test_clock_file)
    while True:
        try:
            announced = await announce(runtime, clock.now())
            if announced:
                log.info("invoice deadlines announced", count=announced)
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning("invoice deadlines paused: infrastructure unavailable", error=str(exc))
        await asyncio.sleep(settings.timer_seconds)


async def announce(runtime: Runtime, now: datetime) -> int:
    """One round: record each near deadline not announced before; returns how many."""
    today = german_date(now)
    horizon = today + timedelta(days=LEAD_DAYS)
    announced = 0
    for row in await runtime.pool.fetch(OPEN, horizon):
        facts = facts_of_row(row)
        for deadline in deadlines_near(facts, today, LEAD_DAYS):
            announced += await _announce_once(runtime, facts, deadline, now)
    return announced


async def _announce_once(
    runtime: Runtime, facts: InvoiceFacts, deadline: Deadline, now: datetime
) -> int:
    event = InvoiceDeadlineNear(
        invoice_id=facts.invoice_id,
        town=facts.town,
        kind=deadline.kind,
        deadline=deadline.day,
        amount=deadline.amount,
        invoice_number=facts.invoice_number,
        seller_name=facts.seller_name,
        announced_at=now,
    )
    async with runtime.pool.acquire() as conn, conn.transaction():
        status: str = await conn.execute(
            "INSERT INTO public.billing_invoice_deadline_notices (invoice_id, kind, deadline)"
            " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            facts.invoice_id,
            deadline.kind,
            deadline.day,
        )
        if status == "INSERT 0 0":
            return 0
        await outbox.record(
            conn,
            incoming_invoice_ref(facts.town, facts.invoice_id),
            [event],
            commit_id=derived_id("billing.invoice-deadline", str(facts.invoice_id), deadline.kind),
            cause=Cause(actor=ACTOR, correlation_id=new_id()),
        )
    return 1
