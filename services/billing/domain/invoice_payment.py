"""What to pay for an approved invoice, and which of its deadlines are near, pure.

**The discount decision.** An invoice may offer an early-payment discount (Skonto: percent
within days, BT-20 in XRechnung's ``#SKONTO#`` form). The town takes it whenever it still
can: if the credit transfer is executed on or before the discount's last day, the file
transfers the payable amount less the discount — the percent of the discount's base amount
(``BASISBETRAG``, or the payable amount where none is given), rounded to the cent, half up —
and otherwise the full payable amount. The execution date is the day the file is made (the
treasury submits it that day), so a file made on the discount's last day still takes it.
Passing up a discount costs the town money; taking one too late is a short payment the
supplier will claim, so the decision is by date alone and recorded with each release.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from services.billing.domain.invoice_approval import InvoiceFacts

CENT = Decimal("0.01")
DeadlineKind = Literal["discount", "due"]


@dataclass(frozen=True)
class Amount:
    """What is transferred, and whether the discount was taken."""

    amount: Decimal
    discounted: bool


def discount_amount(facts: InvoiceFacts) -> Decimal:
    """The discount offered, in money (0 without one)."""
    if not facts.discount_percent:
        return Decimal("0.00")
    base = facts.discount_base if facts.discount_base is not None else facts.payable
    return (base * facts.discount_percent / 100).quantize(CENT, ROUND_HALF_UP)


def amount_on(facts: InvoiceFacts, execution: date) -> Amount:
    """The amount to transfer if the transfer is executed on ``execution``."""
    offered = discount_amount(facts)
    if offered > 0 and facts.discount_until is not None and execution <= facts.discount_until:
        return Amount((facts.payable - offered).quantize(CENT), discounted=True)
    return Amount(facts.payable.quantize(CENT), discounted=False)


@dataclass(frozen=True)
class Deadline:
    """A deadline of an invoice to announce: which, when, and what is paid by then."""

    kind: DeadlineKind
    day: date
    amount: Decimal


def deadlines_near(facts: InvoiceFacts, today: date, lead_days: int) -> list[Deadline]:
    """The deadlines within ``lead_days`` from ``today``: a discount not yet lapsed, and a due
    date not further off (one already passed too: it is all the more urgent)."""
    horizon = today + timedelta(days=lead_days)
    near = []
    offered = discount_amount(facts)
    until = facts.discount_until
    if offered > 0 and until is not None and today <= until <= horizon:
        near.append(Deadline("discount", until, amount_on(facts, until).amount))
    if facts.due_date is not None and facts.due_date <= horizon:
        near.append(Deadline("due", facts.due_date, facts.payable.quantize(CENT)))
    return near
