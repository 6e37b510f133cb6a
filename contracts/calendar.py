"""The calendar of the member towns: dates in events are days in Germany.

Instants are kept in UTC; a due date, a file's year, an applicant's age or the time in a
letter is counted by the clock on the town hall's wall. Periods a citizen must keep (the
objection period) end on a working day in Saxony, where every member town lies: a period
whose last day is a Saturday, Sunday or public holiday ends on the next working day
(§ 31 (3) VwVfG; for the objection § 57 (2) VwGO with § 222 (2) ZPO says the same). These
helpers are pure, so any service may show or count such a date without asking another.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

GERMANY = ZoneInfo("Europe/Berlin")
SAXONY = ("DE", "SN")
OBJECTION_MONTHS = 1
"""An objection (Widerspruch) is lodged within a month of the decision's Bekanntgabe (§ 70
(1) VwGO)."""


def german_date(moment: datetime) -> date:
    """The calendar day in Germany at ``moment``."""
    return moment.astimezone(GERMANY).date()


def today() -> date:
    """Today in Germany."""
    return datetime.now(GERMANY).date()


@cache
def _saxon_holidays(year: int) -> frozenset[date]:
    country, subdivision = SAXONY
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday, and no public holiday in Saxony (Reformationstag, Buß- und Bettag …)."""
    return day.weekday() < 5 and day not in _saxon_holidays(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def months_after(day: date, months: int) -> date:
    """The day with ``day``'s number ``months`` months later, or that month's last day.

    How a period of months ends (§ 188 (2), (3) BGB): from 15 March one month is 15 April,
    from 31 January it is the last day of February.
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def objection_period_end(known_on: date) -> date:
    """The last day to lodge an objection against a decision made known on ``known_on``.

    One month from the Bekanntgabe (§ 70 (1) VwGO, counted by §§ 187 (1), 188 (2) BGB),
    moved to the next working day when it falls on a weekend or a Saxon public holiday.
    """
    return next_working_day(months_after(known_on, OBJECTION_MONTHS))
