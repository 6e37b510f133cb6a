"""casework's clerk pages (HTML), on the desk shell of ``runtime.desk``.

``desk_parts`` builds the service's ``Desk`` and returns its routers and its installer for
``ServiceParts``. A page module adds a router made with ``runtime.desk.desk_router()`` and
its templates (extending ``base.html``) to ``templates/`` here:

- ``home``: ``/desk/``, the clerk's workplace;
- ``queue_page``: ``/desk/vorgaenge``, the queue („Arbeitskorb“);
- ``case_page``: ``/desk/vorgaenge/{id}``, a case now or as it was, and its files;
- ``case_actions``, ``supervisor_actions``: the case page's forms, one command each
  (``acting``: how they answer);
- ``delegations_page``: ``/desk/delegationen``, a supervisor's town's agreements.

The pages do no casework themselves: they read through ``queries`` and
``DeskCommands.view`` and act through ``DeskCommands``, as the JSON API does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from fastapi import APIRouter, FastAPI

from runtime.desk import Desk, DeskSettings
from runtime.desk.pages import Pages
from runtime.service import Runtime
from services.casework.commands import DeskCommands
from services.casework.pages import (
    case_actions,
    case_page,
    delegations_page,
    home,
    queue_page,
    supervisor_actions,
)
from services.casework.pages.form_view import german_number
from services.casework.pages.wording import actor_label, euro, german_moment

TEMPLATES = Path(__file__).resolve().parent / "templates"


def german_day(value: date | None) -> str:
    """``30.11.2026``."""
    return f"{value:%d.%m.%Y}" if value else ""


def add_filters(pages: Pages) -> None:
    """The filters casework's templates use besides the shell's: German dates, moments,
    amounts and numbers, who acted."""
    pages.environment.filters.update(
        datum=german_day,
        zeitpunkt=german_moment,
        sekunden=lambda moment: german_moment(moment, seconds=True),
        euro=euro,
        zahl=german_number,
        wer=lambda actor: actor_label(actor, pages.town_name),
        iso=lambda moment: moment.isoformat() if isinstance(moment, date | datetime) else "",
    )


def desk_parts(runtime: Runtime) -> tuple[Sequence[APIRouter], Callable[[FastAPI], None]]:
    """The desk's routers (the shell's and casework's pages) and what installs it."""
    settings = runtime.settings
    assert isinstance(settings, DeskSettings)
    desk = Desk(settings, "casework", TEMPLATES)
    add_filters(desk.pages)
    commands = DeskCommands(runtime)
    case = case_page.CasePage(desk, runtime, commands)
    return (
        desk.router(),
        home.router(desk),
        queue_page.router(desk, runtime),
        case_page.router(case),
        case_actions.router(case),
        supervisor_actions.router(case),
        delegations_page.router(desk, commands),
    ), desk.install
