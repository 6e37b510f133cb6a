"""notify's operator page (HTML): the messages by delivery status, on the common desk.

The desk shell (``runtime.desk``) gives it the same sign-in, session and look as the clerks'
pages; the page is for the role „Betrieb“ (``DeskOperator``) only — it names citizens'
messages. The JSON API (``services.notify.api``) serves programs with a bearer token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from fastapi import APIRouter, FastAPI

from runtime.desk import Desk, DeskSettings
from runtime.service import Runtime
from services.notify.pages import messages_page

TEMPLATES = Path(__file__).resolve().parent / "templates"


def desk_parts(runtime: Runtime) -> tuple[Sequence[APIRouter], Callable[[FastAPI], None]]:
    """The desk's routers (the shell's and the messages page) and what installs it."""
    settings = runtime.settings
    assert isinstance(settings, DeskSettings)
    desk = Desk(settings, "notify", TEMPLATES)
    return (desk.router(), messages_page.router(desk, runtime)), desk.install
