"""Background job: close each town's finished days for its finance software, each once.

Every ``BILLING_FINANCE_CLOSE_SECONDS`` it reads the entries no day has taken yet and closes
the days that are over (``finance.days``), oldest first. A day is an aggregate of its own
(``finance-day``, ``<town>-<day>``) created with expected sequence 0 and a commit id fixed by
town and day: a second replica, a restart, or a read model that has not yet seen the last
closing can try again, and the server keeps the first. "Now" is the timers' clock
(``runtime.clock``), which tests can move past midnight.
"""

from __future__ import annotations

import asyncio
from datetime import date

import structlog

from contracts.calendar import german_date
from contracts.naming import Service
from runtime.clock import Clock
from runtime.eventstore import AggregateRef, Cause
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.ids import derived_id, new_id
from runtime.service import Runtime
from services.billing.finance.days import Pending, close_day, days_to_close
from services.billing.settings import BillingSettings

log = structlog.get_logger(__name__)

PENDING = """
SELECT town, kind, entry_id, recorded_on, amount, produkt, sachkonto
FROM rm_finance.entries WHERE day IS NULL AND recorded_on < $1
ORDER BY town, recorded_on
"""


def day_ref(town: str, day: date) -> AggregateRef:
    """A town's closed day."""
    return AggregateRef(Service.BILLING, town, "finance-day", f"{town}-{day.isoformat()}")


async def run_closing(runtime: Runtime) -> None:
    """Background job: close what is due, then sleep."""
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)
    clock = Clock(settings.test_clock_file)
    while True:
        try:
            closed = await close_due_days(runtime, clock)
            if closed:
                log.info("finance days closed", days=closed)
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning("finance closing paused: infrastructure unavailable", error=str(exc))
        await asyncio.sleep(settings.finance_close_seconds)


async def close_due_days(runtime: Runtime, clock: Clock) -> list[str]:
    """Close every finished day with entries; returns ``<town> <day>`` of each closed."""
    now = clock.now()
    today = german_date(now)
    pending: dict[str, list[Pending]] = {}
    for row in await runtime.pool.fetch(PENDING, today):
        pending.setdefault(row["town"], []).append(
            Pending(
                row["kind"],
                row["entry_id"],
                row["recorded_on"],
                row["amount"],
                row["produkt"],
                row["sachkonto"],
            )
        )
    closed: list[str] = []
    cause = Cause(actor="system:billing.finance", correlation_id=new_id())
    for town, entries in pending.items():
        last = await runtime.pool.fetchval(
            "SELECT max(day) FROM rm_finance.days WHERE town = $1", town
        )
        for day in days_to_close((e.recorded_on for e in entries), last, today):
            event = close_day(town, day, entries, now)
            taken = {(e.kind, e.entry_id) for e in event.entries}
            entries = [e for e in entries if (e.kind, e.entry_id) not in taken]
            created = await runtime.store.create(
                day_ref(town, day),
                [event],
                cause=cause,
                commit_id=derived_id("billing.finance-day", town, day.isoformat()),
            )
            if created is None:
                break  # closed before, the read model behind: next round sees it
            if not created.duplicate:
                closed.append(f"{town} {day.isoformat()}")
    return closed
