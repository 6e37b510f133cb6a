"""A million cases in the desk's read model, bulk-loaded: ``INSERT … SELECT generate_series``.

The rows are what ``services/casework/projections/desk_cases.py`` would have written for
cases of the 18 member towns — drawn with the application mix's weights (towns by
inhabitants, procedures by their rates, only those a town offers), in the states a backlog
has: ``open_share`` of them open (queued 40 %, in review 32 %, awaiting information 17 %,
hearing 10 %, automated check 1 %; opened in the last 45 days, most of them recently; a tenth
of the traffic orders urgent), 2 % withdrawn, 0.2 % decided, the rest closed (opened over the
last four years; 70 % of the automatable procedures' closed cases decided automatically). The
claims belong to a few clerks per town (one per 4,000 inhabitants, at least two), the
applicants' names follow the mix's name frequencies, each case has its queue row per
processing town (the member files' delegations: Wurzen and Augustusburg share the trade
notices). The secondary indexes are dropped for the load and created again exactly as they
were (``pg_indexes``), then ``VACUUM (ANALYZE)``: the state of a read model that has lived.
"""

from __future__ import annotations

import time
from typing import Any

import asyncpg

from bench.desk.mix import (
    ALL_FAMILY_NAMES,
    AUTOMATABLE,
    GIVEN_NAMES,
    NAME_SKEW,
    RATE_PER_1000,
    Town,
)

CALENDAR_DAYS = {
    "gewerbeanmeldung": 5,
    "gewerbeummeldung": 5,
    "gewerbeabmeldung": 5,
    "verkehrsrechtliche-anordnung": 14,
    "bewohnerparkausweis": 14,
    "maengelmelder": 14,
}
"""Deadline after opening in calendar days (the working days of ``opening.py``, roughly)."""
OTHER_DAYS = 28
NUMBER_OFFSET = 100_000
"""Bulk case numbers start above the real ones (``WUR-2026-100001``)."""

MIX_TABLE = """
CREATE TEMP TABLE bench_mix (
    hi float8 PRIMARY KEY, town text, procedure text, processing text[], code text,
    clerks int, automatable boolean, days int
)
"""

GENERATED = """
CREATE TEMP TABLE bench_gen (
    case_id uuid, town text, procedure text, processing text[], status text,
    opened_at timestamptz, case_number text, applicant_name text, deadline date,
    urgent boolean, automatic boolean, claimed_by text, verdict text
)
"""

GENERATE = """
INSERT INTO bench_gen
WITH draws AS (
    SELECT g, random() AS r_mix, random() AS r_state, random() AS r_age, random() AS r_auto,
           random() AS r_clerk, random() AS r_name, random() AS r_given, random() AS r_urgent
    FROM generate_series(1, $1::int) g
), placed AS (
    SELECT d.*, m.* FROM draws d
    CROSS JOIN LATERAL (SELECT * FROM bench_mix WHERE hi > d.r_mix ORDER BY hi LIMIT 1) m
), stated AS (
    SELECT p.*, CASE
        WHEN r_state < $2 * 0.40 THEN 'queued'
        WHEN r_state < $2 * 0.72 THEN 'in_review'
        WHEN r_state < $2 * 0.89 THEN 'awaiting_information'
        WHEN r_state < $2 * 0.99 THEN 'hearing'
        WHEN r_state < $2 THEN 'automated_check'
        WHEN r_state < $2 + 0.02 THEN 'withdrawn'
        WHEN r_state < $2 + 0.022 THEN 'decided'
        ELSE 'closed' END AS status
    FROM placed p
), dated AS (
    SELECT s.*,
           s.status IN ('closed', 'decided') AND s.automatable AND s.r_auto < 0.7 AS automatic,
           now() - CASE WHEN r_state < $2 THEN r_age * r_age * interval '45 days'
                        ELSE interval '45 days' + r_age * interval '4 years' END AS opened_at
    FROM stated s
)
SELECT gen_random_uuid() AS case_id, town, procedure, processing, status, opened_at,
       code || '-' || extract(year FROM opened_at)::int || '-' || lpad((row_number() OVER (
           PARTITION BY town, extract(year FROM opened_at) ORDER BY g) + $3)::text, 6, '0')
           AS case_number,
       ($5::text[])[1 + least(cardinality($5::text[]) - 1,
                floor(cardinality($5::text[]) * r_given)::int)] || ' ' ||
       ($4::text[])[1 + least(cardinality($4::text[]) - 1,
                floor(cardinality($4::text[]) * power(r_name, $6))::int)] AS applicant_name,
       (opened_at AT TIME ZONE 'Europe/Berlin')::date + days AS deadline,
       procedure = 'verkehrsrechtliche-anordnung' AND r_urgent < 0.1 AS urgent,
       automatic,
       CASE WHEN status IN ('in_review', 'awaiting_information', 'hearing')
              OR (status IN ('closed', 'decided') AND NOT automatic)
            THEN 'clerk-' || town || '-' || (1 + floor(r_clerk * clerks)::int) END AS claimed_by,
       CASE WHEN r_auto < 0.93 OR automatic THEN 'approved' ELSE 'rejected' END AS verdict
FROM dated
"""

