"""Deadlines in working days of Saxony (pure): weekends and Saxon public holidays don't count.

Processing times, hearing periods and the Gewerbe receipt's three days are counted in
working days; which days are working days is ``contracts.calendar``'s (the ``holidays``
library's Saxon holidays), shared with intake, which shows the applicant's dates.

A decision sent electronically is made known (Bekanntgabe, §41 (2) VwVfG) on the third day
after it was sent; should that day fall on a Saturday, Sunday or holiday, on the next working
day (the courts' reading of §31 (3) VwVfG). Note: the Postrechtsmodernisierungsgesetz moved
the federal fiction to the fourth day from 2025; ``KNOWN_AFTER_DAYS`` is the one place to
change should Saxony's procedure law follow (the brief of this release says the third).
"""

from __future__ import annotations

from datetime import date, timedelta

from contracts.calendar import is_working_day, next_working_day

KNOWN_AFTER_DAYS = 3
"""Days after dispatch on which a decision counts as made known (§41 (2) VwVfG)."""

__all__ = ["add_working_days", "is_working_day", "known_on", "next_working_day"]


def add_working_days(start: date, days: int) -> date:
    """The working day ``days`` working days after ``start`` (0: ``start``, or the next one)."""
    day = next_working_day(start)
    for _ in range(days):
        day = next_working_day(day + timedelta(days=1))
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if ``end`` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(
        1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n))
    )


def known_on(dispatched: date) -> date:
    """The day a decision sent on ``dispatched`` counts as made known (Bekanntgabe)."""
    return next_working_day(dispatched + timedelta(days=KNOWN_AFTER_DAYS))
