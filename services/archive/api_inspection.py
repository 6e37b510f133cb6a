"""File inspection (Akteneinsicht) over HTTP: the applicant's page, clerks' JSON.

``GET /akte/{case_id}?token=…``                      the applicant's page (tracking token)
``GET /akte/{case_id}/dokumente/{name}?token=…``     one of its documents, as a download
``GET /api/v1/files/{case_id}/inspection``           the same file for a clerk of an entitled town
``GET /api/v1/files/{case_id}/inspection/documents/{name}``   a document, for that clerk

(Clerks read the same file in the browser at archive's desk: ``services.archive.pages``.)

Every one of them logs the access (``FileInspected``) before it answers with content. A
wrong token, an unknown case and a case not yet filed get the same German 404 page, so the
page tells nobody whether a case exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, StreamingResponse

from runtime.auth import Identity, requires_role
from runtime.http import JsonRoute, error_responses, problem
from runtime.service import Runtime
from services.archive import inspection
from services.archive.domain.inspection import (
    DESK_ROLES,
    THE_FILE,
    Inspector,
    applicant_token_valid,
    clerk_may_inspect,
    document_name_acceptable,
)
from services.archive.inspection_page import (
    HEADERS,
    document_missing_page,
    file_page_html,
    not_found_page,
)

InspectingClerk = Annotated[Identity, Depends(requires_role(*DESK_ROLES))]
"""A clerk or supervisor, signed in with a token of the installation's issuer."""

NOT_ENTITLED = (
    "Ihre Gemeinde ist für diesen Vorgang nicht zuständig, oder das Verfahren gehört nicht "
    "zu Ihren Aufgaben; die Akte kann Ihnen nicht gezeigt werden."
)


def pages(runtime: Runtime) -> APIRouter:
    """The applicant's pages (for people: not in the API's OpenAPI)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/akte/{case_id}", response_class=HTMLResponse)
    async def file_page(case_id: str, token: str | None = None) -> HTMLResponse:
        """The filed case, its documents and who looked at it — once the access is logged."""
        view = await _applicant_view(runtime, case_id, token)
        if view is None or token is None:
            return _html(not_found_page(), 404)
        await inspection.record_access(runtime, view, THE_FILE)
        towns = await inspection.town_names(runtime)
        return _html(file_page_html(view, token, towns), 200)

    @router.get("/akte/{case_id}/dokumente/{name}", response_model=None)
    async def file_document(
        case_id: str, name: str, token: str | None = None
    ) -> HTMLResponse | StreamingResponse:
        """One document of the file as a download (logged first)."""
        view = await _applicant_view(runtime, case_id, token)
        if view is None or token is None:
            return _html(not_found_page(), 404)
        return await download_document(runtime, view, name, None) or _html(
            document_missing_page(view.case_id, token), 404
        )

    return router


def api(runtime: Runtime) -> APIRouter:
    """The clerks' JSON routes."""
    router = APIRouter(prefix="/api/v1", tags=["archive"], route_class=JsonRoute)

    @router.get("/files/{case_id}/inspection", responses=error_responses(401, 403, 404, 422, 503))
    async def clerk_inspection(case_id: UUID, identity: InspectingClerk) -> Any:
        """A filed case for a clerk of a town entitled to it (the access is logged)."""
        view = await inspection.file_view(runtime, case_id)
        if view is None:
            return problem(404, "Nicht gefunden.", "Dieser Vorgang ist nicht zur Akte genommen.")
        inspector = inspector_of(identity)
        if not clerk_may_inspect(inspector, view.entitled_towns, view.procedure):
            return problem(403, "Keine Berechtigung.", NOT_ENTITLED)
        await inspection.record_access(runtime, view, THE_FILE, inspector.clerk)
        return file_json(view)

    @router.get(
        "/files/{case_id}/inspection/documents/{name}",
        responses=error_responses(401, 403, 404, 422, 503),
        response_model=None,
    )
    async def clerk_document(case_id: UUID, name: str, identity: InspectingClerk) -> Any:
        """One document of a filed case, for a clerk of an entitled town (logged first)."""
        view = await inspection.file_view(runtime, case_id)
        if view is None:
            return problem(404, "Nicht gefunden.", "Dieser Vorgang ist nicht zur Akte genommen.")
        inspector = inspector_of(identity)
        if not clerk_may_inspect(inspector, view.entitled_towns, view.procedure):
            return problem(403, "Keine Berechtigung.", NOT_ENTITLED)
        found = await download_document(runtime, view, name, inspector)
        return found or problem(404, "Nicht gefunden.", "Dieses Dokument ist nicht verfügbar.")

    return router


async def _applicant_view(
    runtime: Runtime, case_id: str, token: str | None
) -> inspection.FileView | None:
    """The file, if the token is the applicant's; ``None`` for anything else alike."""
    try:
        parsed = UUID(case_id)
    except ValueError:
        return None
    view = await inspection.file_view(runtime, parsed)
    if view is None or not applicant_token_valid(view.tracking_digest, token):
        return None
    return view


async def download_document(
    runtime: Runtime, view: inspection.FileView, name: str, inspector: Inspector | None
) -> StreamingResponse | None:
    """The document as an attachment nobody keeps or renders in place, its access logged
    first (``inspector``: the clerk; ``None``: the applicant); ``None`` if missing."""
    document = inspection.document_named(view, name) if document_name_acceptable(name) else None
    if document is None:
        return None
    clerk = inspector.clerk if inspector else None
    await inspection.record_access(runtime, view, document.filename, clerk)
    try:
        chunks = await inspection.open_document(runtime, document)
    except inspection.DocumentMissing:
        return None
    return StreamingResponse(
        _each(chunks),
        media_type=document.content_type,
        headers={
            "Content-Disposition": attachment_disposition(document.filename),
            "Content-Length": str(sum(len(c) for c in chunks)),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Referrer-Policy": "no-referrer",
        },
    )


def _each(chunks: list[bytes]) -> Iterator[bytes]:
    yield from chunks


def attachment_disposition(filename: str) -> str:
    """``attachment`` with the file name in both forms (RFC 6266): plain ASCII and UTF-8."""
    plain = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def inspector_of(identity: Identity) -> Inspector:
    """The signed-in clerk as the entitlement rule and the access log see them."""
    return Inspector(
        subject=identity.subject,
        name=identity.name,
        roles=identity.roles,
        towns=identity.towns,
        procedures=identity.procedures,
    )


def _html(body: str, status: int) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def file_json(view: inspection.FileView) -> dict[str, Any]:
    """The file as a clerk's program reads it."""
    base = f"/api/v1/files/{view.case_id}/inspection/documents"
    return {
        "case_id": str(view.case_id),
        "town": view.tenant,
        "file_reference": view.file_reference,
        "procedure": view.procedure,
        "procedure_title": view.procedure_title,
        "filed_at": view.filed_at.isoformat(),
        "retain_until": view.retain_until.isoformat(),
        "intact": view.intact,
        "erased": view.erased,
        "entries": [{"at": e.at.isoformat(), "text": e.text} for e in view.entries],
        "documents": [
            {
                "filename": d.filename,
                "kind": d.kind,
                "content_type": d.content_type,
                "size": d.size,
                "sha256": d.sha256,
                "issued_at": d.issued_at.isoformat(),
                "download_url": f"{base}/{quote(d.filename, safe='')}",
            }
            for d in view.documents
        ],
        "accesses": [
            {
                "at": a.at.isoformat(),
                "by": a.by,
                "clerk": a.clerk.model_dump(exclude={"email"}) if a.clerk else None,
                "what": a.what,
            }
            for a in view.accesses
        ],
    }
