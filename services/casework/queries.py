"""What the desk reads: a town's queue (filtered, in deadline order, paged by keyset) and its
counts — from the read model, one index range per town however large the others are."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from contracts.procedures import PROCEDURES

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class BadCursor(ValueError):
    """A paging cursor that this service did not hand out."""


@dataclass(frozen=True)
class QueueFilter:
    """What a clerk narrows their queue to (``None``: no narrowing)."""

    town: str
    open: bool = True
    procedures: tuple[str, ...] | None = None
    """The procedures the clerk handles (``None``: all of them)."""
    procedure: str | None = None
    status: str | None = None
    competent_town: str | None = None
    due_by: date | None = None
    claimed_by: str | None = None
    search: str | None = None


@dataclass(frozen=True)
class QueueRow:
    """One case in a queue."""

    case_id: UUID
    case_number: str | None
    procedure: str
    applicant_name: str | None
    status: str
    competent_town: str | None
    deadline: date | None
    urgent: bool
    claimed_by: str | None
    claimed_by_name: str | None
    deadline_notice: str | None
    opened_at: datetime | None


@dataclass(frozen=True)
class QueuePage:
    """A page of a queue, and the cursor of the next one (``None``: the last page)."""

    rows: list[QueueRow]
    next_cursor: str | None
    filters: QueueFilter = field(repr=False, default_factory=lambda: QueueFilter(town=""))


def encode_cursor(rank: int, due: date, case_id: UUID) -> str:
    """A cursor naming the last row of a page (opaque to clients)."""
    return base64.urlsafe_b64encode(f"{rank}|{due.isoformat()}|{case_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, date, UUID]:
    """The row a cursor names; ``BadCursor`` for anything else."""
    try:
        rank, due, case_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return int(rank), date.fromisoformat(due), UUID(case_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadCursor(cursor) from exc


def escape_like(text: str) -> str:
    """A search text as a literal inside ``LIKE '%…%'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(filters: QueueFilter, args: list[Any]) -> list[str]:
    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    clauses = [f"q.town = {arg(filters.town)}", f"q.is_open = {arg(filters.open)}"]
    if filters.procedure is not None:
        clauses.append(f"q.procedure = {arg(filters.procedure)}")
    elif filters.procedures is not None and set(filters.procedures) < set(PROCEDURES):
        clauses.append(f"q.procedure = ANY({arg(list(filters.procedures))}::text[])")
    if filters.status is not None:
        clauses.append(f"q.status = {arg(filters.status)}")
    if filters.competent_town is not None:
        clauses.append(f"q.competent_town = {arg(filters.competent_town)}")
    if filters.due_by is not None:
        clauses.append(f"q.due <= {arg(filters.due_by)}")
    if filters.claimed_by is not None:
        clauses.append(f"q.claimed_by = {arg(filters.claimed_by)}")
    if filters.search:
        pattern = f"%{escape_like(filters.search.strip().lower())}%"
        clauses.append(f"c.search LIKE {arg(pattern)}")
    return clauses


async def queue_page(
    conn: asyncpg.Connection | asyncpg.Pool,
    filters: QueueFilter,
    *,
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> QueuePage:
    """One page of a town's queue: urgent first, then by deadline, then by case id."""
    args: list[Any] = []
    clauses = _where(filters, args)
    if after:
        rank, due, case_id = decode_cursor(after)
        args += [rank, due, case_id]
        n = len(args)
        clauses.append(f"(q.rank, q.due, q.case_id) > (${n - 2}::smallint, ${n - 1}, ${n})")
    args.append(limit + 1)
    sql = (
        "SELECT c.case_id, c.case_number, c.procedure, c.applicant_name, q.status,"
        " q.competent_town, c.deadline, c.urgent, c.claimed_by, c.claimed_by_name,"
        " c.deadline_notice, c.opened_at, q.rank, q.due"
        " FROM rm_desk_cases.queue q JOIN rm_desk_cases.cases c ON c.case_id = q.case_id"
        f" WHERE {' AND '.join(clauses)}"
        f" ORDER BY q.rank, q.due, q.case_id LIMIT ${len(args)}"
    )
    if filters.search:
        records = await _custom_plan_fetch(conn, sql, args)
    else:
        records = await conn.fetch(sql, *args)
    more = len(records) > limit
    records = records[:limit]
    rows = [QueueRow(**{k: r[k] for k in QueueRow.__dataclass_fields__}) for r in records]
    last = records[-1] if records and more else None
    cursor = encode_cursor(last["rank"], last["due"], last["case_id"]) if last else None
    return QueuePage(rows, cursor, filters)


async def _custom_plan_fetch(
    conn: asyncpg.Connection | asyncpg.Pool, sql: str, args: list[Any]
) -> list[Any]:
    """Run a search with a plan made for its pattern.

    A prepared statement's generic plan cannot see the pattern, so it cannot tell a rare
    name (the trigram index first) from a common one (walk the queue in order): planned once
    per search, it is right for both.
    """
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as own:
            return await _custom_plan_fetch(own, sql, args)
    async with conn.transaction():
        await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        return list(await conn.fetch(sql, *args))


@dataclass(frozen=True)
class QueueCount:
    """How many open cases of a procedure wait in which status."""

    procedure: str
    status: str
    count: int


async def queue_counts(
    conn: asyncpg.Connection | asyncpg.Pool, town: str, procedures: tuple[str, ...] | None
) -> list[QueueCount]:
    """The town's open cases by procedure and status (only the clerk's procedures)."""
    records = await conn.fetch(
        "SELECT procedure, status, count(*) AS n FROM rm_desk_cases.queue"
        " WHERE town = $1 AND is_open GROUP BY procedure, status ORDER BY procedure, status",
        town,
    )
    return [
        QueueCount(r["procedure"], r["status"], r["n"])
        for r in records
        if procedures is None or r["procedure"] in procedures
    ]
