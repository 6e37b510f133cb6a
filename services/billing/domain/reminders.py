"""What the passing of time does to an unpaid claim: surcharges, a reminder, enforcement (pure).

Given a fee's claim (``domain.claim``, folded from its log), the day in Germany and the
town's rules (``Reminders`` of the schedule version in force that day), ``decide`` returns
the events that are due — each at most once, since the claim knows every step taken:

* **Late-payment surcharges (Säumniszuschläge)** — as § 240 AO says for taxes, which the
  Saxon KAG applies to municipal levies, and which the towns' statutes apply to their fees
  alike: for every *started* month of delay, 1 % of the fee's open part **rounded down to a
  multiple of 50 €** (an open 126 € counts as 100 € → 1,00 € a month; under 50 € nothing).
  Delay begins the day after the due date; month n begins the day after the due date's day
  n − 1 months later (``months_after``: from 31 January, the last day of February). Nothing
  is charged for a delay of up to three days (§ 240 (3) AO): paid within them, no month
  counts. Payments settle the fee before reminder fees and surcharges (§ 225 (2) AO), and
  surcharges are charged on the fee alone, never on fees or surcharges (§ 240 (2) AO). A
  town whose statute charges none says ``late_surcharges = false``. Months the timers could
  not see (billing was down) are charged when they look again, on the open fee of then.
* **The reminder (Mahnung)**, once, when the due date plus the town's ``grace_days`` has
  passed and something is still open: the reminder fee the schedule names raises the claim,
  and the payer gets ``term_days`` to pay (to the next working day in Saxony).
* **Handover for enforcement (Vollstreckung)**, once, ``enforcement_after_days`` after the
  reminder, if the claim is still open then. A payment that settles the claim before that
  day — reminder fee and surcharges included — stops it; what a partial payment leaves open
  is handed over.

A settled claim, a claim whose fee notice was never issued (nobody was told to pay) and a
claim handed over get nothing more: enforcement is then the enforcing office's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from uuid import UUID

from contracts.base import DomainEvent
from contracts.calendar import months_after, next_working_day
from contracts.events.billing import (
    HandedOverForEnforcement,
    LateSurchargeCharged,
    ReminderIssued,
)
from contracts.fee_schedules import Reminders, TownAccount
from services.billing.domain.claim import ZERO, Claim, evolve
from services.billing.domain.money import CENT

SURCHARGE_RATE = Decimal("0.01")
"""1 % per started month (§ 240 (1) AO)."""
SURCHARGE_STEP = Decimal("50")
"""The open amount is rounded down to a multiple of 50 € (§ 240 (1) AO)."""
SURCHARGE_SPARED_DAYS = 3
"""A delay of up to three days costs no surcharge (§ 240 (3) AO)."""


@dataclass(frozen=True)
class TownRules:
    """What a town's schedule in force today says about unpaid claims."""

    reminders: Reminders
    account: TownAccount | None = None
    schedule_valid_from: date | None = None


def decide(claim: Claim, today: date, now: datetime, rules: TownRules | None) -> list[DomainEvent]:
    """The steps due on ``today`` for ``claim``: surcharges, reminder, handover, in that order."""
    if rules is None or not claim_may_be_dunned(claim):
        return []
    events: list[DomainEvent] = []
    for step in (late_surcharges, reminder, enforcement):
        for event in step(claim, today, now, rules):
            events.append(event)
            claim = evolve(claim, event)
    return events


def claim_may_be_dunned(claim: Claim) -> bool:
    """Rule: only an open claim whose notice was issued, not cancelled, not with enforcement."""
    return (
        claim.exists
        and claim.noticed
        and not claim.cancelled
        and claim.due_date is not None
        and not claim.settled
        and not claim.handed_over
    )


def surcharge_months_started(due_date: date, today: date) -> int:
    """How many months of delay have begun by ``today`` (none within the three spared days)."""
    if today <= due_date + timedelta(days=SURCHARGE_SPARED_DAYS):
        return 0
    months = 0
    while months_after(due_date, months) < today:
        months += 1
    return months


def surcharge_base(open_fee: Decimal) -> Decimal:
    """The open fee rounded down to a multiple of 50 €."""
    steps = (open_fee / SURCHARGE_STEP).to_integral_value(rounding=ROUND_FLOOR)
    return max(ZERO, (steps * SURCHARGE_STEP).quantize(CENT))


