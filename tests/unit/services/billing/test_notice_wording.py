"""The fee notice's values and German wording: what a notice refuses, how amounts, dates and
IBANs are written, and how a letter the typeface lacks is printed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from services.billing.notices.girocode import dark_runs, girocode
from services.billing.notices.notice import BankAccount, FeeLine, FeeNotice
from services.billing.notices.typeface import in_typeface
from services.billing.notices.wording import day, euro, iban
from tests.support.fee_notices import KRAUSE, NOTICE, SACHSE


def notice(**changes: Any) -> FeeNotice:
    return replace(NOTICE, **changes)


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        (Decimal("0.05"), "0,05 €"),
        (Decimal("12.5"), "12,50 €"),
        (Decimal("1234.50"), "1.234,50 €"),
        (Decimal("999999999.99"), "999.999.999,99 €"),
        (Decimal("-26.00"), "-26,00 €"),
    ],
)
def test_amounts_are_written_german_style(amount: Decimal, written: str) -> None:
    assert euro(amount) == written


def test_dates_and_ibans_are_written_as_printed() -> None:
    assert day(date(2026, 6, 4)) == "04.06.2026"
    assert iban("DE89370400440532013000") == "DE89 3704 0044 0532 0130 00"


def test_the_total_is_the_sum_of_the_lines_to_the_cent() -> None:
    lines = (FeeLine("Gebühr", Decimal("26.00")), FeeLine("Auslagen", Decimal("3.45")))

    assert notice(lines=lines).total == Decimal("29.45")
    assert str(notice(lines=(FeeLine("Gebühr", Decimal("26")),)).total) == "26.00"


def test_the_notices_date_is_the_day_in_germany() -> None:
    late_evening = datetime(2026, 5, 4, 22, 30, tzinfo=UTC)  # 00:30 on 5 May in Wurzen

    assert notice(issued_at=late_evening).date == date(2026, 5, 5)


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"lines": (FeeLine("Gebühr", Decimal("12.505")),)}, "whole cents"),
        ({"lines": ()}, "at least one fee line"),
        ({"lines": (FeeLine("Gebühr", Decimal("0.00")),)}, "total must lie"),
        ({"lines": (FeeLine("Gebühr", Decimal("1000000000.00")),)}, "total must lie"),
        ({"issued_at": datetime(2026, 5, 4, 8, 0)}, "timezone"),
        ({"kassenzeichen": " "}, "Kassenzeichen has 1 to 140"),
        ({"kassenzeichen": "5" * 141}, "Kassenzeichen has 1 to 140"),
    ],
)
def test_a_notice_refuses_what_it_cannot_say(changes: dict[str, Any], refusal: str) -> None:
    with pytest.raises(ValueError, match=refusal):
        notice(**changes)


@pytest.mark.parametrize("holder", ["", "Z" * 71])
def test_an_account_refuses_a_holder_a_girocode_cannot_carry(holder: str) -> None:
    with pytest.raises(ValueError, match="1 to 70 characters"):
        BankAccount(holder, "DE89370400440532013000", "COBADEFFXXX")


def test_another_towns_clerk_makes_it_on_behalf() -> None:
    assert notice(decided_by=SACHSE).on_behalf
    assert not notice(decided_by=KRAUSE).on_behalf
    assert not notice(decided_by=None).on_behalf


def test_a_letter_the_typeface_lacks_becomes_its_base_letter_or_a_question_mark() -> None:
    glyphs = {ord(char) for char in "Nguyen Thi Größler\u0301"}

    assert in_typeface("Größler", glyphs) == "Größler"
    assert in_typeface("Nguyễn Thị", glyphs) == "Nguyen Thi"  # no stray combining marks
    assert in_typeface("Thi 李", glyphs) == "Thi ?"
    assert in_typeface("Thi\nNguyen", glyphs) == "Thi\nNguyen"


def test_the_girocodes_runs_cover_exactly_its_dark_modules() -> None:
    code = girocode(NOTICE)
    painted = {
        (row, column)
        for row, start, length in dark_runs(code)
        for column in range(start, start + length)
    }

    dark = {
        (row, column)
        for row, modules in enumerate(code.matrix)
        for column, module in enumerate(modules)
        if module
    }
    assert painted == dark
    assert code.error == "M"
    assert isinstance(code.version, int)
    assert code.version <= 13


def test_the_notice_date_is_independent_of_the_zone_it_was_given_in() -> None:
    same_moment = NOTICE.issued_at.astimezone(timezone(timedelta(hours=-5)))

    assert notice(issued_at=same_moment).date == NOTICE.date
