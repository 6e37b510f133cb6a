"""Approving an incoming invoice the German way, pure: decide(state, command) and evolve.

Municipal budget law (in Saxony §§ 11 ff. KomHVO and the towns' Dienstanweisungen für die
Kasse) separates who confirms an invoice from who orders its payment:

1. *sachlich richtig* — the ordering office confirms that goods or services were delivered
   as ordered, at the price invoiced (``ApproveFactually``);
2. *Anordnung* — an entitled person other than that checker orders the payment
   (``OrderPayment``); the amount is compared with the town's threshold then, and the
   comparison is recorded with the order;
3. above the threshold a third person countersigns (``Countersign``), the four eyes;
4. the treasury's payment run releases the ordered invoice into a credit-transfer file
   (``Release``) — once.

Instead, an invoice may be rejected back to the supplier with reasons (``Reject``) until it
is released. A duplicate (same seller, number and amount as an earlier invoice), a credit
note or an invoice without an account to pay can never be ordered for payment.

A command either yields events or breaks a rule: ``Violation`` names the rule (stable, for
logs and tests) and says it in German for the clerk. Nothing here reads a clock, a database
or a setting: the threshold comes with the command, the time with the clerk's step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.base import DomainEvent
from contracts.events.einvoices import (
    ApprovalStep,
    IncomingInvoiceRejected,
    InvoiceCountersigned,
    InvoiceFactuallyApproved,
    InvoicePaymentOrdered,
    InvoiceReleasedForPayment,
)

Status = Literal["received", "checked", "ordered", "approved", "rejected", "released"]
"""received → checked (sachlich richtig) → ordered (Anordnung) → approved (ready to pay:
ordered, and countersigned where the threshold asks it) → released (in a payment file);
or rejected at any point before release."""

STATUS_TEXT: dict[str, str] = {
    "received": "eingegangen",
    "checked": "sachlich richtig",
    "ordered": "angeordnet, zweite Freigabe fehlt",
    "approved": "zur Zahlung freigegeben",
    "rejected": "abgelehnt",
    "released": "in Zahlungsdatei",
}
"""The status as a clerk reads it."""


class InvoiceFacts(BaseModel):
    """What the rules need to know of the invoice as received."""

    model_config = ConfigDict(frozen=True)

    invoice_id: UUID
    town: str
    invoice_number: str
    seller_name: str
    type_code: str
    payable: Decimal
    currency: str = "EUR"
    issue_date: date | None = None
    due_date: date | None = None
    discount_percent: Decimal | None = None
    discount_base: Decimal | None = None
    discount_until: date | None = None
    duplicate_of: UUID | None = None
    has_account: bool = True


class ApprovalState(BaseModel):
    """The invoice's approval so far (folded from its events)."""

    model_config = ConfigDict(frozen=True)

    facts: InvoiceFacts
    checked: ApprovalStep | None = None
    ordered: ApprovalStep | None = None
    second_required: bool = False
    countersigned: ApprovalStep | None = None
    rejected: ApprovalStep | None = None
    rejection_reasons: tuple[str, ...] = ()
    rejection_notice: Literal["mail", "no_address"] | None = None
    """``no_address``: the invoice gives no contact e-mail, the supplier was not mailed."""
    released_in: UUID | None = None

    @property
    def status(self) -> Status:
        """Where the invoice stands."""
        if self.released_in is not None:
            return "released"
        if self.rejected is not None:
            return "rejected"
        if self.ordered is not None:
            waiting = self.second_required and self.countersigned is None
            return "ordered" if waiting else "approved"
        return "checked" if self.checked is not None else "received"


@dataclass(frozen=True)
class Violation:
    """A rule the command breaks: its name, and the sentence a clerk reads."""

    rule: str
    message: str


# --- the rules, by name ----------------------------------------------------------------------

