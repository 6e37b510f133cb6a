"""Reads from intake's read models (the HTTP layer's only way to the database)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

import asyncpg

from services.intake.domain.checks import Town
from services.intake.domain.tracking import current_step


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


async def application_status(pool: asyncpg.Pool, application_id: UUID) -> dict[str, Any] | None:
    """An application's timeline and current status, or ``None`` if intake has not seen it."""
    head = await pool.fetchrow(
        "SELECT a.application_id, a.tenant, a.procedure, a.submitted_at, a.case_number,"
        " t.name AS town_name"
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
