"""archive's clerk pages (HTML): the room „E-Akte“ of the common desk.

Casework's, billing's and these pages are one desk (``runtime.desk``): the same sign-in and
session cookie (sealed with the installation's ``RATHAUS_SESSION_SECRET``), the same look and
the navigation across services, where archive's area is „E-Akte“ (``RATHAUS_DESK_ARCHIVE_URL``
in the other services; here, archive's own ``/desk/``, which leads to the room).

- ``file_pages``: ``/desk/akten``, the search for a filed case by its case number or
  Aktenzeichen, and ``/desk/akten/{case_id}``, the file itself with its documents — the
  inspection (Akteneinsicht) the JSON API gives clerks, logged the same way
  (``archive.FileInspected``, which the applicant reads on their own page).

The pages read and log through ``services.archive.inspection``, as the API does; who may see
a file is ``domain.inspection.clerk_may_inspect``'s to say, for both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from fastapi import APIRouter, FastAPI

from runtime.desk import Desk, DeskSettings
from runtime.desk.pages import Pages
from runtime.service import Runtime
from services.archive.inspection_page import german_datetime, german_day, size_text
from services.archive.pages import file_pages

TEMPLATES = Path(__file__).resolve().parent / "templates"


def add_filters(pages: Pages) -> None:
    """The German formats archive's templates use besides the shell's filters."""
    pages.environment.filters.update(zeitpunkt=german_datetime, datum=german_day, groesse=size_text)


def desk_parts(runtime: Runtime) -> tuple[Sequence[APIRouter], Callable[[FastAPI], None]]:
    """The desk's routers (the shell's and the file pages) and what installs it."""
    settings = runtime.settings
    assert isinstance(settings, DeskSettings)
    desk = Desk(settings, "archive", TEMPLATES)
    add_filters(desk.pages)
    return (desk.router(), file_pages.router(desk, runtime)), desk.install
