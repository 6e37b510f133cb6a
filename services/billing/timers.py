"""Background job: unpaid claims past their due date get surcharges, a reminder, enforcement.

Every few seconds (``BILLING_TIMER_SECONDS``) it looks in the claims read model for open
claims past their due date, then decides on each fee's own log (``domain.reminders``) what
the day brings. "Today" is the timers' clock (``runtime.clock``), which tests can move.

Each step is taken once, whatever restarts, replicas or a slow read model do: it is
recorded in ``billing_dunning_steps`` (claim and step, the primary key) in the transaction
that puts its event into the outbox — the fee aggregate is written only through the outbox
(``bookings``) — with a commit id derived from claim and step. A claim whose log still has
commits waiting in the outbox (a booking just recorded, the last step not yet published) is
left for the next round, so a decision never rests on a log that is behind.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from uuid import UUID

import asyncpg
import structlog

from contracts.base import DomainEvent
from contracts.calendar import german_date
from runtime import outbox
from runtime.clock import Clock
from runtime.eventstore import Cause
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.ids import derived_id, new_id
from runtime.service import Runtime
from services.billing.aggregates import fee_ref, schedule_ref
from services.billing.domain import fees, reminders
from services.billing.domain.claim import fold
from services.billing.domain.reminders import TownRules
from services.billing.domain.schedule_versions import valid_on
from services.billing.settings import BillingSettings

log = structlog.get_logger(__name__)

ACTOR = "system:billing.timers"
DUE = """
SELECT case_id, town, due_date FROM rm_claims.claims
WHERE paid < raised AND due_date < $1 AND handed_over_at IS NULL
  AND (due_date, case_id) > ($2, $3)
ORDER BY due_date, case_id
LIMIT $4
"""
"""Open claims past their due date not yet with enforcement, a page at a time."""
PAGE = 500


async def run_timers(runtime: Runtime) -> None:
    """Background job: look at the claims past due, then sleep."""
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)
    clock = Clock(settings.test_clock_file)
    while True:
        try:
            taken = await tick(runtime, clock.now())
            if taken:
                log.info("timers took dunning steps", steps=taken)
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning("timers paused: infrastructure unavailable", error=str(exc))
        await asyncio.sleep(settings.timer_seconds)


async def tick(runtime: Runtime, now: datetime) -> int:
    """One round over the claims past due; returns how many steps were taken."""
    today = german_date(now)
    rules: dict[str, TownRules | None] = {}
    taken = 0
    after: tuple[date, UUID] = (date.min, UUID(int=0))
    while True:
        rows = await runtime.pool.fetch(DUE, today, *after, PAGE)
        for row in rows:
            town = row["town"]
            if town not in rules:
                rules[town] = await town_rules(runtime, town, today)
            taken += await decide_claim(runtime, town, row["case_id"], today, now, rules[town])
        if len(rows) < PAGE:
            return taken
        after = (rows[-1]["due_date"], rows[-1]["case_id"])


async def town_rules(runtime: Runtime, town: str, today: date) -> TownRules | None:
    """The reminder rules of the schedule version in force today, and the town's account."""
    history = [e.event for e in (await runtime.store.load_kept(schedule_ref(town))).events]
    adoption = fees.current_adoption(history)
    version = valid_on(fees.current_versions(history), today)
    if adoption is None or version is None:
        return None
    return TownRules(version.reminders, adoption.account, version.valid_from)


async def decide_claim(
    runtime: Runtime,
    town: str,
    case_id: UUID,
    today: date,
    now: datetime,
    rules: TownRules | None,
) -> int:
    """Take the steps due for one claim; returns how many were taken (0: none, or later)."""
    ref = fee_ref(town, case_id)
    if await runtime.pool.fetchval(
        "SELECT 1 FROM public.rc_outbox WHERE subject_key = $1 LIMIT 1", outbox.subject_key(ref)
    ):
        return 0  # the log is behind what billing recorded: look again next round
    history = [e.event for e in (await runtime.store.load(ref)).events]
    events = reminders.decide(fold(history), today, now, rules)
    if not events:
        return 0
    cause = Cause(actor=ACTOR, correlation_id=new_id())
    async with runtime.pool.acquire() as conn, conn.transaction():
        return sum([await record_step(conn, town, case_id, event, cause) for event in events])


async def record_step(
    conn: asyncpg.Connection, town: str, case_id: UUID, event: DomainEvent, cause: Cause
) -> int:
    """Record one step and its event, unless the step was taken before (then 0)."""
    step = reminders.step_of(event)
    status: str = await conn.execute(
        "INSERT INTO public.billing_dunning_steps (case_id, step, town) VALUES ($1, $2, $3)"
        " ON CONFLICT (case_id, step) DO NOTHING",
        case_id,
        step,
        town,
    )
    if status == "INSERT 0 0":
        return 0
    await outbox.record(
        conn,
        fee_ref(town, case_id),
        [event],
        commit_id=derived_id("billing.dunning", str(case_id), step),
        cause=cause,
    )
    return 1
