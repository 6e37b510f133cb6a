"""Start-up hook: each town's filing plan from its member file into archive's log.

The plan in force (``domain.filing_plan.town_plan``: the default positions with the town's own
over them) is compared with the one recorded; a different one is recorded in
``archive_filing_plans`` together with ``archive.FilingPlanAdopted`` (through the outbox, in one
transaction), before archive files anything. A broken ``[archive.filing_plan]`` is logged with
every mistake named, and the town keeps the plan it has.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog

from contracts.events.archive import FilingPlanAdopted, FilingPosition
from contracts.naming import Service
from runtime import outbox
from runtime.eventstore import AggregateRef, Cause
from runtime.ids import derived_id, new_id
from runtime.members import read_member_files
from runtime.service import Runtime
from services.archive.domain.filing_plan import (
    DEFAULT_PLAN,
    FilingPlanInvalid,
    PlanEntry,
    town_plan,
)

log = structlog.get_logger(__name__)


def plan_ref(town: str) -> AggregateRef:
    """Where a town's filing plans live."""
    return AggregateRef(Service.ARCHIVE, town, "filing-plan", town)


def as_json(plan: Mapping[str, PlanEntry]) -> dict[str, dict[str, Any]]:
    return {
        procedure: {"code": entry.code, "retention_years": entry.retention_years}
        for procedure, entry in sorted(plan.items())
    }


async def adopt_filing_plans(runtime: Runtime) -> None:
    """Record every town's plan that differs from the one in force."""
    cause = Cause(actor="system:configuration", correlation_id=new_id())
    for member in read_member_files(runtime.settings.members_dir):
        town = member["town"]["ags"]
        try:
            wanted = as_json(town_plan(member))
        except FilingPlanInvalid as exc:
            log.error("member file has an invalid filing plan", town=town, error=str(exc))
            continue
        async with runtime.pool.acquire() as conn, conn.transaction():
            recorded = await conn.fetchval(
                "SELECT positions FROM archive_filing_plans WHERE tenant = $1 FOR UPDATE", town
            )
            if recorded is not None and json.loads(recorded) == wanted:
                continue
            at = datetime.now(UTC)
            await conn.execute(
                "INSERT INTO archive_filing_plans VALUES ($1, $2, $3) ON CONFLICT (tenant)"
                " DO UPDATE SET positions = $2, adopted_at = $3",
                town,
                json.dumps(wanted),
                at,
            )
            await outbox.record(
                conn,
                plan_ref(town),
                [
                    FilingPlanAdopted(
                        town=town,
                        positions={p: FilingPosition(**e) for p, e in wanted.items()},
                        adopted_at=at,
                    )
                ],
                commit_id=derived_id(town, json.dumps(wanted, sort_keys=True), str(at)),
                cause=cause,
            )
        log.info("filing plan adopted", town=town)


async def plan_in_force(conn: asyncpg.Connection, town: str) -> dict[str, PlanEntry]:
    """The town's plan as recorded (the default where none is)."""
    recorded = await conn.fetchval(
        "SELECT positions FROM public.archive_filing_plans WHERE tenant = $1", town
    )
    if recorded is None:
        return dict(DEFAULT_PLAN)
    return {p: PlanEntry(e["code"], e["retention_years"]) for p, e in json.loads(recorded).items()}
