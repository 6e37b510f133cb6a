"""intake's upload route: one file for an application still being filled in (multipart)."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from contracts.events.intake import AttachmentRef
from contracts.procedures import procedure as definition_of
from runtime.datakeys import KeyErased
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.http import error_responses, problem, unavailable
from runtime.ids import new_id
from runtime.service import Runtime
from services.intake import commands, upload_store, uploads
from services.intake.api.common import Ags, Offers, ProcedureId
from services.intake.api.schemas import UploadAccepted

log = structlog.get_logger(__name__)

NOT_STORED = "Die Datei wurde nicht gespeichert. Bitte laden Sie sie erneut hoch."

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


def router(runtime: Runtime, offered: Offers) -> APIRouter:
    """The upload route, bound to the running service."""
    api = APIRouter(prefix="/api/v1", tags=["intake"])

    @api.post(
        "/towns/{ags}/procedures/{procedure}/attachments",
        status_code=201,
        response_model=UploadAccepted,
        responses=error_responses(404, 409, 413, 415, 422, 503),
        openapi_extra=UPLOAD_BODY,
    )
    async def upload(
        ags: Ags,
        procedure: ProcedureId,
        request: Request,
        idempotency_key: Annotated[
            str,
            Header(
                alias="Idempotency-Key",
                min_length=1,
                max_length=200,
                description="Der Idempotency-Key des Antrags, zu dem die Datei gehört.",
            ),
        ],
    ) -> Any:
        """Store one file (field ``file``) for the application with this Idempotency-Key.

        The answer's ``attachment_id`` goes into the application's ``attachments`` when it is
        submitted. Files never submitted are removed after a day.
        """
        found = await offered(ags, procedure)
        if isinstance(found, JSONResponse):
            return found
        try:
            return await store(ags, procedure, request, idempotency_key)
        except uploads.UploadRefused as refused:
            title = {413: "Die Datei ist zu groß.", 415: "Dieser Dateityp ist nicht erlaubt."}
            return problem(
                refused.status, title.get(refused.status, "Datei abgelehnt."), refused.message
            )
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning("upload during an outage", error=f"{type(exc).__name__}: {exc}")
            return unavailable(
                "Die Datei wurde nicht gespeichert. Bitte laden Sie sie erneut hoch."
            )

    async def store(ags: str, procedure: str, request: Request, key: str) -> Any:
        rule = definition_of(procedure).attachments
        application_id = commands.application_id_for(ags, procedure, key)
        if await upload_store.count(runtime.pool, application_id) >= rule.max_count:
            return problem(
                422,
                "Zu viele Dateien.",
                f"Zu einem Antrag gehören höchstens {rule.max_count} Dateien.",
            )
        try:
            data_key = await runtime.keys.create(str(application_id))
        except KeyErased:
            return problem(
                409,
                "Konflikt mit dem aktuellen Stand.",
                "Die Daten dieses Antrags sind gelöscht. Bitte beginnen Sie einen neuen Antrag.",
            )
        attachment_id = new_id()
        name = f"{application_id}/{attachment_id}"
        received = await uploads.receive(request, rule, data_key, name)
        try:
            await runtime.attachments.put(name, received.spool)  # type: ignore[arg-type]
        finally:
            received.spool.close()
        reference = AttachmentRef(
            attachment_id=str(attachment_id),
            filename=received.filename,
            content_type=received.content_type,
            size=received.size,
            sha256=received.sha256,
        )
        await upload_store.record(
            runtime.pool,
            attachment_id=attachment_id,
            application_id=application_id,
            tenant=ags,
            procedure=procedure,
            object_name=name,
            reference=reference,
        )
        return UploadAccepted(
            attachment_id=attachment_id,
            filename=reference.filename,
            content_type=reference.content_type,
            size=reference.size,
            sha256=reference.sha256,
        )

    return api
