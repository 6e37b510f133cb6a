"""Fee formulas: flat, a range the clerk fixes the amount within, area × time × rate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.events.casework import FeeBasis
from contracts.fee_schedules import FeeLine
from services.billing.domain.fee_formulas import (
    Unassessable,
    amount_must_lie_within_the_range,
    by_area_and_time,
    fixed_within_range,
    flat_fee,
    price,
    rejection_fee,
    started_periods,
    withdrawal_fee,
)
from services.billing.domain.money import Explained
from tests.unit.services.billing.schedules import by_area, flat, ranged

SCAFFOLD_AND_MORE = by_area(
    "15.00",
    geruest=("0.60", "week"),
    container=("0.50", "day"),
    freisitz=("2.00", "month"),
    sonstiges=("2.50", "month"),
)


def test_a_flat_fee_is_its_amount_once() -> None:
    assert flat_fee(flat("26.00")) == Explained(
        amount=Decimal("26.00"),
        exact=Decimal("26.00"),
        lines=(
            FeeLine(
                what="Gebühr (Tarifstelle 1)",
                quantity=Decimal(1),
                unit="Vorgang",
                rate=Decimal("26.00"),
                subtotal=Decimal("26.00"),
            ),
        ),
    )


@pytest.mark.parametrize("amount", ["10.20", "120.00", "767.00", "767"])
def test_an_amount_within_the_range_is_the_fee(amount: str) -> None:
    priced = fixed_within_range(ranged(), Decimal(amount))

    assert isinstance(priced, Explained)
    assert priced.amount == Decimal(amount)
    assert priced.lines[0].what == (
        "Gebühr im Rahmen von 10,20 € bis 767,00 € (Gebühren-Nr. 264 der Anlage)"
    )


@pytest.mark.parametrize("amount", ["10.19", "767.01", "900.00", "0.00", "120.005"])
def test_an_amount_outside_the_range_or_below_a_cent_is_refused(amount: str) -> None:
    assert not amount_must_lie_within_the_range(ranged(), Decimal(amount))
    assert fixed_within_range(ranged(), Decimal(amount)) == Unassessable(
        "amount_must_lie_within_the_range",
        f"Die festgesetzte Gebühr von {amount.replace('.', ',')} € liegt nicht im"
        " Gebührenrahmen von 10,20 € bis 767,00 € (Gebühren-Nr. 264 der Anlage).",
    )


def test_the_range_is_the_schedule_s_not_a_fixed_one() -> None:
    narrow = ranged("50.00", "300.00")

    assert not amount_must_lie_within_the_range(narrow, Decimal("20.00"))
    assert amount_must_lie_within_the_range(narrow, Decimal("300.00"))


def test_a_range_without_the_clerk_s_amount_cannot_be_priced() -> None:
    priced = fixed_within_range(ranged(), None)

    assert isinstance(priced, Unassessable)
    assert priced.rule == "decision_must_fix_the_amount"


@pytest.mark.parametrize(
    ("days", "per", "periods"),
    [
        (1, "day", 1),
        (14, "day", 14),
        (7, "week", 1),
        (8, "week", 2),
        (14, "week", 2),
        (30, "month", 1),
        (31, "month", 2),
        (1, "month", 1),
    ],
)
def test_a_period_that_has_begun_counts_whole(days: int, per: str, periods: int) -> None:
    assert started_periods(days, per) == periods


def test_a_scaffold_costs_area_times_started_weeks_times_its_rate() -> None:
    priced = by_area_and_time(SCAFFOLD_AND_MORE, Decimal("18"), 14, "geruest")

    assert priced == Explained(
        amount=Decimal("21.60"),
        exact=Decimal("21.60"),
        lines=(
            FeeLine(
                what="Gerüst, 18 m² × 2 angefangene Wochen",
                quantity=Decimal("36"),
                unit="m² × Woche",
                rate=Decimal("0.60"),
                subtotal=Decimal("21.60"),
            ),
        ),
    )


def test_each_category_has_its_own_rate_and_period() -> None:
    container = by_area_and_time(SCAFFOLD_AND_MORE, Decimal("12.5"), 3, "container")
    tables = by_area_and_time(SCAFFOLD_AND_MORE, Decimal("20"), 45, "freisitz")

    assert isinstance(container, Explained)
    assert isinstance(tables, Explained)
    assert container.lines[0].what == "Container oder Mulde, 12,5 m² × 3 Tage"
    assert container.amount == Decimal("18.75")  # 37.5 m²-days × 0.50
    assert tables.lines[0].what == "Tische und Stühle (Freisitz), 20 m² × 2 angefangene Monate"
    assert tables.amount == Decimal("80.00")


def test_a_small_use_is_topped_up_to_the_minimum_and_says_so() -> None:
    priced = by_area_and_time(SCAFFOLD_AND_MORE, Decimal("4"), 3, "geruest")

    assert isinstance(priced, Explained)
    assert priced.amount == Decimal("15.00")
    assert [(line.what, line.subtotal) for line in priced.lines] == [
        ("Gerüst, 4 m² × 1 angefangene Woche", Decimal("2.40")),
        ("Aufstockung auf die Mindestgebühr von 15,00 €", Decimal("12.60")),
    ]


def test_the_formula_is_rounded_once_at_the_end_half_up() -> None:
    # 1.5 m² × 3 days × 0.15 € = 0.675 € → 0.68 €; rounding 1.5 × 0.15 = 0.225 first
    # to 0.23 and then × 3 would give 0.69 €.
    item = by_area(container=("0.15", "day"))

    priced = by_area_and_time(item, Decimal("1.5"), 3, "container")

    assert isinstance(priced, Explained)
    assert (priced.exact, priced.amount) == (Decimal("0.675"), Decimal("0.68"))


def test_half_a_cent_is_rounded_up() -> None:
    priced = by_area_and_time(by_area(container=("0.01", "day")), Decimal("0.5"), 1, "container")

    assert isinstance(priced, Explained)
    assert (priced.exact, priced.amount) == (Decimal("0.005"), Decimal("0.01"))


def test_without_a_category_the_default_category_applies() -> None:
    priced = by_area_and_time(SCAFFOLD_AND_MORE, Decimal("10"), 20, None)

    assert isinstance(priced, Explained)
    assert priced.lines[0].what == "Sonstiges, 10 m² × 1 angefangener Monat"
    assert priced.amount == Decimal("25.00")


def test_a_category_the_schedule_does_not_rate_cannot_be_priced() -> None:
    no_default = by_area(geruest=("0.60", "week"))

    assert by_area_and_time(no_default, Decimal("10"), 20, "freisitz") == Unassessable(
        "category_must_be_in_the_schedule",
        "Für die Art der Nutzung „freisitz“ nennt die Satzung keinen Satz.",
    )
    unnamed = by_area_and_time(no_default, Decimal("10"), 20, None)
    assert isinstance(unnamed, Unassessable)
    assert unnamed.rule == "category_must_be_in_the_schedule"


@pytest.mark.parametrize(("area", "days"), [(None, 10), (Decimal("10"), None), (Decimal(0), 10)])
def test_without_area_and_duration_the_formula_cannot_be_priced(
    area: Decimal | None, days: int | None
) -> None:
    priced = by_area_and_time(SCAFFOLD_AND_MORE, area, days, "geruest")

    assert isinstance(priced, Unassessable)
    assert priced.rule == "decision_must_name_area_and_duration"


def test_price_takes_what_each_kind_needs_from_the_decision() -> None:
    basis = FeeBasis(amount=Decimal("120.00"), area_m2=Decimal("18"), days=14, rate_class="geruest")

    assert price(flat("26.00"), basis) == flat_fee(flat("26.00"))
    assert price(ranged(), basis) == fixed_within_range(ranged(), Decimal("120.00"))
    assert price(SCAFFOLD_AND_MORE, basis) == by_area_and_time(
        SCAFFOLD_AND_MORE, Decimal("18"), 14, "geruest"
    )
    assert isinstance(price(ranged(), None), Unassessable)


def test_rejection_and_withdrawal_cost_only_what_the_schedule_names() -> None:
    named = flat("26.00", rejection_fee=Decimal("10.00"), withdrawal_fee=Decimal("5.00"))

    rejected, withdrawn = rejection_fee(named), withdrawal_fee(named)

    assert rejected is not None
    assert withdrawn is not None
    assert rejected.amount == Decimal("10.00")
    assert rejected.lines[0].what == "Gebühr für die Ablehnung (Tarifstelle 1)"
    assert withdrawn.amount == Decimal("5.00")
    assert withdrawn.lines[0].what == "Gebühr für die Rücknahme des Antrags (Tarifstelle 1)"
    assert rejection_fee(flat("26.00")) is None
    assert withdrawal_fee(flat("26.00")) is None
