"""The queue's query shapes, measured over HTTP (as a clerk waits) and in the database.

For one town the shapes are: the first page; keyset pages 2, 10, 100, 1000 and the last
(reached by walking the cursors, each step timed too); a procedure, a status, a due date;
the clerk's own cases; a clerk handling three procedures only; finished cases; search by
case number, by a frequent family name and by a person's full name (also among the finished
cases); the counts. Each is
asked ``samples`` times one after the other by a clerk of that town (``GET /api/v1/desk/…``);
the same statement that ``services.casework.queries`` builds for it is then run as often
straight on casework's database, and explained (``EXPLAIN (ANALYZE, BUFFERS)``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

import asyncpg
import httpx

from bench.desk.mix import RARE_FAMILY_NAMES
from bench.skeleton import summary
from services.casework.queries import PAGE_SIZE, QueueFilter, queue_counts, queue_page

SLOW_MS = 50.0
"""A shape whose p99 over HTTP exceeds this is reported as slow."""
DEPTHS = (2, 10, 100, 1000)
THREE_PROCEDURES = ("hundesteuer-anmeldung", "hundesteuer-abmeldung", "maengelmelder")
FREQUENT_NAME = "müller"

Minter = Callable[[str, str, tuple[str, ...]], str]
"""(town, subject, procedures) → a clerk's bearer token."""


@dataclass(frozen=True)
class Shape:
    """One way of asking for a queue page (or the counts)."""

    name: str
    params: dict[str, str] = field(default_factory=dict)
    procedures: tuple[str, ...] = ("*",)
    counts: bool = False

    def filters(self, town: str, subject: str) -> QueueFilter:
        """The filter the API builds from the same request."""
        p = self.params
        return QueueFilter(
            town=town,
            open=p.get("open", "true") == "true",
            procedures=None if "*" in self.procedures else self.procedures,
            procedure=p.get("procedure"),
            status=p.get("status"),
            due_by=date.fromisoformat(p["due_by"]) if "due_by" in p else None,
            claimed_by=subject if p.get("mine") == "true" else None,
            search=p.get("q") or None,
        )


class _Recorder:
    """Stands in for the pool: keeps the statement a query function would run."""

    def __init__(self) -> None:
        self.sql, self.args = "", ()
        self.settings: list[str] = []

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        self.sql, self.args = sql, args
        return []

    async def execute(self, sql: str) -> str:
        self.settings.append(sql)  # SET LOCAL …, made for the statement that follows
        return "SET"

    def transaction(self) -> AbstractAsyncContextManager[None]:
        return nullcontext()


@dataclass(frozen=True)
class Statement:
    """What casework runs for a shape: its settings (``SET LOCAL``), the SQL, the arguments."""

    sql: str
    args: tuple[Any, ...]
    settings: tuple[str, ...]

    async def run(self, conn: asyncpg.Connection, prefix: str = "") -> list[Any]:
        """Run it as casework does (in a transaction when it sets something)."""
        if not self.settings:
            return list(await conn.fetch(prefix + self.sql, *self.args))
        async with conn.transaction():
            for setting in self.settings:
                await conn.execute(setting)
            return list(await conn.fetch(prefix + self.sql, *self.args))


async def statement(shape: Shape, town: str, subject: str) -> Statement:
    """The SQL and arguments casework runs for the shape."""
    recorder = _Recorder()
    conn = cast(asyncpg.Connection, recorder)
    filters = shape.filters(town, subject)
    if shape.counts:
        await queue_counts(conn, town, filters.procedures)
    else:
        limit = int(shape.params.get("limit", PAGE_SIZE))
        await queue_page(conn, filters, after=shape.params.get("after"), limit=limit)
    return Statement(recorder.sql, recorder.args, tuple(recorder.settings))


@dataclass
class TownProbe:
    """A town's queue as the shapes need it: names to search, a clerk with claims."""

    ags: str
    name: str
    open_rows: int
    all_rows: int
    top_procedure: str | None
    case_number: str | None
    full_name: str | None
    busiest_clerk: str | None


