"""The calendar of the member towns: dates in events are days in Germany.

Instants are kept in UTC; a due date, a file's year, an applicant's age or the time in a
letter is counted by the clock on the town hall's wall.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

GERMANY = ZoneInfo("Europe/Berlin")


def german_date(moment: datetime) -> date:
    """The calendar day in Germany at ``moment``."""
    return moment.astimezone(GERMANY).date()


def today() -> date:
    """Today in Germany."""
    return datetime.now(GERMANY).date()
