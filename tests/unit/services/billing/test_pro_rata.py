"""Pro rata: which months of a year an annual tax is owed for."""

from __future__ import annotations

from datetime import date

import pytest

from services.billing.domain.pro_rata import liable_months


def test_a_dog_kept_all_year_owes_twelve_months() -> None:
    assert liable_months(2026, date(2019, 5, 3), None, "full_months") == tuple(range(1, 13))


@pytest.mark.parametrize(
    ("kept_from", "kept_until", "months"),
    [
        (date(2026, 3, 1), None, tuple(range(3, 13))),  # from the first: March counts
        (date(2026, 3, 2), None, tuple(range(4, 13))),  # a day short: from April
        (date(2026, 3, 31), None, tuple(range(4, 13))),
        (date(2020, 1, 1), date(2026, 6, 30), tuple(range(1, 7))),  # until June's last day
        (date(2020, 1, 1), date(2026, 6, 29), tuple(range(1, 6))),  # a day short: May
        (date(2026, 2, 15), date(2026, 2, 20), ()),  # no month throughout
        (date(2027, 1, 1), None, ()),  # next year
    ],
)
def test_by_full_months_a_month_counts_when_kept_throughout(
    kept_from: date, kept_until: date | None, months: tuple[int, ...]
) -> None:
    assert liable_months(2026, kept_from, kept_until, "full_months") == months


@pytest.mark.parametrize(
    ("kept_from", "kept_until", "months"),
    [
        (date(2026, 3, 31), None, tuple(range(3, 13))),  # one day in March: March counts
        (date(2020, 1, 1), date(2026, 6, 1), tuple(range(1, 7))),
        (date(2026, 2, 15), date(2026, 2, 20), (2,)),
    ],
)
def test_by_started_months_every_month_kept_at_all_counts(
    kept_from: date, kept_until: date | None, months: tuple[int, ...]
) -> None:
    assert liable_months(2026, kept_from, kept_until, "started_months") == months


def test_february_of_a_leap_year_ends_on_the_29th() -> None:
    assert liable_months(2028, date(2020, 1, 1), date(2028, 2, 28), "full_months") == (1,)
    assert liable_months(2028, date(2020, 1, 1), date(2028, 2, 29), "full_months") == (1, 2)
