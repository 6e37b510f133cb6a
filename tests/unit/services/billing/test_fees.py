"""Fees: given a town's schedule, when a case is decided, then the fee is assessed once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from contracts.base import DomainEvent
from contracts.events.billing import FeeAssessed, FeeScheduleAdopted, NoFeeDue
from contracts.events.casework import CaseDecided, FeeBasis, RuleOutcome
from contracts.fee_schedules import FeeLine
from services.billing.domain.fee_formulas import Unassessable
from services.billing.domain.fees import (
    AssessFee,
    Assessment,
    assessment,
    cash_reference,
    current_schedule,
    current_versions,
    decide_adoption,
    decide_fee,
    decide_schedule,
    due_date,
    parse_cash_reference,
)
from tests.support.applications import WURZEN
from tests.unit.services.billing.schedules import by_area, flat, ranged, version

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


# The schedule with versions: the one in force on the day of the decision prices it.

OLD = version(date(2023, 1, 1), gewerbeanmeldung=flat("24.00"))
NEW = version(
    date(2025, 1, 1),
    gewerbeanmeldung=flat("26.00"),
    verkehrsrechtliche_anordnung=ranged(
        "10.20", "500.00", rejection_fee=Decimal("25.00"), withdrawal_fee=Decimal("10.20")
    ),
    sondernutzungserlaubnis=by_area("15.00", geruest=("0.60", "week"), sonstiges=("2.50", "month")),
)
VERSIONS = (OLD, NEW)


def decided(
    at: datetime,
    procedure: str = "gewerbeanmeldung",
    outcome: str = "approved",
    fee: FeeBasis | None = None,
) -> CaseDecided:
    return decision(outcome, procedure).model_copy(update={"decided_at": at, "fee": fee})


def assessed(decided_case: CaseDecided) -> list[DomainEvent]:
    command = AssessFee(
        decision=decided_case,
        schedule={},
        cash_reference="14729410-2025-000007",
        now=datetime(2025, 1, 5, 9, 0, tzinfo=UTC),
        payment_term_days=30,
        versions=VERSIONS,
    )
    return decide_fee([], command)


def test_a_decision_before_the_change_of_schedule_keeps_the_old_fee_assessed_after_it() -> None:
    # 31 December 2024, 23:30 in Wurzen — assessed on 5 January 2025.
    [event] = assessed(decided(datetime(2024, 12, 31, 22, 30, tzinfo=UTC)))

    assert event == FeeAssessed(
        case_id=CASE,
        procedure="gewerbeanmeldung",
        amount=Decimal("24.00"),
        cash_reference="14729410-2025-000007",
        due_date=date(2025, 2, 4),
        assessed_at=datetime(2025, 1, 5, 9, 0, tzinfo=UTC),
        lines=[
            FeeLine(
                what="Gebühr (Tarifstelle 1)",
                quantity=Decimal(1),
                unit="Vorgang",
                rate=Decimal("24.00"),
                subtotal=Decimal("24.00"),
            )
        ],
        legal_basis="Verwaltungskostensatzung vom 01.01.2023, Tarifstelle 1",
        schedule_valid_from=date(2023, 1, 1),
        produkt="12.2.0.02",
        sachkonto="43110000",
    )


def test_a_decision_on_the_day_of_the_change_owes_the_new_fee() -> None:
    # 31 December 2024, 23:30 UTC is already 1 January 2025 in Germany.
    [event] = assessed(decided(datetime(2024, 12, 31, 23, 30, tzinfo=UTC)))

    assert isinstance(event, FeeAssessed)
    assert (event.amount, event.schedule_valid_from) == (Decimal("26.00"), date(2025, 1, 1))


def test_a_decision_before_any_schedule_owes_no_fee() -> None:
    [event] = assessed(decided(datetime(2022, 6, 1, 10, 0, tzinfo=UTC)))

    assert isinstance(event, NoFeeDue)
    assert event.rule == "schedule_names_a_fee"


def test_a_traffic_order_owes_the_amount_the_clerk_fixed_within_the_schedule_s_range() -> None:
    order = decided(NOW, "verkehrsrechtliche-anordnung", fee=FeeBasis(amount=Decimal("120.00")))

    [event] = assessed(order)

    assert isinstance(event, FeeAssessed)
    assert event.amount == Decimal("120.00")
    assert event.legal_basis == "GebOSt, Gebühren-Nr. 264 der Anlage"
    assert event.lines[0].what == (
        "Gebühr im Rahmen von 10,20 € bis 500,00 € (Gebühren-Nr. 264 der Anlage)"
    )


@pytest.mark.parametrize(
    ("fee", "rule", "reason"),
    [
        (
            FeeBasis(amount=Decimal("600.00")),
            "amount_must_lie_within_the_range",
            "Die festgesetzte Gebühr von 600,00 € liegt nicht im Gebührenrahmen von 10,20 €"
            " bis 500,00 € (Gebühren-Nr. 264 der Anlage).",
        ),
        (
            None,
            "decision_must_fix_the_amount",
            "Der Bescheid setzt keine Gebühr fest; die Satzung sieht 10,20 € bis 500,00 € vor.",
        ),
    ],
    ids=["outside-the-range", "no-amount"],
)
def test_a_traffic_order_without_an_amount_within_the_range_is_not_billed(
    fee: FeeBasis | None, rule: str, reason: str
) -> None:
    order = decided(NOW, "verkehrsrechtliche-anordnung", fee=fee)

    assert assessed(order) == [
        NoFeeDue(
            case_id=CASE,
            reason=reason,
            assessed_at=datetime(2025, 1, 5, 9, 0, tzinfo=UTC),
            rule=rule,
        )
    ]


def test_a_special_use_owes_area_times_time_times_the_rate_of_its_category() -> None:
    basis = FeeBasis(area_m2=Decimal("18"), days=14, rate_class="geruest")

    [event] = assessed(decided(NOW, "sondernutzungserlaubnis", fee=basis))

    assert isinstance(event, FeeAssessed)
    assert event.amount == Decimal("21.60")
    assert [line.what for line in event.lines] == ["Gerüst, 18 m² × 2 angefangene Wochen"]
    assert (event.produkt, event.sachkonto) == ("54.1.0.01", "43210000")


def test_a_rejection_owes_the_rejection_fee_where_the_schedule_names_one() -> None:
    [event] = assessed(decided(NOW, "verkehrsrechtliche-anordnung", outcome="rejected"))

    assert isinstance(event, FeeAssessed)
    assert event.amount == Decimal("25.00")
    assert event.lines[0].what == "Gebühr für die Ablehnung (Gebühren-Nr. 264 der Anlage)"


def test_a_rejection_is_free_where_the_schedule_names_no_rejection_fee() -> None:
    [event] = assessed(decided(NOW, outcome="rejected"))

    assert isinstance(event, NoFeeDue)
    assert (event.rule, event.reason) == (
        "schedule_names_a_rejection_fee",
        "Für die Ablehnung wird keine Gebühr erhoben.",
    )


def test_a_procedure_the_schedule_does_not_price_owes_no_fee() -> None:
    [event] = assessed(decided(NOW, "maengelmelder"))

    assert isinstance(event, NoFeeDue)
    assert event.rule == "schedule_names_a_fee"
    assert event.reason == "Die Gebührensatzung sieht für dieses Verfahren keine Gebühr vor."


def test_whether_a_cash_reference_is_needed_is_known_before_the_assessment() -> None:
    due = assessment(decided(NOW), {}, VERSIONS)
    free = assessment(decided(NOW, outcome="rejected"), {}, VERSIONS)

    assert isinstance(due, Assessment)
    assert due.explained.amount == Decimal("26.00")
    assert isinstance(free, Unassessable)


def test_a_schedule_with_versions_is_adopted_once_and_again_when_a_version_changes() -> None:
    wanted = FeeScheduleAdopted(town=WURZEN, fees={}, versions=list(VERSIONS))
    history = decide_adoption([], wanted)

    assert history == [wanted]
    assert decide_adoption(history, wanted) == []
    changed = wanted.model_copy(update={"versions": [OLD]})
    assert decide_adoption(history, changed) == [changed]
    assert current_versions([*history, changed]) == (OLD,)
