"""Fees: given a town's schedule, when a case is decided, then the fee is assessed once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from contracts.base import DomainEvent
from contracts.events.billing import FeeAssessed, FeeScheduleAdopted, NoFeeDue
from contracts.events.casework import CaseDecided, RuleOutcome
from services.billing.domain.fees import (
    AssessFee,
    cash_reference,
    current_schedule,
    decide_fee,
    decide_schedule,
    due_date,
    parse_cash_reference,
)
from tests.support.applications import WURZEN

CASE = UUID("0190f3c4-6b1a-7cc2-9a1e-5d0c2b7e4f10")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
SCHEDULE = {"gewerbeanmeldung": Decimal("26.00")}


def decision(outcome: str = "approved", procedure: str = "gewerbeanmeldung") -> CaseDecided:
    return CaseDecided.model_validate(
        {
            "case_id": CASE,
            "procedure": procedure,
            "outcome": outcome,
            "decided_by": "automation",
            "on_behalf_of": WURZEN,
            "rule_outcomes": [
                RuleOutcome(
                    rule="applicant_must_be_of_age",
                    passed=True,
                    reason="Die anmeldende Person ist volljährig.",
                )
            ],
            "decided_at": NOW,
        }
    )


def assess(
    decided: CaseDecided,
    schedule: dict[str, Decimal] = SCHEDULE,
    now: datetime = NOW,
    term: int = 30,
) -> AssessFee:
    return AssessFee(
        decision=decided,
        schedule=schedule,
        cash_reference="14729410-2026-000123",
        now=now,
        payment_term_days=term,
    )


def test_a_first_schedule_is_adopted() -> None:
    assert decide_schedule([], WURZEN, SCHEDULE) == [
        FeeScheduleAdopted(town=WURZEN, fees={"gewerbeanmeldung": Decimal("26.00")})
    ]


def test_the_same_schedule_again_changes_nothing() -> None:
    history = decide_schedule([], WURZEN, SCHEDULE)

    assert decide_schedule(history, WURZEN, {"gewerbeanmeldung": Decimal("26.00")}) == []
    assert decide_schedule(history, WURZEN, {"gewerbeanmeldung": Decimal("26")}) == []


def test_a_changed_fee_adopts_a_new_schedule() -> None:
    history = decide_schedule([], WURZEN, SCHEDULE)
    raised = {"gewerbeanmeldung": Decimal("31.50")}

    assert decide_schedule(history, WURZEN, raised) == [
        FeeScheduleAdopted(town=WURZEN, fees=raised)
    ]


def test_the_latest_adopted_schedule_applies() -> None:
    history: list[DomainEvent] = [
        FeeScheduleAdopted(town=WURZEN, fees=SCHEDULE),
        FeeScheduleAdopted(town=WURZEN, fees={"gewerbeanmeldung": Decimal("31.50")}),
    ]

    assert current_schedule(history) == {"gewerbeanmeldung": Decimal("31.50")}
    assert current_schedule([]) == {}


def test_an_approved_case_owes_the_scheduled_fee_within_the_payment_term() -> None:
    events = decide_fee([], assess(decision()))

    assert events == [
        FeeAssessed(
            case_id=CASE,
            procedure="gewerbeanmeldung",
            amount=Decimal("26.00"),
            currency="EUR",
            cash_reference="14729410-2026-000123",
            due_date=date(2026, 12, 20),
            assessed_at=NOW,
        )
    ]


def test_a_rejected_case_owes_no_fee() -> None:
    assert decide_fee([], assess(decision("rejected"))) == [
        NoFeeDue(
            case_id=CASE, reason="Für die Ablehnung wird keine Gebühr erhoben.", assessed_at=NOW
        )
    ]


@pytest.mark.parametrize(
    "schedule",
    [{}, {"hundeanmeldung": Decimal("15.00")}, {"gewerbeanmeldung": Decimal("0.00")}],
    ids=["no-schedule", "procedure-not-in-schedule", "fee-of-zero"],
)
def test_an_approved_case_without_a_scheduled_fee_owes_none(schedule: dict[str, Decimal]) -> None:
    assert decide_fee([], assess(decision(), schedule=schedule)) == [
        NoFeeDue(
            case_id=CASE,
            reason="Die Gebührensatzung sieht für dieses Verfahren keine Gebühr vor.",
            assessed_at=NOW,
        )
    ]


def test_a_fee_is_assessed_only_once_per_case() -> None:
    history = decide_fee([], assess(decision()))

    assert decide_fee(history, assess(decision())) == []
    assert decide_fee(history, assess(decision("rejected"))) == []


@pytest.mark.parametrize(
    ("assessed", "term", "due"),
    [
        (datetime(2026, 11, 20, 10, 0, tzinfo=UTC), 30, date(2026, 12, 20)),
        (datetime(2026, 12, 15, 10, 0, tzinfo=UTC), 30, date(2027, 1, 14)),
        (datetime(2028, 2, 1, 10, 0, tzinfo=UTC), 28, date(2028, 2, 29)),
        (datetime(2026, 11, 20, 10, 0, tzinfo=UTC), 1, date(2026, 11, 21)),
    ],
)
def test_the_due_date_is_the_payment_term_after_the_assessment(
    assessed: datetime, term: int, due: date
) -> None:
    assert due_date(assessed, term) == due


def test_the_payment_term_counts_from_the_day_of_the_notice_in_germany() -> None:
    [event] = decide_fee(
        [], assess(decision(), now=datetime(2026, 3, 31, 22, 30, tzinfo=UTC), term=14)
    )

    assert isinstance(event, FeeAssessed)
    assert event.due_date == date(2026, 4, 15)


@pytest.mark.parametrize(
    ("number", "reference"),
    [(1, "14729410-2026-000001"), (123, "14729410-2026-000123"), (999_999, "14729410-2026-999999")],
)
def test_a_cash_reference_is_town_year_and_six_digit_number(number: int, reference: str) -> None:
    assert cash_reference(WURZEN, 2026, number) == reference


def test_a_cash_reference_reads_back_into_its_parts() -> None:
    reference = cash_reference(WURZEN, 2026, 123)
    assert reference == "14729410-2026-000123"
    assert parse_cash_reference(reference) == (WURZEN, 2026, 123)
