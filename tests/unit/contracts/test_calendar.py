"""Dates are days in Germany, whatever the UTC clock says."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.calendar import german_date


def test_a_late_evening_in_utc_is_already_the_next_day_in_germany() -> None:
    assert german_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)
    assert german_date(datetime(2026, 7, 14, 21, 59, tzinfo=UTC)) == date(2026, 7, 14)
    assert german_date(datetime(2026, 7, 14, 22, 0, tzinfo=UTC)) == date(2026, 7, 15)
