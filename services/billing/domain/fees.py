"""Fee schedules and fee assessment (pure).

A town's fee schedule (Verwaltungskostensatzung) is recorded as its versions; when a case is
decided, the version in force on the day of the decision prices it (``schedule_versions``):
an approval by its item's formula and the decision's fee basis (``fee_formulas``), a
rejection by the item's rejection fee where it names one. Every amount comes with its
lines and is rounded once, half up (``money``). What the schedule does not price, or cannot
price from the decision, costs nothing, and ``NoFeeDue`` records the rule and the reason.
Records of the older, flat form (fees only, no versions) are assessed exactly as before: an
approval owes the flat fee (recorded without lines), a rejection nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from contracts.base import DomainEvent
from contracts.calendar import german_date
from contracts.events.billing import FeeAssessed, FeeScheduleAdopted, NoFeeDue
from contracts.events.casework import CaseDecided
from contracts.fee_schedules import ScheduleVersion
from services.billing.domain.fee_formulas import Unassessable, price, rejection_fee
from services.billing.domain.money import Explained
from services.billing.domain.schedule_versions import legal_basis, valid_on

NO_FEE = Unassessable(
    "schedule_names_a_fee", "Die Gebührensatzung sieht für dieses Verfahren keine Gebühr vor."
)
REJECTION_FREE = Unassessable(
    "schedule_names_a_rejection_fee", "Für die Ablehnung wird keine Gebühr erhoben."
)
FLAT_FORM_NO_FEE = Unassessable("", NO_FEE.reason)
FLAT_FORM_REJECTION = Unassessable("", REJECTION_FREE.reason)
"""The older form recorded no rule; an empty one is recorded as none."""


def current_adoption(history: list[DomainEvent]) -> FeeScheduleAdopted | None:
    """The latest adopted schedule, if any."""
    adopted = [event for event in history if isinstance(event, FeeScheduleAdopted)]
    return adopted[-1] if adopted else None


def current_schedule(history: list[DomainEvent]) -> dict[str, Decimal]:
    """The flat fees of the latest adopted schedule (empty if none)."""
    adopted = current_adoption(history)
    return dict(adopted.fees) if adopted else {}


def current_versions(history: list[DomainEvent]) -> tuple[ScheduleVersion, ...]:
    """The versions of the latest adopted schedule (empty: none, or of the flat form)."""
    adopted = current_adoption(history)
    return tuple(adopted.versions) if adopted else ()


def decide_adoption(history: list[DomainEvent], wanted: FeeScheduleAdopted) -> list[DomainEvent]:
    """A new schedule when the configured one differs from the adopted one."""
    if current_adoption(history) == wanted:
        return []
    return [wanted]


def decide_schedule(
    history: list[DomainEvent], town: str, fees: dict[str, Decimal]
) -> list[DomainEvent]:
    """A new schedule of the older, flat form when its fees differ from the adopted ones."""
    return decide_adoption(history, FeeScheduleAdopted(town=town, fees=fees))


@dataclass(frozen=True)
class AssessFee:
    """The command: assess the fee of a decided case."""

    decision: CaseDecided
    schedule: dict[str, Decimal]
    cash_reference: str
    now: datetime
    payment_term_days: int
    versions: tuple[ScheduleVersion, ...] = field(default=())


@dataclass(frozen=True)
class Assessment:
    """What a decision costs, explained, and where the schedule lays it down."""

    explained: Explained
    legal_basis: str | None = None
    valid_from: date | None = None
    produkt: str | None = None
    sachkonto: str | None = None


def due_date(assessed: datetime, term_days: int) -> date:
    """Payable ``term_days`` after the day of the notice, counted in the German calendar."""
    return german_date(assessed) + timedelta(days=term_days)


def assessment(
    decision: CaseDecided, schedule: dict[str, Decimal], versions: Sequence[ScheduleVersion]
) -> Assessment | Unassessable:
    """What the decision costs under the schedule in force on its day, or why nothing."""
    if not versions:
        return _flat_form(decision, schedule)
    day = german_date(decision.decided_at)
    version = valid_on(versions, day)
    item = version.items.get(decision.procedure) if version else None
    if version is None or item is None:
        return NO_FEE
    if decision.outcome == "approved":
        priced: Explained | Unassessable | None = price(item, decision.fee)
    else:
        priced = rejection_fee(item) or REJECTION_FREE
    if isinstance(priced, Unassessable):
        return priced
    if priced is None or priced.amount == 0:
        return NO_FEE
    basis = legal_basis(version, item)
    return Assessment(priced, basis, version.valid_from, item.produkt, item.sachkonto)


def _flat_form(decision: CaseDecided, schedule: dict[str, Decimal]) -> Assessment | Unassessable:
    """As billing assessed before schedules had versions: recorded as it was then."""
    if decision.outcome != "approved":
        return FLAT_FORM_REJECTION
    amount = schedule.get(decision.procedure)
    if not amount:
        return FLAT_FORM_NO_FEE
    return Assessment(Explained(amount=amount, exact=amount, lines=()))


def decide_fee(history: list[DomainEvent], command: AssessFee) -> list[DomainEvent]:
    """``FeeAssessed`` or ``NoFeeDue`` — once per case."""
    if history:
        return []
    decision = command.decision
    found = assessment(decision, command.schedule, command.versions)
    if isinstance(found, Unassessable):
        return [
            NoFeeDue(
                case_id=decision.case_id,
                reason=found.reason,
                assessed_at=command.now,
                rule=found.rule or None,
            )
        ]
    return [
        FeeAssessed(
            case_id=decision.case_id,
            procedure=decision.procedure,
            amount=found.explained.amount,
            cash_reference=command.cash_reference,
            due_date=due_date(command.now, command.payment_term_days),
            assessed_at=command.now,
            lines=list(found.explained.lines),
            legal_basis=found.legal_basis,
            schedule_valid_from=found.valid_from,
            produkt=found.produkt,
            sachkonto=found.sachkonto,
        )
    ]


def cash_reference(town: str, year: int, number: int) -> str:
    """Kassenzeichen: town, year and a running number, e.g. ``14729410-2026-000123``."""
    return f"{town}-{year}-{number:06d}"


def parse_cash_reference(reference: str) -> tuple[str, int, int]:
    """``14729410-2026-000123`` → ``("14729410", 2026, 123)``."""
    town, year, number = reference.split("-")
    return town, int(year), int(number)
