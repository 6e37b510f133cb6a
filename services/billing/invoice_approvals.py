"""The clerks' commands on an incoming invoice: approve, order, countersign, reject.

Each is a plain async function taking the runtime, the caller's identity, the owning town,
the invoice id and its input — the JSON API (``invoice_approval_api``) and the clerks' pages
call the same functions — and raising typed errors whose text is German:

- ``InvoiceNotFound`` — no such invoice of the town, or the caller may not work on the town's
  invoices (answered 404 either way: another town's invoices are not confirmed to exist);
- ``StepRefused`` — a rule of ``domain.invoice_approval`` is broken (answered 409), its
  ``rule`` named;

Who may: clerks and supervisors of the owning town, and of a town the owner delegated its
invoice processing to (casework's agreement for ``eingangsrechnung``, projected into
``rm_incoming_invoices.delegations``) — they act in the owner's name, which the step records
as ``on_behalf_of``.

Each command is one transaction: the invoice's approval row is locked (``FOR UPDATE``), the
domain decides on the state it holds, and the new state and the events (into the outbox) are
written together. Two clerks at once: the second decides on what the first left, and is told
which rule that breaks (409). The row is made at an invoice's first step from its
``IncomingInvoiceReceived``, read back from billing's log with the invoice's key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

import asyncpg

from contracts.base import DomainEvent
from contracts.calendar import today
from contracts.events.einvoices import (
    ApprovalStep,
    IncomingInvoiceReceived,
    data_key_of,
)
from runtime import outbox
from runtime.auth import Identity
from runtime.eventstore import Cause
from runtime.ids import new_id
from runtime.members import read_member_files
from runtime.service import Runtime
from services.billing.domain import invoice_approval as rules
from services.billing.domain.invoice_approval import ApprovalState, InvoiceFacts, Violation
from services.billing.domain.invoice_payment import CENT, amount_on, discount_amount
from services.billing.einvoices.receiving import incoming_invoice_ref

DELEGATED_PROCESS = "eingangsrechnung"
"""The id invoice processing is delegated under (casework's agreements)."""
FAIL_SAFE_THRESHOLD = Decimal("0.00")
"""A town whose member file names no threshold: every invoice needs the second approval."""


class InvoiceNotFound(LookupError):
    """No such invoice of the town, or not the caller's to work on (German text)."""


class StepRefused(Exception):
    """A rule is broken: ``rule`` (its name) and ``message`` (German)."""

    def __init__(self, violation: Violation) -> None:
        super().__init__(violation.message)
        self.rule = violation.rule
        self.message = violation.message


NOTICE_TEXT = {
    "mail": "Der Lieferant wird per E-Mail benachrichtigt.",
    "no_address": "Keine Adresse: Die Rechnung nennt keine E-Mail-Adresse des Lieferanten; er"
    " wurde nicht benachrichtigt.",
}
NOT_FOUND = (
    "Diese Rechnung gibt es in dieser Gemeinde nicht, oder Sie sind für sie nicht zuständig."
)


@dataclass(frozen=True)
class Acting:
    """Who acts, as which town's clerk, and for whom."""

    identity: Identity
    town: str
    on_behalf_of: str | None

    def step(self, at: datetime, note: str | None = None) -> ApprovalStep:
        """The step record of an action taken now."""
        return ApprovalStep(
            by=self.identity.subject,
            by_name=self.identity.name,
            by_town=self.town,
            on_behalf_of=self.on_behalf_of,
            at=at,
            note=(note or "").strip() or None,
        )


async def processing_towns(runtime: Runtime, town: str, day: date) -> tuple[str, ...]:
    """The towns processing ``town``'s invoices by the agreement in force on ``day``."""
    row = await runtime.pool.fetchrow(
        "SELECT processing_towns, valid_until FROM rm_incoming_invoices.delegations"
        " WHERE delegating_town = $1 AND (valid_from IS NULL OR valid_from <= $2)"
        " ORDER BY agreed_seq DESC LIMIT 1",
        town,
        day,
    )
    if row is None or (row["valid_until"] is not None and row["valid_until"] < day):
        return ()
    return tuple(row["processing_towns"])


async def acting_for(runtime: Runtime, identity: Identity, town: str) -> Acting | None:
    """How the caller may act on ``town``'s invoices: as its own clerk, by delegation, or not
    at all (None). Roles are checked by the caller (the route's dependency)."""
    if town in identity.towns:
        return Acting(identity, town, None)
    processing = await processing_towns(runtime, town, today())
    mine = [each for each in identity.towns if each in processing and each != town]
    return Acting(identity, mine[0], town) if mine else None


def approval_threshold(members_dir: str, town: str) -> Decimal:
    """The town's threshold above which an invoice needs a second approval (member file)."""
    for member in read_member_files(members_dir):
        if member["town"]["ags"] != town:
            continue
        value = member.get("billing", {}).get("einvoices", {}).get("approval_threshold")
        try:
            return Decimal(str(value)) if value is not None else FAIL_SAFE_THRESHOLD
        except InvalidOperation:
            return FAIL_SAFE_THRESHOLD
    return FAIL_SAFE_THRESHOLD


async def received_event(
    runtime: Runtime, town: str, invoice_id: UUID
) -> IncomingInvoiceReceived | None:
    """The invoice's receipt as billing's log holds it, personal fields opened."""
    loaded = await runtime.store.load(incoming_invoice_ref(town, invoice_id))
    for envelope in loaded.events:
        if isinstance(envelope.event, IncomingInvoiceReceived):
            return envelope.event
    return None


def facts_of(event: IncomingInvoiceReceived) -> InvoiceFacts:
    """What the rules and the payment need of a received invoice."""
    discount = event.discount
    until = None
    if discount is not None:
        until = discount.until or event.issue_date + timedelta(days=discount.days)
    return InvoiceFacts(
        invoice_id=event.invoice_id,
        town=event.town,
        invoice_number=event.invoice_number,
        seller_name=event.seller_name,
        type_code=event.type_code,
        payable=event.payable.quantize(CENT),
        currency=event.currency,
        issue_date=event.issue_date,
        due_date=event.due_date,
        discount_percent=discount.percent if discount else None,
        discount_base=discount.base_amount if discount else None,  # quantized when used
        discount_until=until,
        duplicate_of=event.duplicate_of,
        has_account=event.payment_account is not None,
    )


async def _ensure_row(runtime: Runtime, town: str, invoice_id: UUID) -> None:
    """The invoice's approval row, made at its first step from the log."""
    if await runtime.pool.fetchval(
        "SELECT 1 FROM public.billing_invoice_approvals WHERE invoice_id = $1", invoice_id
    ):
        return
    queued = await runtime.pool.fetchval(
        "SELECT 1 FROM rm_incoming_invoices.invoices WHERE invoice_id = $1 AND town = $2",
        invoice_id,
        town,
    )
    event = await received_event(runtime, town, invoice_id) if queued else None
    if event is None:
        raise InvoiceNotFound(NOT_FOUND)
    state = ApprovalState(facts=facts_of(event))
    await runtime.pool.execute(
        "INSERT INTO public.billing_invoice_approvals (invoice_id, town, status, state)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (invoice_id) DO NOTHING",
        invoice_id,
        town,
        state.status,
        state.model_dump(mode="json"),
    )


def history_entry(event: DomainEvent) -> dict[str, Any]:
    """One step as the history shows it: the event without its personal fields."""
    data = event.model_dump(mode="json", exclude=set(event.personal_fields()))
    return {"type": event.type_name, "data": data}


async def locked_state(conn: asyncpg.Connection, town: str, invoice_id: UUID) -> ApprovalState:
    """The invoice's approval state, its row locked until the transaction ends."""
    raw = await conn.fetchval(
        "SELECT state FROM public.billing_invoice_approvals"
        " WHERE invoice_id = $1 AND town = $2 FOR UPDATE",
        invoice_id,
        town,
    )
    if raw is None:
        raise InvoiceNotFound(NOT_FOUND)
    return ApprovalState.model_validate(raw if isinstance(raw, dict) else json.loads(raw))


async def apply_decision(
    conn: asyncpg.Connection,
    state: ApprovalState,
    command: rules.Command,
    cause: Cause,
) -> tuple[ApprovalState, list[DomainEvent]]:
    """Decide ``command`` on the locked ``state``; store the new state, record the events.

    ``StepRefused`` if a rule is broken (the caller's transaction then rolls back)."""
    decided = rules.decide(state, command)
    if isinstance(decided, Violation):
        raise StepRefused(decided)
    after = rules.fold(state, decided)
    facts = state.facts
    await conn.execute(
        "UPDATE public.billing_invoice_approvals SET status = $2, state = $3,"
        " history = history || $4::jsonb, updated_at = now() WHERE invoice_id = $1",
        facts.invoice_id,
        after.status,
        after.model_dump(mode="json"),
        [history_entry(event) for event in decided],
    )
    personal = any(
        getattr(event, name) is not None for event in decided for name in event.personal_fields()
    )
    await outbox.record(
        conn,
        incoming_invoice_ref(facts.town, facts.invoice_id),
        decided,
        commit_id=new_id(),
        cause=cause,
        data_key=data_key_of(facts.invoice_id) if personal else None,
    )
    return after, decided


async def _step(
    runtime: Runtime,
    identity: Identity,
    town: str,
    invoice_id: UUID,
    make: Any,
) -> ApprovalState:
    """Run one clerk's command: access, the row, the lock, the decision, the record."""
    acting = await acting_for(runtime, identity, town)
    if acting is None:
        raise InvoiceNotFound(NOT_FOUND)
    await _ensure_row(runtime, town, invoice_id)
    cause = Cause(actor=f"clerk:{identity.subject}", correlation_id=new_id())
    async with runtime.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL synchronous_commit TO ON")  # answered = kept
        state = await locked_state(conn, town, invoice_id)
        command = await make(acting, state, datetime.now(UTC))
        after, _ = await apply_decision(conn, state, command, cause)
    return after


@dataclass(frozen=True)
class StepInput:
    """What a clerk may add to a step: a note (optional)."""

    note: str | None = None


async def approve_factually(
    runtime: Runtime, identity: Identity, town: str, invoice_id: UUID, given: StepInput
) -> ApprovalState:
    """Sachlich richtig: the caller confirms delivery and price."""

    async def make(acting: Acting, state: ApprovalState, now: datetime) -> rules.Command:
        return rules.ApproveFactually(acting.step(now, given.note))

    return await _step(runtime, identity, town, invoice_id, make)


async def order_payment(
    runtime: Runtime, identity: Identity, town: str, invoice_id: UUID, given: StepInput
) -> ApprovalState:
    """Anordnung: the caller (not the checker) orders the payment; the town's threshold
    decides whether a second approval is needed."""
    threshold = approval_threshold(runtime.settings.members_dir, town)

    async def make(acting: Acting, state: ApprovalState, now: datetime) -> rules.Command:
        return rules.OrderPayment(acting.step(now, given.note), threshold)

    return await _step(runtime, identity, town, invoice_id, make)


async def countersign(
    runtime: Runtime, identity: Identity, town: str, invoice_id: UUID, given: StepInput
) -> ApprovalState:
    """The second approval above the threshold, by a third person."""

    async def make(acting: Acting, state: ApprovalState, now: datetime) -> rules.Command:
        return rules.Countersign(acting.step(now, given.note))

    return await _step(runtime, identity, town, invoice_id, make)


@dataclass(frozen=True)
class RejectionInput:
    """Why the invoice goes back to the supplier (German, each reason a sentence)."""

    reasons: tuple[str, ...]
    note: str | None = None


async def reject(
    runtime: Runtime, identity: Identity, town: str, invoice_id: UUID, given: RejectionInput
) -> ApprovalState:
    """Send the invoice back: the supplier is mailed the reasons at the seller's contact
    address on the invoice (if it gives none, the rejection records that)."""

    async def make(acting: Acting, state: ApprovalState, now: datetime) -> rules.Command:
        received = await received_event(runtime, town, invoice_id)
        contact = received.seller_contact if received else None
        email = (contact.email or "").strip() if contact else ""
        return rules.Reject(acting.step(now, given.note), given.reasons, email or None)

    return await _step(runtime, identity, town, invoice_id, make)


async def approval_view(
    runtime: Runtime, identity: Identity, town: str, invoice_id: UUID
) -> dict[str, Any]:
    """The invoice's approval as the clerks see it: status, steps, deadlines, what is paid."""
    if await acting_for(runtime, identity, town) is None:
        raise InvoiceNotFound(NOT_FOUND)
    row = await runtime.pool.fetchrow(
        "SELECT state, history FROM public.billing_invoice_approvals"
        " WHERE invoice_id = $1 AND town = $2",
        invoice_id,
        town,
    )
    if row is None:
        await _ensure_row(runtime, town, invoice_id)
        return await approval_view(runtime, identity, town, invoice_id)
    state = ApprovalState.model_validate(_json(row["state"]))
    return view_of(state, _json(row["history"]), today())


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def view_of(state: ApprovalState, history: list[Any], day: date) -> dict[str, Any]:
    """The JSON of one invoice's approval (pure)."""
    facts = state.facts
    paying = amount_on(facts, day)
    return {
        "invoice_id": str(facts.invoice_id),
        "town": facts.town,
        "invoice_number": facts.invoice_number,
        "seller_name": facts.seller_name,
        "status": state.status,
        "status_text": rules.STATUS_TEXT[state.status],
        "payable": str(facts.payable),
        "currency": facts.currency,
        "due_date": facts.due_date.isoformat() if facts.due_date else None,
        "discount_until": facts.discount_until.isoformat() if facts.discount_until else None,
        "discount": str(discount_amount(facts)),
        "amount_if_paid_today": str(paying.amount),
        "discount_if_paid_today": paying.discounted,
        "duplicate_of": str(facts.duplicate_of) if facts.duplicate_of else None,
        "second_approval_required": state.second_required,
        "checked": _step_json(state.checked),
        "ordered": _step_json(state.ordered),
        "countersigned": _step_json(state.countersigned),
        "rejected": _step_json(state.rejected),
        "rejection_reasons": list(state.rejection_reasons),
        "rejection_notice": state.rejection_notice,
        "rejection_notice_text": NOTICE_TEXT.get(state.rejection_notice or ""),
        "released_in": str(state.released_in) if state.released_in else None,
        "history": history,
    }


def _step_json(step: ApprovalStep | None) -> dict[str, Any] | None:
    return step.model_dump(mode="json") if step else None
