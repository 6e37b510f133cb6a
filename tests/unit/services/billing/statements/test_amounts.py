"""Amounts are read to the cent of their currency, and written the German way."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.billing.statements.amounts import euro, minor_units, parse_amount, parse_currency
from services.billing.statements.refusals import Unreadable


@pytest.mark.parametrize(
    ("text", "currency", "amount"),
    [
        ("26.00", "EUR", Decimal("26.00")),
        ("26", "EUR", Decimal("26.00")),
        ("26.5", "EUR", Decimal("26.50")),
        ("26.50000", "EUR", Decimal("26.50")),
        (" 0.01 ", "EUR", Decimal("0.01")),
        ("+3.10", "EUR", Decimal("3.10")),
        ("1500", "JPY", Decimal("1500")),
        ("1.125", "KWD", Decimal("1.125")),
    ],
)
def test_amounts_a_bank_writes_are_read(text: str, currency: str, amount: Decimal) -> None:
    read = parse_amount(text, currency)
    assert read == amount
    assert read.as_tuple().exponent == -minor_units(currency)


@pytest.mark.parametrize(
    ("text", "currency", "code"),
    [
        ("26.001", "EUR", "amount_fraction"),
        ("1500.5", "JPY", "amount_fraction"),
        ("-0.01", "EUR", "amount_negative"),
        ("--1", "EUR", "amount_invalid"),
        ("26,00", "EUR", "amount_invalid"),
        ("Infinity", "EUR", "amount_invalid"),
        ("0x1A", "EUR", "amount_invalid"),
        (None, "EUR", "amount_missing"),
    ],
)
def test_amounts_no_bank_writes_are_refused(text: str | None, currency: str, code: str) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_amount(text, currency)
    assert caught.value.code == code


@pytest.mark.parametrize("text", [None, "eur", "EURO", "€", ""])
def test_a_currency_is_three_capitals(text: str | None) -> None:
    with pytest.raises(Unreadable) as caught:
        parse_currency(text)
    assert caught.value.code == "currency_invalid"


def test_amounts_are_written_with_a_decimal_comma() -> None:
    assert euro(Decimal("1234.5")) == "1.234,50 EUR"
    assert euro(Decimal("-60")) == "-60,00 EUR"