async def probe(conn: asyncpg.Connection, ags: str, name: str) -> TownProbe:
    """Look the town's queue up (outside the measurement)."""
    counts = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE is_open) AS open, count(*) AS all"
        " FROM rm_desk_cases.queue WHERE town = $1",
        ags,
    )
    top = await conn.fetchval(
        "SELECT procedure FROM rm_desk_cases.queue WHERE town = $1 AND is_open"
        " GROUP BY procedure ORDER BY count(*) DESC LIMIT 1",
        ags,
    )
    middle = await conn.fetchval(
        "SELECT c.case_number FROM rm_desk_cases.queue q JOIN rm_desk_cases.cases c"
        " USING (case_id) WHERE q.town = $1 AND q.is_open ORDER BY q.rank, q.due, q.case_id"
        " OFFSET $2 LIMIT 1",
        ags,
        counts["open"] // 2,
    )
    rare = await conn.fetchval(
        "SELECT c.applicant_name FROM rm_desk_cases.queue q JOIN rm_desk_cases.cases c"
        " USING (case_id) WHERE q.town = $1 AND q.is_open"
        " AND split_part(c.applicant_name, ' ', 2) = ANY($2::text[]) LIMIT 1",
        ags,
        list(RARE_FAMILY_NAMES),
    )
    clerk = await conn.fetchval(
        "SELECT claimed_by FROM rm_desk_cases.queue WHERE town = $1 AND is_open"
        " AND claimed_by IS NOT NULL GROUP BY claimed_by ORDER BY count(*) DESC LIMIT 1",
        ags,
    )
    return TownProbe(ags, name, counts["open"], counts["all"], top, middle, rare, clerk)


def shapes_for(town: TownProbe, today: date) -> list[Shape]:
    """Every shape but the deep pages (those need the cursors a walk finds)."""
    shapes = [Shape("first page")]
    if town.top_procedure:
        shapes.append(Shape(f"procedure {town.top_procedure}", {"procedure": town.top_procedure}))
    shapes += [
        Shape("clerk of 3 procedures", procedures=THREE_PROCEDURES),
        Shape("status queued", {"status": "queued"}),
        Shape("status in_review", {"status": "in_review"}),
        Shape("status hearing (rare)", {"status": "hearing"}),
        Shape("due by today (overdue)", {"due_by": today.isoformat()}),
        Shape("mine (claimed by me)", {"mine": "true"}),
        Shape("finished cases", {"open": "false"}),
        Shape("finished, withdrawn", {"open": "false", "status": "withdrawn"}),
    ]
    if town.case_number:
        shapes.append(Shape("search case number", {"q": town.case_number}))
    shapes.append(Shape(f"search frequent name ({FREQUENT_NAME})", {"q": FREQUENT_NAME}))
    if town.full_name:
        shapes.append(Shape("search full name", {"q": town.full_name}))
        shapes.append(Shape("finished, search full name", {"open": "false", "q": town.full_name}))
    shapes.append(Shape("counts", counts=True))
    return shapes


