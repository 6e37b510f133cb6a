"""Wiring intake together: projections, routes and start-up hooks on the shared runtime."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from runtime.service import Runtime, ServiceParts
from services.intake import upload_store
from services.intake.api import pages, uploads
from services.intake.api.common import Offers
from services.intake.api.routes import router
from services.intake.commands import apply_member_configuration
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
            uploads.router(runtime, Offers(CatalogueCache(lambda: runtime.pool))),
            pages.router(runtime, settings),
        ),
        migrations=Path(__file__).parent / "migrations",
        on_start=(apply_member_configuration,),
        background=(remove_abandoned_uploads,),
        configure=(lambda app: _web_access(app, settings),),
    )


def _web_access(app: FastAPI, settings: IntakeSettings) -> None:
    """The widget posts from the towns' own websites (other origins).

    Bodies are bounded per route (``runtime.http.JsonRoute``), the application by
    ``IntakeSettings.max_application_bytes``.
    """
    origins = [origin.strip() for origin in settings.cors_origins.split(",") if origin.strip()]
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Idempotency-Key"],
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
