"""Wiring intake together: projections, routes and start-up hooks on the shared runtime."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import asyncpg
from fastapi import FastAPI

from runtime.service import Runtime, ServiceParts
from services.intake import upload_store
from services.intake.api import (
    applicant,
    catalogue_ops,
    origins,
    page_actions,
    pages,
    uploads,
    widget,
)
from services.intake.api.common import Offers
from services.intake.api.origins import TownOrigins
from services.intake.api.routes import router
from services.intake.catalogue_commands import seed_members
from services.intake.projections import catalogue, tracking
from services.intake.queries import CatalogueCache
from services.intake.settings import IntakeSettings


def build(runtime: Runtime) -> ServiceParts:
    """intake's parts, bound to ``runtime``."""
    settings = runtime.settings
    assert isinstance(settings, IntakeSettings)
    return ServiceParts(
        title="RathausCloud intake",
        projections=(catalogue.PROJECTION, tracking.PROJECTION),
        routers=(
            router(runtime, settings),
            applicant.router(runtime, settings),
            uploads.router(runtime, Offers(CatalogueCache(lambda: runtime.pool))),
            page_actions.router(runtime, settings),  # before the page's catch-all path
            pages.router(runtime, settings),
            catalogue_ops.router(runtime),
            widget.router(),
        ),
        migrations=Path(__file__).parent / "migrations",
        on_start=(seed_members,),
        background=(remove_abandoned_uploads,),
        configure=(lambda app: _web_access(app, runtime, settings),),
    )


def _web_access(app: FastAPI, runtime: Runtime, settings: IntakeSettings) -> None:
    """The widget calls from the towns' own websites: each town's registered origins only.

    Bodies are bounded per route (``runtime.http.JsonRoute``), the application by
    ``IntakeSettings.max_application_bytes``.
    """
    resolver = OriginResolver(
        CatalogueCache(lambda: runtime.pool),
        lambda: runtime.pool,
        frozenset(o.strip() for o in settings.cors_origins.split(",") if o.strip()),
    )
    app.add_middleware(TownOrigins, resolve=resolver, own_origin=settings.public_base_url)


class OriginResolver:
    """Whether a page's origin may make a request: from the catalogue (and the settings)."""

    def __init__(
        self, catalogue: CatalogueCache, pool: Callable[[], asyncpg.Pool], extra: frozenset[str]
    ) -> None:
        self._catalogue = catalogue
        self._pool = pool
        self._extra = extra

    async def __call__(self, origin: str, path: str) -> bool:
        """Registered for the town the request is about (any member's, if about none)."""
        if origin in self._extra or "*" in self._extra:
            return True
        town = origins.town_of(path)
        application = origins.application_of(path)
        if town is None and application is not None:
            town = await self._pool().fetchval(
                "SELECT tenant FROM rm_tracking.applications WHERE application_id = $1::uuid",
                application,
            )
        if town is not None:
            profile = await self._catalogue.town(town) or {}
            return origin in profile.get("widget_origins", [])
        return any(
            origin in (profile or {}).get("widget_origins", [])
            for profile in await self._catalogue.profiles()
        )


async def remove_abandoned_uploads(runtime: Runtime) -> None:
    """Background job: files uploaded for applications never submitted go after a while."""
    settings = runtime.settings
    assert isinstance(settings, IntakeSettings)
    while True:
        await upload_store.remove_abandoned(
            runtime.pool, runtime.attachments, timedelta(hours=settings.upload_expiry_hours)
        )
        await asyncio.sleep(settings.upload_sweep_seconds)