class Measurer:
    """Asks a town's shapes over HTTP and in the database."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        db: asyncpg.Connection,
        mint: Minter,
        samples: int,
        progress: Callable[[str], None],
    ) -> None:
        self.http, self.db, self.mint, self.samples = http, db, mint, samples
        self.progress = progress
        self.tokens: dict[tuple[str, str, tuple[str, ...]], str] = {}

    def headers(self, town: TownProbe, shape: Shape) -> dict[str, str]:
        """A bearer token of a clerk of the town (the busiest one, for "mine")."""
        subject = town.busiest_clerk or f"bench.clerk@{town.ags}"
        key = (town.ags, subject, shape.procedures)
        if key not in self.tokens:
            self.tokens[key] = self.mint(town.ags, subject, shape.procedures)
        return {"Authorization": f"Bearer {self.tokens[key]}"}

    async def ask(self, town: TownProbe, shape: Shape) -> tuple[float, dict[str, Any] | list[Any]]:
        """One request; its seconds and its JSON."""
        path = "/api/v1/desk/counts" if shape.counts else "/api/v1/desk/queue"
        started = time.monotonic()
        answer = await self.http.get(path, params=shape.params, headers=self.headers(town, shape))
        took = time.monotonic() - started
        if answer.status_code != 200:
            raise RuntimeError(f"{shape.name} in {town.name}: {answer.status_code} {answer.text}")
        found: dict[str, Any] | list[Any] = answer.json()
        return took, found

    async def walk(self, town: TownProbe) -> tuple[list[Shape], list[float]]:
        """Page through the open queue by cursor: the deep shapes, and every step's time."""
        found, steps, cursor, page = [], [], None, 1
        while page < 2000:
            shape = Shape("walk", {"after": cursor} if cursor else {})
            took, answer = await self.ask(town, shape)
            steps.append(took)
            assert isinstance(answer, dict)
            if answer["next_cursor"] is None:
                break
            cursor, page = answer["next_cursor"], page + 1
            if page in DEPTHS:
                found.append(Shape(f"keyset page {page}", {"after": cursor}))
        if page > 1:
            found.append(Shape(f"keyset last page ({page})", {"after": cursor or ""}))
        return found, steps

    async def measure(self, town: TownProbe, shape: Shape) -> dict[str, Any]:
        """HTTP and database figures of one shape (a few unmeasured rounds first)."""
        for _ in range(2):
            await self.ask(town, shape)
        http, answer = [], None
        for _ in range(self.samples):
            took, answer = await self.ask(town, shape)
            http.append(took)
        query = await statement(shape, town.ags, town.busiest_clerk or "")
        db = []
        for _ in range(self.samples):
            started = time.monotonic()
            await query.run(self.db)
            db.append(time.monotonic() - started)
        rows = len(answer) if isinstance(answer, list) else len((answer or {}).get("rows", []))
        return {"shape": shape.name, "rows": rows, "http": summary(http), "db": summary(db)}

    async def explain(self, town: TownProbe, shape: Shape) -> str:
        """The plan PostgreSQL chose, with what it cost (``EXPLAIN (ANALYZE, BUFFERS)``)."""
        query = await statement(shape, town.ags, town.busiest_clerk or "")
        rows = await query.run(self.db, "EXPLAIN (ANALYZE, BUFFERS) ")
        return "\n".join(r[0] for r in rows)

    async def town(self, town: TownProbe, today: date) -> dict[str, Any]:
        """Every shape of one town; the slowest one explained."""
        deep, steps = await self.walk(town)
        shapes = shapes_for(town, today)
        shapes[1:1] = deep
        results = []
        for shape in shapes:
            results.append(await self.measure(town, shape))
            last = results[-1]
            self.progress(
                f"  {town.name}: {shape.name}: p50 {last['http']['p50_ms']} ms,"
                f" p99 {last['http']['p99_ms']} ms (db p99 {last['db']['p99_ms']} ms)"
            )
        slowest = max(range(len(shapes)), key=lambda i: results[i]["db"]["p99_ms"])
        plans = {
            shapes[i].name: await self.explain(town, shapes[i])
            for i in range(len(shapes))
            if i == slowest or results[i]["http"]["p99_ms"] > SLOW_MS
        }
        return {
            "town": town.name,
            "ags": town.ags,
            "open_cases_in_queue": town.open_rows,
            "all_cases_in_queue": town.all_rows,
            "keyset_walk": {"pages": len(steps), **summary(steps)},
            "shapes": results,
            "slowest_shape": shapes[slowest].name,
            "slow_shapes": [r["shape"] for r in results if r["http"]["p99_ms"] > SLOW_MS],
            "plans": plans,
        }
