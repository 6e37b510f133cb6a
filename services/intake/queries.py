"""Reads from intake's read models (the HTTP layer's only way to the database)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from services.intake.domain.tracking import current_step


async def list_towns(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """All member towns with their offered procedures."""
    rows = await pool.fetch(
        "SELECT t.profile, coalesce(array_agg(p.procedure ORDER BY p.procedure)"
        " FILTER (WHERE p.procedure IS NOT NULL), '{}') AS procedures"
        " FROM rm_catalogue.towns t LEFT JOIN rm_catalogue.procedures p USING (ags)"
        " GROUP BY t.ags, t.profile ORDER BY t.name"
    )
    return [{**row["profile"], "procedures": list(row["procedures"])} for row in rows]


async def find_town(pool: asyncpg.Pool, ags: str) -> dict[str, Any] | None:
    """A town's profile, or ``None`` if it is not a member."""
    profile: dict[str, Any] | None = await pool.fetchval(
        "SELECT profile FROM rm_catalogue.towns WHERE ags = $1", ags
    )
    return profile


async def find_procedure(pool: asyncpg.Pool, ags: str, procedure: str) -> dict[str, Any] | None:
    """How a town offers a procedure, or ``None`` if it does not."""
    row = await pool.fetchrow(
        "SELECT procedure, competent_office, form_version FROM rm_catalogue.procedures"
        " WHERE ags = $1 AND procedure = $2",
        ags,
        procedure,
    )
    return dict(row.items()) if row else None


async def application_status(pool: asyncpg.Pool, application_id: UUID) -> dict[str, Any] | None:
    """An application's timeline and current status, or ``None`` if intake has not seen it."""
    head = await pool.fetchrow(
        "SELECT a.application_id, a.tenant, a.procedure, a.submitted_at, t.name AS town_name"
        " FROM rm_tracking.applications a LEFT JOIN rm_catalogue.towns t ON t.ags = a.tenant"
        " WHERE a.application_id = $1",
        application_id,
    )
    if head is None:
        return None
    lines = await pool.fetch(
        "SELECT step, label, occurred_at FROM rm_tracking.timeline"
        " WHERE application_id = $1 ORDER BY occurred_at, event_id",
        application_id,
    )
    timeline = [dict(line.items()) for line in lines]
    status = current_step([line["step"] for line in timeline])
    label = next(
        (line["label"] for line in reversed(timeline) if line["step"] == status),
        "Antrag eingegangen",
    )
    return {**dict(head.items()), "status": status, "status_label": label, "timeline": timeline}
