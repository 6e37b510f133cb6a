"""What the invoice page's approval block shows (pure): the steps taken, why a second
approval is or will be needed, and which forms the signed-in person gets.

The state is D's (``domain.invoice_approval.ApprovalState``, kept per invoice in
``billing_invoice_approvals`` once a first step was taken; ``None`` before). The page shows
every form the invoice's status allows to anyone who may approve (roles ``clerk`` and
``supervisor``, as the JSON API) and leaves the rules to the domain: a checker who tries the
Anordnung is refused with the rule's German sentence on the page, which tells more than a
form that silently is not there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contracts.events.einvoices import ApprovalStep
from runtime.auth import Identity
from services.billing.domain.invoice_approval import ApprovalState
from services.billing.pages.wording import moment, money

APPROVER_ROLES = ("clerk", "supervisor")
"""Who takes approval steps (``invoice_approval_api.APPROVERS``)."""
TREASURY_ROLE = "treasury"
"""Who makes payment files (``invoice_approval_api.TREASURY``)."""
OPEN_FOR_REJECTION = ("received", "checked", "ordered", "approved")


@dataclass(frozen=True)
class StepLine:
    """One step taken, worded: „Sachlich richtig: Anton Augst (Augustusburg im Auftrag von
    Wurzen), 01.12.2026, 14:05 Uhr – Vermerk: …“."""

    label: str
    who: str
    when: str
    note: str


@dataclass(frozen=True)
class Panel:
    """The approval block of one invoice for one person."""

    status: str
    steps: tuple[StepLine, ...]
    second_approval: str
    """Why a second approval is (or will be) needed, or that it is not; empty if unknown."""
    forms: tuple[str, ...]
    """Of ``check``, ``order``, ``countersign``, ``reject``: the forms shown, in order."""
    rejection_reasons: tuple[str, ...]
    treasury: bool
    """The person makes payment files: the page links to them."""


def step_line(
    label: str, step: ApprovalStep | None, town_name: Callable[[str], str]
) -> StepLine | None:
    """A step as a line of the block (``None``: not taken)."""
    if step is None:
        return None
    where = town_name(step.by_town)
    if step.on_behalf_of:
        where += f" im Auftrag von {town_name(step.on_behalf_of)}"
    return StepLine(label, f"{step.by_name} ({where})", moment(step.at), step.note or "")


def second_approval_text(
    payable: Decimal, threshold: Decimal, town: str, currency: str = "EUR"
) -> str:
    """Why four eyes are needed above the town's threshold — or that they are not."""
    amount, limit = money(payable, currency), money(threshold)
    if payable > threshold:
        return (
            f"Der Betrag von {amount} liegt über dem Schwellenwert von {limit} der Gemeinde"
            f" {town}. Nach der Anordnung ist deshalb eine zweite Freigabe durch eine dritte"
            " Person nötig (Vier-Augen-Prinzip)."
        )
    return (
        f"Der Betrag von {amount} liegt nicht über dem Schwellenwert von {limit} der"
        f" Gemeinde {town}; eine zweite Freigabe ist nicht nötig."
    )


def recorded_threshold(history: list[Any]) -> Decimal | None:
    """The threshold the Anordnung was compared with, as its step recorded it."""
    for entry in history:
        if isinstance(entry, dict) and entry.get("type") == "billing.InvoicePaymentOrdered":
            value = (entry.get("data") or {}).get("threshold")
            if value is not None:
                return Decimal(str(value))
    return None


def forms_for(status: str, identity: Identity) -> tuple[str, ...]:
    """The forms the invoice's status allows, for a person who may approve."""
    if not identity.has_role(*APPROVER_ROLES):
        return ()
    step = {"received": ("check",), "checked": ("order",), "ordered": ("countersign",)}
    return (*step.get(status, ()), *(("reject",) if status in OPEN_FOR_REJECTION else ()))


def panel(
    state: ApprovalState | None,
    history: list[Any],
    *,
    payable: Decimal,
    currency: str,
    threshold: Decimal,
    town: str,
    identity: Identity,
    town_name: Callable[[str], str],
) -> Panel:
    """The block for ``identity``; ``threshold`` is the town's today (the member file), used
    until an Anordnung recorded the one it was compared with."""
    status = state.status if state is not None else "received"
    if state is not None and state.ordered is not None:
        threshold = recorded_threshold(history) or threshold
    steps = (
        []
        if state is None
        else [
            step_line("Sachlich richtig", state.checked, town_name),
            step_line("Angeordnet", state.ordered, town_name),
            step_line("Zweite Freigabe", state.countersigned, town_name),
            step_line("Abgelehnt", state.rejected, town_name),
        ]
    )
    return Panel(
        status=status,
        steps=tuple(line for line in steps if line is not None),
        second_approval=second_approval_text(payable, threshold, town_name(town), currency),
        forms=forms_for(status, identity),
        rejection_reasons=state.rejection_reasons if state is not None else (),
        treasury=identity.has_role(TREASURY_ROLE),
    )
