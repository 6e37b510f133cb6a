"""The annual dog tax: first, second, further, dangerous and exempt dogs, part years, lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from contracts.fee_schedules import FeeLine
from services.billing.domain.dog_tax import KeptDog, UnknownExemption, dog_tax_for_year
from tests.unit.services.billing.schedules import statute

# 96 / 144 / 180 € a year: 8 / 12 / 15 € a month; a dangerous dog 720 €, 60 € a month.
SATZUNG = statute()
YEAR = 2026


def dog(name: str, since: date = date(2020, 1, 1), **details: object) -> KeptDog:
    return KeptDog(name=name, kept_from=since, **details)  # type: ignore[arg-type]


def test_one_dog_all_year_pays_the_first_rate_on_one_line() -> None:
    tax = dog_tax_for_year([SATZUNG], [dog("Bello")], YEAR)

    assert tax.amount == Decimal("96.00")
    assert tax.lines == (
        FeeLine(
            what="„Bello“, erster Hund, Januar bis Dezember",
            quantity=Decimal(12),
            unit="Monate von 12",
            rate=Decimal("96.00"),
            subtotal=Decimal("96.00"),
        ),
    )


def test_the_second_and_further_dogs_pay_their_rates_in_the_order_they_came() -> None:
    dogs = [
        dog("Luna", date(2023, 5, 1)),
        dog("Bello", date(2019, 1, 1)),
        dog("Rex", date(2024, 1, 1)),
    ]

    tax = dog_tax_for_year([SATZUNG], dogs, YEAR)

    assert tax.amount == Decimal("420.00")  # 96 + 144 + 180
    assert [(line.what, line.rate) for line in tax.lines] == [
        ("„Luna“, zweiter Hund, Januar bis Dezember", Decimal("144.00")),
        ("„Bello“, erster Hund, Januar bis Dezember", Decimal("96.00")),
        ("„Rex“, weiterer Hund, Januar bis Dezember", Decimal("180.00")),
    ]


def test_dogs_that_came_on_the_same_day_take_places_in_the_register_s_order() -> None:
    tax = dog_tax_for_year([SATZUNG], [dog("Max"), dog("Moritz")], YEAR)

    assert [line.what.split(",")[1].strip() for line in tax.lines] == [
        "erster Hund",
        "zweiter Hund",
    ]


def test_a_dangerous_dog_pays_the_dangerous_rate_and_takes_a_place() -> None:
    dogs = [dog("Hasso", date(2018, 1, 1), dangerous=True), dog("Bello")]

    tax = dog_tax_for_year([SATZUNG], dogs, YEAR)

    assert tax.amount == Decimal("864.00")  # 720 + the second rate 144
    assert [line.what for line in tax.lines] == [
        "„Hasso“, gefährlicher Hund, Januar bis Dezember",
        "„Bello“, zweiter Hund, Januar bis Dezember",
    ]


def test_where_the_statute_says_so_a_dangerous_dog_takes_no_place() -> None:
    apart = statute(dangerous_counts_in_rank=False)
    dogs = [dog("Hasso", date(2018, 1, 1), dangerous=True), dog("Bello")]

    tax = dog_tax_for_year([apart], dogs, YEAR)

    assert tax.amount == Decimal("816.00")  # 720 + the first rate 96


def test_an_exempt_dog_pays_nothing_takes_no_place_and_is_still_explained() -> None:
    dogs = [dog("Ella", date(2018, 1, 1), exemption="assistenzhund"), dog("Bello")]

    tax = dog_tax_for_year([SATZUNG], dogs, YEAR)

    assert tax.amount == Decimal("96.00")
    assert [(line.what, line.subtotal) for line in tax.lines] == [
        ("„Ella“, steuerfrei (Assistenzhund), Januar bis Dezember", Decimal(0)),
        ("„Bello“, erster Hund, Januar bis Dezember", Decimal("96.00")),
    ]


def test_an_exemption_the_statute_does_not_grant_is_refused() -> None:
    with pytest.raises(UnknownExemption, match="jagdhund"):
        dog_tax_for_year([SATZUNG], [dog("Waldi", exemption="jagdhund")], YEAR)


def test_a_part_year_pays_twelfths_for_the_full_months() -> None:
    tax = dog_tax_for_year([SATZUNG], [dog("Bello", date(2026, 3, 15))], YEAR)

    assert tax.amount == Decimal("72.00")  # April to December: 9 × 8 €
    assert tax.lines[0].what == "„Bello“, erster Hund, April bis Dezember"
    assert tax.lines[0].quantity == 9


def test_a_town_counting_started_months_taxes_the_month_the_dog_came() -> None:
    started = statute(pro_rata="started_months")

    tax = dog_tax_for_year([started], [dog("Bello", date(2026, 3, 15))], YEAR)

    assert tax.amount == Decimal("80.00")  # March to December: 10 × 8 €


def test_a_dog_given_up_pays_until_its_last_full_month() -> None:
    gone = dog("Bello", date(2019, 1, 1), kept_until=date(2026, 5, 20))

    tax = dog_tax_for_year([SATZUNG], [gone], YEAR)

    assert tax.amount == Decimal("32.00")  # January to April
    assert tax.lines[0].what == "„Bello“, erster Hund, Januar bis April"


def test_when_the_first_dog_goes_the_second_becomes_first() -> None:
    dogs = [dog("Bello", date(2019, 1, 1), kept_until=date(2026, 6, 30)), dog("Luna")]

    tax = dog_tax_for_year([SATZUNG], dogs, YEAR)

    assert tax.amount == Decimal("168.00")  # Bello 6 × 8, Luna 6 × 12 then 6 × 8
    assert [(line.what, line.subtotal) for line in tax.lines] == [
        ("„Bello“, erster Hund, Januar bis Juni", Decimal("48.00")),
        ("„Luna“, zweiter Hund, Januar bis Juni", Decimal("72.00")),
        ("„Luna“, erster Hund, Juli bis Dezember", Decimal("48.00")),
    ]


def test_the_tax_is_rounded_once_at_the_end_not_per_dog() -> None:
    hundred = statute(first="100.00", second="100.00")
    dogs = [dog("Max", date(2026, 6, 1)), dog("Moritz", date(2026, 6, 1))]

    tax = dog_tax_for_year([hundred], dogs, YEAR)

    # 7/12 of 100 € = 58.333… € twice: 116.67 €, not 2 × 58.33 € = 116.66 €.
    assert [line.subtotal for line in tax.lines] == [Decimal("58.3333333333")] * 2
    assert tax.amount == Decimal("116.67")


def test_each_month_is_taxed_by_the_statute_in_force_on_its_first_day() -> None:
    raised = statute(date(2026, 7, 1), first="120.00")

    tax = dog_tax_for_year([SATZUNG, raised], [dog("Bello")], YEAR)

    assert tax.amount == Decimal("108.00")  # 6 × 8 € + 6 × 10 €
    assert [(line.what, line.rate) for line in tax.lines] == [
        ("„Bello“, erster Hund, Januar bis Juni", Decimal("96.00")),
        ("„Bello“, erster Hund, Juli bis Dezember", Decimal("120.00")),
    ]


def test_before_the_town_levies_the_tax_nothing_is_owed() -> None:
    tax = dog_tax_for_year([statute(date(2026, 10, 1))], [dog("Bello")], YEAR)

    assert tax.amount == Decimal("24.00")  # October to December
    assert dog_tax_for_year([], [dog("Bello")], YEAR).amount == Decimal("0.00")
