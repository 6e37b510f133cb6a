"""Which day takes which entries, and the day's totals (pure).

A day ``D`` of a town closes once ``D`` is over in German time. It takes every entry recorded
on or before ``D`` that no earlier day took — late arrivals included, so nothing is left out
and nothing counted twice. A day already closed is never closed again: what arrives for it
later goes to the next day to close (never to today, which is still running).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from contracts.events.billing import FinanceAccountTotal, FinanceDayClosed, FinanceEntry

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Pending:
    """An entry no day has taken yet."""

    kind: str
    entry_id: str
    recorded_on: date
    amount: Decimal
    produkt: str
    sachkonto: str


def days_to_close(recorded: Iterable[date], last_closed: date | None, today: date) -> list[date]:
    """The days to close now, oldest first, for entries recorded on ``recorded``."""
    days: list[date] = []
    for day in sorted(set(recorded)):
        target = day if last_closed is None or day > last_closed else last_closed + timedelta(1)
        if target >= today:
            break
        if target not in days:
            days.append(target)
    return days


def close_day(town: str, day: date, pending: Sequence[Pending], now: datetime) -> FinanceDayClosed:
    """The event closing ``day``: the entries recorded by its end, their totals by account."""
    taken = sorted((p for p in pending if p.recorded_on <= day), key=lambda p: (p.kind, p.entry_id))
    by_account: defaultdict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for entry in taken:
        by_account[(entry.produkt, entry.sachkonto)][entry.kind == "ist"] += entry.amount
    return FinanceDayClosed(
        town=town,
        day=day,
        entries=[FinanceEntry(kind=p.kind, entry_id=p.entry_id, amount=p.amount) for p in taken],
        soll_total=sum((p.amount for p in taken if p.kind == "soll"), ZERO),
        ist_total=sum((p.amount for p in taken if p.kind == "ist"), ZERO),
        accounts=[
            FinanceAccountTotal(produkt=produkt, sachkonto=sachkonto, soll=soll, ist=ist)
            for (produkt, sachkonto), (soll, ist) in sorted(by_account.items())
        ],
        closed_at=now,
    )
