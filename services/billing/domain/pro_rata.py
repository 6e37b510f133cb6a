"""Which calendar months of a year an annual tax is owed for (pure).

An annual tax (the dog tax) is owed for the months of the year in which its object was kept;
a part year pays twelfths. By default a month counts only if the dog was kept throughout it,
from its first day to its last (``full_months``: the usual wording "mit dem ersten Tag des
folgenden Kalendermonats"); a town whose statute counts every month begun says
``started_months``. The days are the first and last day kept, both included.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Literal

ProRata = Literal["full_months", "started_months"]


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of a calendar month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def kept_in_month(
    year: int, month: int, kept_from: date, kept_until: date | None, rule: ProRata
) -> bool:
    """Whether the month counts: kept throughout it, or (``started_months``) on any day of it."""
    first, last = month_bounds(year, month)
    if rule == "full_months":
        return kept_from <= first and (kept_until is None or kept_until >= last)
    return kept_from <= last and (kept_until is None or kept_until >= first)


def liable_months(
    year: int, kept_from: date, kept_until: date | None, rule: ProRata
) -> tuple[int, ...]:
    """The months (1–12) of ``year`` the tax is owed for."""
    return tuple(
        month for month in range(1, 13) if kept_in_month(year, month, kept_from, kept_until, rule)
    )
