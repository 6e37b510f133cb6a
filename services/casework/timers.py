"""Background job: time-driven changes of cases — hearings whose deadline passed, deadlines
near or passed (announced to the clerks by notify), approvals by the passing of time (§42a).

Every few seconds it looks in the read model for open cases that might be due, then decides
on each case's events (``automatic_actions``): a change already made is not made again, so
restarts, replicas running the same job, or a slow read model never make an event twice.
"Now" is the timers' clock (``runtime.clock``), which tests can move.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import structlog

from contracts.base import DomainEvent
from contracts.calendar import german_date
from runtime.clock import Clock
from runtime.eventstore import Cause
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.ids import new_id
from runtime.service import Runtime
from services.casework import towns
from services.casework.aggregates import case_ref
from services.casework.domain import automatic_actions
from services.casework.domain.case import fold
from services.casework.settings import CaseworkSettings

log = structlog.get_logger(__name__)

DUE = """
SELECT case_id, tenant, competent_town FROM rm_desk_cases.cases
WHERE closed_reason IS NULL AND outcome IS NULL AND opened_at IS NOT NULL
  AND (cardinality(pending_hearings) > 0 OR deadline <= $1)
ORDER BY deadline NULLS LAST
LIMIT 1000
"""
"""Open cases with a running hearing, or a deadline within the warning period."""


async def run_timers(runtime: Runtime) -> None:
    """Background job: check due cases, then sleep (``CASEWORK_TIMER_SECONDS``)."""
    settings = runtime.settings
    assert isinstance(settings, CaseworkSettings)
    clock = Clock(settings.test_clock_file)
    while True:
        try:
            changed = await tick(runtime, clock, settings.deadline_warning_days)
            if changed:
                log.info("timers changed cases", cases=changed)
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning("timers paused: infrastructure unavailable", error=str(exc))
        await asyncio.sleep(settings.timer_seconds)


async def tick(runtime: Runtime, clock: Clock, warning_days: int) -> int:
    """One round over the cases that may be due; returns how many changed."""
    now = clock.now()
    today = german_date(now)
    rows = await runtime.pool.fetch(DUE, today + timedelta(days=warning_days * 2 + 4))
    changed = 0
    deemed_cache: dict[str, list[str]] = {}
    for row in rows:
        competent = row["competent_town"]
        if competent not in deemed_cache:
            deemed_cache[competent] = (
                await towns.configuration(runtime, competent)
            ).deemed_approval

        def decide(
            history: list[DomainEvent], deemed: list[str] = deemed_cache[competent]
        ) -> list[DomainEvent]:
            case = fold(history)
            return (
                automatic_actions.note_passed_hearings(case, today, now)
                + automatic_actions.note_deadline(case, today, now, warning_days)
                + automatic_actions.deem_approved(case, today, now, case.procedure in deemed)
            )

        events = await runtime.store.decide_and_append(
            case_ref(row["tenant"], row["case_id"]),
            decide,
            cause=Cause(actor="system:casework.timers", correlation_id=new_id()),
        )
        changed += bool(events)
    return changed
