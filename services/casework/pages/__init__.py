"""casework's clerk pages (HTML), on the desk shell of ``runtime.desk``.

``desk_parts`` builds the service's ``Desk`` and returns its routers and its installer for
``ServiceParts``. A page module adds a router made with ``runtime.desk.desk_router()`` and
its templates (extending ``base.html``) to ``templates/`` here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from fastapi import APIRouter, FastAPI

from runtime.desk import Desk, DeskSettings
from runtime.service import Runtime
from services.casework.pages import home

TEMPLATES = Path(__file__).resolve().parent / "templates"


def desk_parts(runtime: Runtime) -> tuple[Sequence[APIRouter], Callable[[FastAPI], None]]:
    """The desk's routers (the shell's and casework's pages) and what installs it."""
    settings = runtime.settings
    assert isinstance(settings, DeskSettings)
    desk = Desk(settings, "casework", TEMPLATES)
    return (desk.router(), home.router(desk)), desk.install