def surcharge_for(open_fee: Decimal) -> Decimal:
    """One month's surcharge on ``open_fee``: 1 % of its rounded-down amount (exact cents)."""
    return (surcharge_base(open_fee) * SURCHARGE_RATE).quantize(CENT)


def late_surcharges(
    claim: Claim, today: date, now: datetime, rules: TownRules
) -> list[DomainEvent]:
    """A surcharge for every started month of delay not charged yet (if the town charges)."""
    case_id, cash_reference, due_date = _identity(claim)
    base, amount = surcharge_base(claim.open_fee), surcharge_for(claim.open_fee)
    if not rules.reminders.late_surcharges or amount <= 0:
        return []
    return [
        LateSurchargeCharged(
            case_id=case_id,
            cash_reference=cash_reference,
            month=month,
            base=base,
            amount=amount,
            due_date=due_date,
            produkt=rules.reminders.produkt,
            sachkonto=rules.reminders.sachkonto,
            charged_at=now,
        )
        for month in range(1, surcharge_months_started(due_date, today) + 1)
        if month not in claim.surcharge_months
    ]


def grace_period_passed(claim: Claim, today: date, reminders: Reminders) -> bool:
    """Rule: the reminder waits until the due date plus the town's grace days have passed."""
    _, _, due_date = _identity(claim)
    return today > due_date + timedelta(days=reminders.grace_days)


def reminder(claim: Claim, today: date, now: datetime, rules: TownRules) -> list[DomainEvent]:
    """The reminder, once, after the grace period."""
    if claim.reminded or not grace_period_passed(claim, today, rules.reminders):
        return []
    case_id, cash_reference, due_date = _identity(claim)
    fee, account = rules.reminders.fee, rules.account
    return [
        ReminderIssued(
            case_id=case_id,
            procedure=claim.procedure or "",
            cash_reference=cash_reference,
            open_amount=claim.open,
            reminder_fee=fee,
            amount_due=claim.open + fee,
            original_due_date=due_date,
            due_date=next_working_day(today + timedelta(days=rules.reminders.term_days)),
            payee=account.holder if account else None,
            iban=account.iban if account else None,
            bic=account.bic if account else None,
            produkt=rules.reminders.produkt,
            sachkonto=rules.reminders.sachkonto,
            schedule_valid_from=rules.schedule_valid_from,
            issued_at=now,
        )
    ]


def enforcement_due(claim: Claim, today: date, reminders: Reminders) -> bool:
    """Rule: handed over only ``enforcement_after_days`` after the reminder, and not before
    the reminder's own due date has passed."""
    if claim.reminded_on is None or claim.reminder_due_date is None:
        return False
    handover = claim.reminded_on + timedelta(days=reminders.enforcement_after_days)
    return today >= handover and today > claim.reminder_due_date


def enforcement(claim: Claim, today: date, now: datetime, rules: TownRules) -> list[DomainEvent]:
    """The handover, once, when the reminder went unanswered."""
    if not enforcement_due(claim, today, rules.reminders):
        return []
    case_id, cash_reference, _ = _identity(claim)
    if claim.reminded_on is None or claim.reminder_due_date is None:
        return []
    return [
        HandedOverForEnforcement(
            case_id=case_id,
            cash_reference=cash_reference,
            open_amount=claim.open,
            reminded_on=claim.reminded_on,
            reminder_due_date=claim.reminder_due_date,
            handed_over_at=now,
        )
    ]


def _identity(claim: Claim) -> tuple[UUID, str, date]:
    if claim.case_id is None or claim.cash_reference is None or claim.due_date is None:
        raise ValueError("only an assessed fee's claim is dunned")
    return claim.case_id, claim.cash_reference, claim.due_date


def step_of(event: DomainEvent) -> str:
    """The step an event takes, recorded once per claim (``reminder``, ``surcharge-2`` …)."""
    if isinstance(event, ReminderIssued):
        return "reminder"
    if isinstance(event, LateSurchargeCharged):
        return f"surcharge-{event.month}"
    if isinstance(event, HandedOverForEnforcement):
        return "enforcement"
    raise TypeError(f"{type(event).__name__} is no dunning step")
