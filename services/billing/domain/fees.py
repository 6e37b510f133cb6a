"""Fee schedules and fee assessment (pure).

A town's fee schedule (Verwaltungskostensatzung) names a fee per procedure. When a case is
decided, the fee is assessed from the schedule valid at that moment: approved cases owe the
scheduled fee, rejected ones none (for now), procedures without a scheduled fee none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from contracts.base import DomainEvent
from contracts.calendar import german_date
from contracts.events.billing import FeeAssessed, FeeScheduleAdopted, NoFeeDue
from contracts.events.casework import CaseDecided


def current_schedule(history: list[DomainEvent]) -> dict[str, Decimal]:
    """The fees of the latest adopted schedule (empty if none)."""
    adopted = [event for event in history if isinstance(event, FeeScheduleAdopted)]
    return dict(adopted[-1].fees) if adopted else {}


def decide_schedule(
    history: list[DomainEvent], town: str, fees: dict[str, Decimal]
) -> list[DomainEvent]:
    """A new schedule when the configured fees differ from the adopted ones."""
    if history and current_schedule(history) == fees:
        return []
    return [FeeScheduleAdopted(town=town, fees=fees)]


@dataclass(frozen=True)
class AssessFee:
    """The command: assess the fee of a decided case."""

    decision: CaseDecided
    schedule: dict[str, Decimal]
    cash_reference: str
    now: datetime
    payment_term_days: int


def due_date(assessed: datetime, term_days: int) -> date:
    """Payable ``term_days`` after the day of the notice, counted in the German calendar."""
    return german_date(assessed) + timedelta(days=term_days)


def why_no_fee(decision: CaseDecided, schedule: dict[str, Decimal]) -> str | None:
    """Why a decided case costs nothing (German), or ``None`` when a fee is due."""
    if decision.outcome != "approved":
        return "Für die Ablehnung wird keine Gebühr erhoben."
    amount = schedule.get(decision.procedure)
    if amount is None or amount == 0:
        return "Die Gebührensatzung sieht für dieses Verfahren keine Gebühr vor."
    return None


def decide_fee(history: list[DomainEvent], command: AssessFee) -> list[DomainEvent]:
    """``FeeAssessed`` or ``NoFeeDue`` — once per case."""
    if history:
        return []
    decision = command.decision
    reason = why_no_fee(decision, command.schedule)
    if reason is not None:
        return [NoFeeDue(case_id=decision.case_id, reason=reason, assessed_at=command.now)]
    amount = command.schedule[decision.procedure]
    return [
        FeeAssessed(
            case_id=decision.case_id,
            procedure=decision.procedure,
            amount=amount,
            cash_reference=command.cash_reference,
            due_date=due_date(command.now, command.payment_term_days),
            assessed_at=command.now,
        )
    ]


def cash_reference(town: str, year: int, number: int) -> str:
    """Kassenzeichen: town, year and a running number, e.g. ``14729410-2026-000123``."""
    return f"{town}-{year}-{number:06d}"


def parse_cash_reference(reference: str) -> tuple[str, int, int]:
    """``14729410-2026-000123`` → ``("14729410", 2026, 123)``."""
    town, year, number = reference.split("-")
    return town, int(year), int(number)
