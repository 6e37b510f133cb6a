"""The room „E-Akte“: a clerk finds a filed case and inspects its file (Akteneinsicht).

``GET /desk/``                                   archive's home in the desk: to the search
``GET /desk/akten?suche=…``                      the search: a case number (Vorgangsnummer),
                                                 an Aktenzeichen or a case id; only files the
                                                 clerk's town is entitled to are listed
``GET /desk/akten/{case_id}``                    the file: record, documents, addenda, the
                                                 check, who looked — the access logged first
``GET /desk/akten/{case_id}/dokumente/{name}``   a document, downloaded (logged first,
                                                 checked against its SHA-256)

A file the clerk may not read is refused (403, as at the JSON API), an unknown or unfiled
one not found (404); the search lists neither, so it tells nobody what exists elsewhere.
Looking is logged exactly as at the API: ``archive.FileInspected`` naming the clerk,
recorded before anything of the file is sent — the applicant sees it on their page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from runtime.auth import Identity
from runtime.desk import Desk, DeskClerk, DeskRefusal, desk_router
from runtime.service import Runtime
from services.archive import inspection
from services.archive.api_inspection import NOT_ENTITLED, download_document, inspector_of
from services.archive.domain.inspection import (
    SEARCH_TERM_LIMIT,
    THE_FILE,
    as_case_id,
    clerk_may_inspect,
    search_term,
    visible_to,
)
from services.archive.pages.wording import FILES_PATH, file_context

FILE_NOT_FOUND = DeskRefusal(
    404,
    "Akte nicht gefunden",
    "Zu diesem Vorgang gibt es keine Akte: Er ist unbekannt, oder er ist noch nicht zur Akte"
    " genommen – das geschieht, sobald er abgeschlossen und seine Gebühr festgesetzt ist.",
)
REFUSED = DeskRefusal(403, "Keine Berechtigung", NOT_ENTITLED)
DOCUMENT_MISSING = DeskRefusal(
    404,
    "Dokument nicht verfügbar",
    "Dieses Dokument kann nicht geladen werden: Die Akte enthält keines dieses Namens, oder"
    " die personenbezogenen Daten des Vorgangs sind gelöscht.",
)
UNUSABLE_TERM = (
    f"Bitte geben Sie eine Vorgangsnummer oder ein Aktenzeichen ein (höchstens"
    f" {SEARCH_TERM_LIMIT} Zeichen)."
)


async def entitled_view(runtime: Runtime, clerk: Identity, case_id: str) -> inspection.FileView:
    """The file, if it exists and the clerk may read it; else the desk's 404 or 403 page."""
    parsed = as_case_id(case_id)
    view = await inspection.file_view(runtime, parsed) if parsed else None
    if view is None:
        raise FILE_NOT_FOUND
    if not clerk_may_inspect(inspector_of(clerk), view.entitled_towns, view.procedure):
        raise REFUSED
    return view


def router(desk: Desk, runtime: Runtime) -> APIRouter:
    """The search, the file and its documents."""
    pages = desk_router()

    @pages.get("/")
    async def home(clerk: DeskClerk) -> Response:
        """archive's home in the desk is its one room."""
        return RedirectResponse(FILES_PATH, 303)

    @pages.get("/akten")
    async def search(request: Request, clerk: DeskClerk, suche: str = "") -> Response:
        """The search form, and what it found among the files the clerk may read."""
        context: dict[str, Any] = {"asked": suche, "searched": False, "files": []}
        if not suche.strip():
            return desk.page(request, "akten.html", context)
        term = search_term(suche)
        if term is None:
            return desk.page(request, "akten.html", context, 422, (("suche", UNUSABLE_TERM),))
        found = await inspection.find_files(runtime, term)
        files = visible_to(inspector_of(clerk), found)
        context.update(searched=True, term=term, files=files)
        return desk.page(request, "akten.html", context)

    @pages.get("/akten/{case_id}")
    async def file(request: Request, clerk: DeskClerk, case_id: str) -> Response:
        """The file, shown once the clerk's look at it is logged."""
        view = await entitled_view(runtime, clerk, case_id)
        await inspection.record_access(runtime, view, THE_FILE, inspector_of(clerk).clerk)
        context = file_context(view, desk.pages.town_name)
        return desk.page(request, "akte.html", context)

    @pages.get("/akten/{case_id}/dokumente/{name}")
    async def document(clerk: DeskClerk, case_id: str, name: str) -> Response:
        """One document of the file, to save (logged first; checked against its hash)."""
        view = await entitled_view(runtime, clerk, case_id)
        found = await download_document(runtime, view, name, inspector_of(clerk))
        if found is None:
            raise DOCUMENT_MISSING
        return found

    return pages