REJECTED = Violation(
    "invoice_rejected", "Die Rechnung wurde abgelehnt; sie kann nicht mehr freigegeben werden."
)
RELEASED = Violation(
    "invoice_released",
    "Die Rechnung ist bereits in einer Zahlungsdatei und wird bezahlt; sie kann nicht mehr"
    " geändert werden.",
)
ALREADY_CHECKED = Violation(
    "already_checked", "Die sachliche Richtigkeit dieser Rechnung ist bereits bestätigt."
)
NOT_CHECKED = Violation(
    "not_checked", "Zuerst muss die sachliche Richtigkeit bestätigt werden, dann die Anordnung."
)
SAME_PERSON = Violation(
    "checker_orders",
    "Die sachliche Richtigkeit und die Anordnung dürfen nicht von derselben Person stammen.",
)
ALREADY_ORDERED = Violation(
    "already_ordered", "Die Zahlung dieser Rechnung ist bereits angeordnet."
)
DUPLICATE = Violation(
    "duplicate_not_payable",
    "Diese Rechnung ist eine Doppelrechnung (gleicher Lieferant, gleiche Nummer, gleicher"
    " Betrag wie eine frühere); sie kann nicht zur Zahlung angeordnet werden.",
)
NOTHING_TO_PAY = Violation(
    "nothing_to_pay",
    "Der Zahlbetrag ist nicht größer als 0 € (z. B. eine Gutschrift); es ist nichts zu überweisen.",
)
NO_ACCOUNT = Violation(
    "no_account",
    "Die Rechnung nennt kein Konto (IBAN), auf das überwiesen werden könnte.",
)
NOT_ORDERED = Violation("not_ordered", "Zuerst muss die Zahlung angeordnet werden.")
NO_SECOND_NEEDED = Violation(
    "no_second_approval_needed",
    "Der Betrag liegt nicht über dem Schwellenwert; eine zweite Freigabe ist nicht nötig.",
)
SECOND_SAME_PERSON = Violation(
    "countersigner_took_part",
    "Die zweite Freigabe muss eine weitere Person erteilen, nicht wer die sachliche"
    " Richtigkeit bestätigt oder die Zahlung angeordnet hat.",
)
ALREADY_COUNTERSIGNED = Violation(
    "already_countersigned", "Die zweite Freigabe ist bereits erteilt."
)
SECOND_NEEDED = Violation(
    "second_approval_needed", "Über dem Schwellenwert ist eine zweite Freigabe nötig."
)
NO_REASONS = Violation("no_reasons", "Bitte nennen Sie mindestens einen Grund für die Ablehnung.")


# --- the commands ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ApproveFactually:
    """Confirm: delivered as ordered, at the price invoiced (sachlich richtig)."""

    step: ApprovalStep


@dataclass(frozen=True)
class OrderPayment:
    """Order the payment (Anordnung); ``threshold``: the town's, above which four eyes."""

    step: ApprovalStep
    threshold: Decimal


@dataclass(frozen=True)
class Countersign:
    """The second approval above the threshold."""

    step: ApprovalStep


@dataclass(frozen=True)
class Reject:
    """Send the invoice back to the supplier with reasons (German)."""

    step: ApprovalStep
    reasons: tuple[str, ...]
    supplier_email: str | None


@dataclass(frozen=True)
class Release:
    """Put the approved invoice into the credit-transfer file ``file_id``."""

    file_id: UUID
    amount: Decimal
    discounted: bool
    execution_date: date
    by: str
    at: datetime


Command = ApproveFactually | OrderPayment | Countersign | Reject | Release


def decide(state: ApprovalState, command: Command) -> list[DomainEvent] | Violation:
    """The events the command yields, or the rule it breaks."""
    if state.released_in is not None:
        return RELEASED
    if state.rejected is not None:
        return REJECTED
    if isinstance(command, ApproveFactually):
        return _approve(state, command)
    if isinstance(command, OrderPayment):
        return _order(state, command)
    if isinstance(command, Countersign):
        return _countersign(state, command)
    if isinstance(command, Reject):
        return _reject(state, command)
    return _release(state, command)