INSERT_CASES = """
INSERT INTO rm_desk_cases.cases (
    case_id, tenant, procedure, case_number, applicant_name, competent_town, processing_towns,
    opened_at, deadline, urgent, referred, claimed_by, claimed_by_name, claimed_at,
    open_requests, pending_hearings, outcome, decided_by, decided_at, closed_reason,
    deadline_notice, status, updated_at)
SELECT case_id, town, procedure, case_number, applicant_name, town, processing,
       opened_at, deadline, urgent, status <> 'automated_check' AND NOT automatic,
       claimed_by, CASE WHEN claimed_by IS NOT NULL THEN 'Sachbearbeitung ' || claimed_by END,
       CASE WHEN claimed_by IS NOT NULL THEN opened_at + interval '1 day' END,
       CASE WHEN status = 'awaiting_information' THEN ARRAY[gen_random_uuid()]
            ELSE '{}'::uuid[] END,
       CASE WHEN status = 'hearing' THEN ARRAY[gen_random_uuid()] ELSE '{}'::uuid[] END,
       CASE WHEN status IN ('closed', 'decided') THEN verdict END,
       CASE WHEN automatic THEN 'automation'
            WHEN status IN ('closed', 'decided') THEN 'clerk:' || claimed_by || '@' || town END,
       CASE WHEN status IN ('closed', 'decided') THEN opened_at + interval '3 days' END,
       CASE status WHEN 'closed' THEN 'decided' WHEN 'withdrawn' THEN 'withdrawn' END,
       CASE WHEN status IN ('closed', 'decided', 'withdrawn') THEN NULL
            WHEN deadline < current_date THEN 'passed'
            WHEN deadline <= current_date + 2 THEN 'near' END,
       status, now()
FROM bench_gen
"""

INSERT_QUEUE = """
INSERT INTO rm_desk_cases.queue (town, case_id, procedure, competent_town, status, is_open,
                                 rank, due, claimed_by)
SELECT t, case_id, procedure, town, status, status NOT IN ('closed', 'decided', 'withdrawn'),
       CASE WHEN urgent THEN 0 ELSE 1 END, deadline, claimed_by
FROM bench_gen, unnest(processing) AS t
"""

SECONDARY_INDEXES = """
SELECT indexname, indexdef FROM pg_indexes
WHERE schemaname = 'rm_desk_cases' AND tablename IN ('cases', 'queue')
  AND indexname NOT IN (SELECT conname FROM pg_constraint)
ORDER BY indexname
"""

SIZES = """
SELECT c.relname AS name, pg_relation_size(c.oid) AS bytes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'rm_desk_cases' AND c.relkind IN ('r', 'i')
  AND (c.relname LIKE 'cases%' OR c.relname LIKE 'queue%')
ORDER BY c.relname
"""


def mix_rows(towns: list[Town]) -> list[tuple[Any, ...]]:
    """(cumulative share, town, procedure, …) for every procedure a town offers."""
    offers = [(t, p) for t in towns for p in sorted(t.procedures) if p in RATE_PER_1000]
    weights = [t.population * RATE_PER_1000[p] for t, p in offers]
    total, running, rows = sum(weights), 0.0, []
    for (town, procedure), weight in zip(offers, weights, strict=True):
        running += weight / total
        rows.append(
            (
                running,
                town.ags,
                procedure,
                town.processing_towns(procedure),
                town.code,
                max(2, town.population // 4000),
                procedure in AUTOMATABLE,
                CALENDAR_DAYS.get(procedure, OTHER_DAYS),
            )
        )
    last = rows[-1]
    rows[-1] = (1.000001, *last[1:])  # no draw falls past the end
    return rows


async def load(
    conn: asyncpg.Connection, towns: list[Town], total: int, open_share: float
) -> dict[str, Any]:
    """Fill the read model up to ``total`` cases; what it took and how big it is."""
    existing = await conn.fetchval("SELECT count(*) FROM rm_desk_cases.cases")
    count = max(0, total - existing)
    started = time.monotonic()
    await conn.execute("SET maintenance_work_mem = '256MB'; SET work_mem = '64MB'")
    await conn.execute("SET synchronous_commit = off")
    await conn.execute(MIX_TABLE)
    await conn.execute(GENERATED)
    await conn.executemany(
        "INSERT INTO bench_mix VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", mix_rows(towns)
    )
    args = (count, open_share, NUMBER_OFFSET, list(ALL_FAMILY_NAMES), list(GIVEN_NAMES))
    await conn.execute(GENERATE, *args, NAME_SKEW)
    indexes = await conn.fetch(SECONDARY_INDEXES)
    async with conn.transaction():
        for index in indexes:
            await conn.execute(f'DROP INDEX rm_desk_cases."{index["indexname"]}"')
        await conn.execute(INSERT_CASES)
        await conn.execute(INSERT_QUEUE)
        for index in indexes:
            await conn.execute(index["indexdef"])
    loaded = time.monotonic()
    await conn.execute("VACUUM (ANALYZE) rm_desk_cases.cases, rm_desk_cases.queue")
    await conn.execute("DROP TABLE bench_gen; DROP TABLE bench_mix")
    return {
        "cases_before": existing,
        "cases_loaded": count,
        "cases_after": await conn.fetchval("SELECT count(*) FROM rm_desk_cases.cases"),
        "queue_rows": await conn.fetchval("SELECT count(*) FROM rm_desk_cases.queue"),
        "open_share": open_share,
        "load_seconds": round(loaded - started, 1),
        "vacuum_analyze_seconds": round(time.monotonic() - loaded, 1),
        "indexes_recreated": [i["indexname"] for i in indexes],
        "size_mb": {r["name"]: round(r["bytes"] / 2**20, 1) for r in await conn.fetch(SIZES)},
        "statuses": {
            r["status"]: r["n"]
            for r in await conn.fetch(
                "SELECT status, count(*) AS n FROM rm_desk_cases.cases GROUP BY status"
                " ORDER BY n DESC"
            )
        },
    }
