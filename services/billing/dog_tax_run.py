"""The annual dog tax run: every keeper of every town that levies it, assessed once a year.

Started by an operator (``POST /ops/v1/billing/dog-tax/{year}``) — for the coming year in
December, or for the running year after registrations. For each town whose Hundesteuersatzung
is in force in the year, the register's dogs kept in it (``rm_dog_register.dogs``) are grouped
by keeper; each keeper not yet assessed for the year gets one ``DogTaxAssessed`` (one claim,
one notice, in the statute's instalments). Keepers are assessed in batches, each in one
transaction that records the keeper as assessed (``billing_dog_tax_assessments``), takes the
Kassenzeichen and puts the event into the outbox: a run that stops half way is simply run
again, and a second run — or two at once — assesses nobody twice.

The keeper's notice (PDF) is rendered afterwards by a reaction on the assessment
(``projections.dog_tax_notices``), so the run stays fast. Not yet: a new notice when a keeper's
dogs change after the year was assessed (an amendment) — see README.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg
import structlog

from contracts.calendar import german_date
from contracts.fee_schedules import DogTaxStatute
from runtime import outbox
from runtime.eventstore import Cause
from runtime.ids import derived_id
from runtime.service import Runtime
from services.billing.aggregates import fee_ref, schedule_ref
from services.billing.domain.annual_dog_tax import RegisteredDog, assess_keeper, levied_in
from services.billing.domain.dog_tax import KeptDog
from services.billing.domain.fees import current_adoption
from services.billing.projections.fee_assessment import next_cash_reference

log = structlog.get_logger(__name__)

BATCH = 500
ZERO = Decimal("0.00")

DOGS = """
SELECT dog_id, keeper_key, name, kept_from, kept_until, dangerous, exemption, direct_debit
FROM rm_dog_register.dogs
WHERE town = $1 AND kept_from <= make_date($2, 12, 31)
  AND (kept_until IS NULL OR kept_until >= make_date($2, 1, 1))
  AND NOT EXISTS (SELECT 1 FROM public.billing_dog_tax_assessments a
                  WHERE a.town = $1 AND a.year = $2 AND a.keeper_key = dogs.keeper_key)
ORDER BY keeper_key, kept_from, registered_at
"""


@dataclass
class TownRun:
    """What the run did in one town."""

    town: str
    keepers: int = 0
    assessed: int = 0
    exempt: int = 0
    total: Decimal = ZERO


@dataclass
class YearRun:
    """What a run did."""

    year: int
    towns: list[TownRun] = field(default_factory=list)
    not_levied: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """The operator's answer."""
        return {
            "year": self.year,
            "assessed": sum(t.assessed for t in self.towns),
            "exempt": sum(t.exempt for t in self.towns),
            "total": str(sum((t.total for t in self.towns), ZERO)),
            "towns": [
                {
                    "town": t.town,
                    "keepers": t.keepers,
                    "assessed": t.assessed,
                    "exempt": t.exempt,
                    "total": str(t.total),
                }
                for t in self.towns
            ],
            "not_levied": self.not_levied,
        }


async def assess_year(runtime: Runtime, year: int, actor: str) -> YearRun:
    """Assess ``year`` for every keeper not yet assessed; safe to run again."""
    run = YearRun(year)
    towns = [
        row["town"]
        for row in await runtime.pool.fetch(
            "SELECT DISTINCT town FROM rm_dog_register.dogs ORDER BY town"
        )
    ]
    for town in towns:
        adopted = current_adoption(
            [e.event for e in (await runtime.store.load_kept(schedule_ref(town))).events]
        )
        statutes = list(adopted.dog_tax) if adopted else []
        if levied_in(statutes, year) is None:
            run.not_levied.append(town)
            continue
        run.towns.append(await _assess_town(runtime, town, year, statutes, actor))
    log.info("dog tax run", **run.summary())
    return run


async def _assess_town(
    runtime: Runtime, town: str, year: int, statutes: list[DogTaxStatute], actor: str
) -> TownRun:
    done = TownRun(town)
    keepers: defaultdict[str, list[asyncpg.Record]] = defaultdict(list)
    for row in await runtime.pool.fetch(DOGS, town, year):
        keepers[row["keeper_key"]].append(row)
    done.keepers = len(keepers)
    cause = Cause(actor=actor, correlation_id=derived_id("billing.dog-tax-run", town, year))
    batch = list(keepers.items())
    for start in range(0, len(batch), BATCH):
        async with runtime.pool.acquire() as conn, conn.transaction():
            for keeper_key, rows in batch[start : start + BATCH]:
                await _assess_one(conn, town, year, statutes, keeper_key, rows, cause, done)
    return done


async def _assess_one(
    conn: asyncpg.Connection,
    town: str,
    year: int,
    statutes: list[DogTaxStatute],
    keeper_key: str,
    rows: list[asyncpg.Record],
    cause: Cause,
    done: TownRun,
) -> None:
    claim_id = derived_id("billing.dog-tax", town, keeper_key, year)
    claimed = await conn.fetchval(
        "INSERT INTO public.billing_dog_tax_assessments (town, keeper_key, year, claim_id,"
        " amount) VALUES ($1, $2, $3, $4, 0) ON CONFLICT DO NOTHING RETURNING true",
        town,
        keeper_key,
        year,
        claim_id,
    )
    if not claimed:
        return  # another run took this keeper
    now = datetime.now(UTC)
    dogs = [
        RegisteredDog(
            row["dog_id"],
            KeptDog(
                name=row["name"],
                kept_from=row["kept_from"],
                kept_until=row["kept_until"],
                dangerous=row["dangerous"],
                exemption=row["exemption"],
            ),
        )
        for row in rows
    ]
    direct_debit = any(row["direct_debit"] for row in rows)
    probe = assess_keeper(
        statutes,
        dogs,
        year=year,
        claim_id=claim_id,
        keeper_key=keeper_key,
        cash_reference="-",
        direct_debit=direct_debit,
        mandate_reference=None,
        now=now,
        today=german_date(now),
    )
    if probe is None:
        done.exempt += 1
        return
    await conn.execute("SET LOCAL search_path TO rm_fee_assessment, public")
    reference = await next_cash_reference(conn, town, year)
    assessed = probe.model_copy(
        update={
            "cash_reference": reference,
            "mandate_reference": f"HST-{reference}" if direct_debit else None,
        }
    )
    await conn.execute(
        "UPDATE public.billing_dog_tax_assessments SET cash_reference = $4, amount = $5"
        " WHERE town = $1 AND keeper_key = $2 AND year = $3",
        town,
        keeper_key,
        year,
        reference,
        assessed.amount,
    )
    await outbox.record(
        conn,
        fee_ref(town, claim_id),
        [assessed],
        commit_id=derived_id(claim_id, "dog-tax-assessed"),
        cause=cause,
        expected_seq=0,
    )
    done.assessed += 1
    done.total += assessed.amount
