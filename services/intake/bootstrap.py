"""Wiring intake together: projections, routes and start-up hooks on the shared runtime."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from runtime.service import Runtime, ServiceParts
from services.intake.api import pages
from services.intake.api.routes import router
from services.intake.commands import apply_member_configuration
from services.intake.projections import catalogue, tracking
from services.intake.settings import IntakeSettings


def build(runtime: Runtime) -> ServiceParts:
    """intake's parts, bound to ``runtime``."""
    settings = runtime.settings
    assert isinstance(settings, IntakeSettings)
    return ServiceParts(
        title="RathausCloud intake",
        projections=(catalogue.PROJECTION, tracking.PROJECTION),
        routers=(router(runtime, settings), pages.router(runtime, settings)),
        on_start=(apply_member_configuration,),
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
