"""Dates are days in Germany, whatever the UTC clock says."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.calendar import (
    german_date,
    is_working_day,
    months_after,
    next_working_day,
    objection_period_end,
)


def test_a_late_evening_in_utc_is_already_the_next_day_in_germany() -> None:
    assert german_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)
    assert german_date(datetime(2026, 7, 14, 21, 59, tzinfo=UTC)) == date(2026, 7, 14)
    assert german_date(datetime(2026, 7, 14, 22, 0, tzinfo=UTC)) == date(2026, 7, 15)


def test_saxon_holidays_and_weekends_are_no_working_days() -> None:
    assert not is_working_day(date(2026, 11, 18))  # Buß- und Bettag, Saxony only
    assert not is_working_day(date(2026, 10, 31))  # Reformationstag (a Saturday too)
    assert not is_working_day(date(2027, 10, 31))  # Reformationstag on a Sunday
    assert not is_working_day(date(2026, 11, 22))  # a Sunday
    assert is_working_day(date(2026, 11, 19))
    assert next_working_day(date(2026, 11, 18)) == date(2026, 11, 19)
    assert next_working_day(date(2026, 11, 19)) == date(2026, 11, 19)


def test_a_month_ends_on_the_same_day_number_or_the_months_last_day() -> None:
    assert months_after(date(2026, 3, 15), 1) == date(2026, 4, 15)
    assert months_after(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert months_after(date(2028, 1, 31), 1) == date(2028, 2, 29)  # a leap year
    assert months_after(date(2026, 12, 10), 1) == date(2027, 1, 10)
    assert months_after(date(2026, 8, 31), 13) == date(2027, 9, 30)


def test_the_objection_period_ends_a_month_after_the_bekanntgabe_on_a_working_day() -> None:
    assert objection_period_end(date(2026, 11, 12)) == date(2026, 12, 14)  # Sat 12 Dec → Mon
    assert objection_period_end(date(2026, 10, 18)) == date(2026, 11, 19)  # Wed Bettag → Thu
    assert objection_period_end(date(2026, 11, 25)) == date(2026, 12, 28)  # Fri 25 Dec … Mon
    assert objection_period_end(date(2026, 9, 10)) == date(2026, 10, 12)  # Sat 10 Oct → Mon
    assert objection_period_end(date(2026, 6, 17)) == date(2026, 7, 17)  # a Friday
