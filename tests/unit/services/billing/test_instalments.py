"""Instalments: the year's tax in equal shares on the statute's due days, catching up late ones."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.billing.domain.instalments import Instalment, due_dates, equal_shares, instalment_plan
from tests.unit.services.billing.schedules import statute

QUARTERLY = statute()
YEARLY = statute(due_days=["07-01"])


@pytest.mark.parametrize(
    ("total", "count", "shares"),
    [
        ("100.00", 4, ["25.00"] * 4),
        ("100.00", 3, ["33.34", "33.33", "33.33"]),
        ("96.01", 4, ["24.01", "24.00", "24.00", "24.00"]),
        ("0.02", 4, ["0.02", "0.00", "0.00", "0.00"]),
        ("84.00", 1, ["84.00"]),
    ],
)
def test_shares_are_equal_to_the_cent_and_add_up(total: str, count: int, shares: list[str]) -> None:
    made = equal_shares(Decimal(total), count)

    assert [str(share) for share in made] == shares
    assert sum(made) == Decimal(total)


def test_the_due_days_fall_in_the_year_assessed() -> None:
    assert due_dates(QUARTERLY, 2027) == (
        date(2027, 2, 15),
        date(2027, 5, 15),
        date(2027, 8, 15),
        date(2027, 11, 15),
    )


def test_a_notice_before_the_year_keeps_every_instalment() -> None:
    plan = instalment_plan(Decimal("96.00"), QUARTERLY, 2027, notice_day=date(2026, 12, 10))

    assert plan == tuple(Instalment(day, Decimal("24.00")) for day in due_dates(QUARTERLY, 2027))


def test_instalments_due_within_a_month_of_the_notice_are_due_together_a_month_after_it() -> None:
    plan = instalment_plan(Decimal("100.01"), QUARTERLY, 2027, notice_day=date(2027, 4, 20))

    assert plan == (
        Instalment(date(2027, 5, 20), Decimal("50.01")),  # February's 25.01 and May's 25.00
        Instalment(date(2027, 8, 15), Decimal("25.00")),
        Instalment(date(2027, 11, 15), Decimal("25.00")),
    )


def test_a_yearly_tax_is_one_instalment() -> None:
    assert instalment_plan(Decimal("84.00"), YEARLY, 2027, date(2027, 1, 5)) == (
        Instalment(date(2027, 7, 1), Decimal("84.00")),
    )


def test_nothing_owed_is_no_instalment() -> None:
    assert instalment_plan(Decimal("0.00"), QUARTERLY, 2027, date(2027, 1, 5)) == ()
