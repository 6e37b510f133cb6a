"""Money: amounts to the cent, half up, rounded once at the end; German notation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.billing.domain.money import euro, explained, line, number, shown, to_cent


@pytest.mark.parametrize(
    ("exact", "cents"),
    [
        ("0.005", "0.01"),
        ("0.0049", "0.00"),
        ("0.015", "0.02"),
        ("0.025", "0.03"),  # banker's rounding would give 0.02
        ("26", "26.00"),
        ("12.344999", "12.34"),
    ],
)
def test_an_amount_is_rounded_half_up_to_the_cent(exact: str, cents: str) -> None:
    assert str(to_cent(Decimal(exact))) == cents


def test_the_total_is_rounded_once_not_each_line() -> None:
    # Three lines of 0.004 €: each rounded would be 0.00, the total 0.012 is 0.01.
    lines = [line(f"Teil {n}", Decimal("1"), "Stück", Decimal("0.004")) for n in range(3)]

    total = explained(lines)

    assert total.exact == Decimal("0.012")
    assert total.amount == Decimal("0.01")
    assert [str(each.subtotal) for each in total.lines] == ["0.004"] * 3


def test_half_a_cent_at_the_end_is_a_cent() -> None:
    total = explained([line("Fläche", Decimal("0.5"), "m² × Tag", Decimal("0.01"))])

    assert (total.exact, total.amount) == (Decimal("0.005"), Decimal("0.01"))


def test_a_line_is_quantity_times_rate_exactly() -> None:
    made = line("Gerüst", Decimal("36"), "m² × Woche", Decimal("0.6125"))

    assert made.subtotal == Decimal("22.05")


def test_an_endless_subtotal_is_kept_to_ten_places() -> None:
    assert shown(Decimal(100) * 7 / 12) == Decimal("58.3333333333")
    assert shown(Decimal("58.25")) == Decimal("58.25")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("26.00"), "26,00 €"),
        (Decimal("26"), "26,00 €"),
        (Decimal("1234.5"), "1.234,50 €"),
        (Decimal("0.0125"), "0,0125 €"),
    ],
)
def test_amounts_read_in_german(amount: Decimal, text: str) -> None:
    assert euro(amount) == text


def test_quantities_read_in_german_without_trailing_zeros() -> None:
    assert number(Decimal("12.50")) == "12,5"
    assert number(Decimal("18.00")) == "18"
