"""Working days in Saxony: weekends and Saxon holidays are skipped."""

from __future__ import annotations

from datetime import date

from services.casework.domain.deadlines import (
    add_working_days,
    is_working_day,
    known_on,
    working_days_between,
)


def test_saxon_holidays_and_weekends_are_no_working_days() -> None:
    assert not is_working_day(date(2026, 11, 18))  # Buß- und Bettag, Saxony only
    assert not is_working_day(date(2026, 10, 31))  # Reformationstag
    assert not is_working_day(date(2026, 11, 21))  # a Saturday
    assert is_working_day(date(2026, 11, 19))


def test_three_working_days_over_a_holiday_and_a_weekend() -> None:
    # Tuesday 17 Nov 2026 + 3: Wed is Buß- und Bettag, so Thu, Fri, Mon.
    assert add_working_days(date(2026, 11, 17), 3) == date(2026, 11, 23)
    assert add_working_days(date(2026, 12, 23), 2) == date(2026, 12, 28)
    assert working_days_between(date(2026, 11, 17), date(2026, 11, 23)) == 3
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 17)) == -3


def test_a_decision_is_made_known_on_the_third_day_or_the_next_working_day() -> None:
    assert known_on(date(2026, 11, 9)) == date(2026, 11, 12)  # Mon → Thu
    assert known_on(date(2026, 11, 12)) == date(2026, 11, 16)  # Thu → Sun → Mon
    assert known_on(date(2026, 11, 15)) == date(2026, 11, 19)  # Sun → Wed (Bettag) → Thu