def _approve(state: ApprovalState, command: ApproveFactually) -> list[DomainEvent] | Violation:
    if state.checked is not None:
        return ALREADY_CHECKED
    facts = state.facts
    return [
        InvoiceFactuallyApproved(invoice_id=facts.invoice_id, town=facts.town, step=command.step)
    ]


def payable_violation(facts: InvoiceFacts) -> Violation | None:
    """Why the invoice can never be paid by transfer, if it cannot."""
    if facts.duplicate_of is not None:
        return DUPLICATE
    if facts.payable <= 0:
        return NOTHING_TO_PAY
    if not facts.has_account:
        return NO_ACCOUNT
    return None


def _order(state: ApprovalState, command: OrderPayment) -> list[DomainEvent] | Violation:
    if state.ordered is not None:
        return ALREADY_ORDERED
    if state.checked is None:
        return NOT_CHECKED
    if state.checked.by == command.step.by:
        return SAME_PERSON
    unpayable = payable_violation(state.facts)
    if unpayable is not None:
        return unpayable
    facts = state.facts
    return [
        InvoicePaymentOrdered(
            invoice_id=facts.invoice_id,
            town=facts.town,
            step=command.step,
            amount=facts.payable,
            threshold=command.threshold,
            second_approval_required=facts.payable > command.threshold,
        )
    ]


def _countersign(state: ApprovalState, command: Countersign) -> list[DomainEvent] | Violation:
    if state.ordered is None:
        return NOT_ORDERED
    if not state.second_required:
        return NO_SECOND_NEEDED
    if state.countersigned is not None:
        return ALREADY_COUNTERSIGNED
    assert state.checked is not None  # ordered only after checked
    if command.step.by in (state.checked.by, state.ordered.by):
        return SECOND_SAME_PERSON
    facts = state.facts
    return [InvoiceCountersigned(invoice_id=facts.invoice_id, town=facts.town, step=command.step)]


def _reject(state: ApprovalState, command: Reject) -> list[DomainEvent] | Violation:
    reasons = [reason.strip() for reason in command.reasons if reason.strip()]
    if not reasons:
        return NO_REASONS
    facts = state.facts
    return [
        IncomingInvoiceRejected(
            invoice_id=facts.invoice_id,
            town=facts.town,
            step=command.step,
            reasons=reasons,
            invoice_number=facts.invoice_number,
            seller_name=facts.seller_name,
            supplier_email=command.supplier_email,
            notice="mail" if command.supplier_email else "no_address",
        )
    ]


def _release(state: ApprovalState, command: Release) -> list[DomainEvent] | Violation:
    if state.ordered is None:
        return NOT_ORDERED
    if state.second_required and state.countersigned is None:
        return SECOND_NEEDED
    facts = state.facts
    return [
        InvoiceReleasedForPayment(
            invoice_id=facts.invoice_id,
            town=facts.town,
            file_id=command.file_id,
            amount=command.amount,
            discounted=command.discounted,
            execution_date=command.execution_date,
            released_by=command.by,
            released_at=command.at,
        )
    ]


def evolve(state: ApprovalState, event: DomainEvent) -> ApprovalState:
    """The state after ``event`` (events of other kinds leave it as it is)."""
    if isinstance(event, InvoiceFactuallyApproved):
        return state.model_copy(update={"checked": event.step})
    if isinstance(event, InvoicePaymentOrdered):
        return state.model_copy(
            update={"ordered": event.step, "second_required": event.second_approval_required}
        )
    if isinstance(event, InvoiceCountersigned):
        return state.model_copy(update={"countersigned": event.step})
    if isinstance(event, IncomingInvoiceRejected):
        return state.model_copy(
            update={
                "rejected": event.step,
                "rejection_reasons": tuple(event.reasons),
                "rejection_notice": event.notice,
            }
        )
    if isinstance(event, InvoiceReleasedForPayment):
        return state.model_copy(update={"released_in": event.file_id})
    return state


def fold(state: ApprovalState, events: list[DomainEvent]) -> ApprovalState:
    """The state after each of ``events`` in turn."""
    for event in events:
        state = evolve(state, event)
    return state
