"""Reads from intake's read models (the HTTP layer's only way to the database)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from services.intake.domain.applicant_actions import ApplicantHistory, CaseView
from services.intake.domain.checks import Town
from services.intake.domain.tracking import current_status


def _area(points: Any) -> list[tuple[float, float]] | None:
    """A town's area as ``(lat, lon)`` pairs (JSON gives lists)."""
    return [(float(lat), float(lon)) for lat, lon in points] if points else None


async def list_towns(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """All member towns with their offered procedures."""
    rows = await pool.fetch(
        "SELECT t.profile, coalesce(array_agg(p.procedure ORDER BY p.procedure)"
        " FILTER (WHERE p.procedure IS NOT NULL), '{}') AS procedures"
        " FROM rm_catalogue.towns t LEFT JOIN rm_catalogue.procedures p USING (ags)"
        " GROUP BY t.ags, t.profile ORDER BY t.name"
    )
    return [{**row["profile"], "procedures": list(row["procedures"])} for row in rows]


class CatalogueCache:
    """The catalogue read model held in memory for half a second.

    Every submission asks whether the town offers the procedure; the catalogue is tiny, and
    an operator's change must take effect within a second — reading it twice a second is
    both cheap and quick enough.
    """

    def __init__(self, pool: Callable[[], asyncpg.Pool], ttl: float = 0.5) -> None:
        self._pool = pool
        self._ttl = ttl
        self._loaded = 0.0
        self._expires = 0.0
        self._towns: dict[str, dict[str, Any]] = {}
        self._members: dict[str, Town] = {}
        self._procedures: dict[tuple[str, str], dict[str, Any]] = {}

    async def town(self, ags: str) -> dict[str, Any] | None:
        """A member town's profile, or ``None``."""
        await self._refresh()
        if ags not in self._towns:
            await self._refresh_on_miss()
        return self._towns.get(ags)

    async def profiles(self) -> list[dict[str, Any]]:
        """Every member town's profile."""
        await self._refresh()
        return list(self._towns.values())

    async def towns(self) -> dict[str, Town]:
        """Every member town as a check needs it (name and area)."""
        await self._refresh()
        return self._members

    async def procedure(self, ags: str, procedure: str) -> dict[str, Any] | None:
        """How a town offers a procedure, or ``None``."""
        await self._refresh()
        if (ags, procedure) not in self._procedures:
            await self._refresh_on_miss()
        return self._procedures.get((ags, procedure))

    async def _refresh_on_miss(self) -> None:
        """A miss may be a town onboarded a moment ago: look again, at most 4 times a second."""
        if time.monotonic() - self._loaded > 0.25:
            self._expires = 0.0
            await self._refresh()

    async def _refresh(self) -> None:
        if time.monotonic() < self._expires:
            return
        pool = self._pool()
        towns = await pool.fetch("SELECT ags, profile FROM rm_catalogue.towns")
        procedures = await pool.fetch(
            "SELECT p.ags, p.procedure, p.competent_office, p.form_version, p.fee_hint,"
            " p.contact, p.opening_hours, f.amount FROM rm_catalogue.procedures p"
            " LEFT JOIN rm_catalogue.fees f USING (ags, procedure)"
        )
        self._towns = {row["ags"]: row["profile"] for row in towns}
        self._members = {
            ags: Town(ags, profile.get("name", ags), _area(profile.get("area")))
            for ags, profile in self._towns.items()
        }
        self._procedures = {(row["ags"], row["procedure"]): dict(row.items()) for row in procedures}
        self._loaded = time.monotonic()
        self._expires = self._loaded + self._ttl


Reader: TypeAlias = "asyncpg.Pool | asyncpg.Connection | PoolConnectionProxy"


async def application_status(pool: asyncpg.Pool, application_id: UUID) -> dict[str, Any] | None:
    """An application's (or objection's) timeline, its case's facts, the steps its applicant
    took, and its current status — or ``None`` if intake has not seen it.

    ``requests`` are the unanswered requests for information, each with the sealed commit
    that holds its question (opened by the caller, who has the keys). Read from one snapshot:
    a step the projection commits meanwhile is in all of it or in none.
    """
    async with (
        pool.acquire() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        return await _application_status(conn, application_id)


async def _application_status(conn: Reader, application_id: UUID) -> dict[str, Any] | None:
    head = await conn.fetchrow(
        "SELECT a.application_id, a.tenant, a.procedure, a.submitted_at, a.case_number,"
        " a.objection_to, f.case_number AS objection_to_number, t.name AS town_name,"
        " c.deadline, c.outcome, c.known_on, c.closed_reason, c.withdrawn_at"
        " FROM rm_tracking.applications a LEFT JOIN rm_catalogue.towns t ON t.ags = a.tenant"
        " LEFT JOIN rm_tracking.applications f ON f.application_id = a.objection_to"
        " LEFT JOIN rm_tracking.cases c ON c.application_id = a.application_id"
        " WHERE a.application_id = $1",
        application_id,
    )
    if head is None:
        return None
    lines = await conn.fetch(
        "SELECT step, label, occurred_at FROM rm_tracking.timeline"
        " WHERE application_id = $1 ORDER BY occurred_at, event_id",
        application_id,
    )
    timeline = [dict(line.items()) for line in lines]
    requests = await conn.fetch(
        "SELECT request_id, due, requested_at, event_id, sealed_commit, answered_at"
        " FROM rm_tracking.information_requests WHERE application_id = $1"
        " ORDER BY requested_at NULLS LAST, request_id",
        application_id,
    )
    open_requests = [
        dict(r.items()) for r in requests if r["due"] is not None and r["answered_at"] is None
    ]
    answer_due = min((r["due"] for r in open_requests), default=None)
    status = current_status([(line["step"], line["label"]) for line in timeline], answer_due)
    return {
        **dict(head.items()),
        "status": status.step,
        "status_label": status.label,
        "timeline": timeline,
        "requests": [dict(r.items()) for r in requests],
        "open_requests": open_requests,
        "document": await decision_document(conn, application_id),
        "objections": [
            dict(row.items())
            for row in await conn.fetch(
                "SELECT application_id, case_number, submitted_at FROM rm_tracking.applications"
                " WHERE objection_to = $1 ORDER BY submitted_at",
                application_id,
            )
        ],
    }


async def decision_document(db: Reader, case_id: UUID) -> dict[str, Any] | None:
    """The decision letter's reference and key id, if casework has issued one."""
    row = await db.fetchrow(
        "SELECT d.*, coalesce(a.objection_to, a.application_id) AS first_application"
        " FROM rm_tracking.decision_documents d"
        " LEFT JOIN rm_tracking.applications a USING (application_id)"
        " WHERE d.application_id = $1",
        case_id,
    )
    return dict(row.items()) if row else None


async def case_view(pool: asyncpg.Pool, case_id: UUID) -> CaseView | None:
    """The case as the applicant's commands decide on it (``None``: not seen yet)."""
    found = await application_status(pool, case_id)
    return None if found is None else case_view_of(found)


def case_view_of(found: dict[str, Any]) -> CaseView:
    """``CaseView`` from an ``application_status`` answer."""
    return CaseView(
        case_id=found["application_id"],
        application_id=found["objection_to"] or found["application_id"],
        procedure=found["procedure"],
        objection_to=found["objection_to"],
        requests=frozenset(r["request_id"] for r in found["requests"] if r["due"] is not None),
        outcome=found["outcome"],
        closed_reason=found["closed_reason"],
    )


def history_of(found: dict[str, Any]) -> ApplicantHistory:
    """The applicant's steps as the read model has them (what the page may offer)."""
    return ApplicantHistory(
        answered=frozenset(r["request_id"] for r in found["requests"] if r["answered_at"]),
        withdrawn=frozenset([found["application_id"]] if found["withdrawn_at"] else []),
        objections=(
            {found["application_id"]: found["objections"][0]["case_number"]}
            if found["objections"]
            else {}
        ),
    )
