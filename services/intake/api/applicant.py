"""The applicant's steps in the JSON API, behind the tracking token (the widget uses them).

``POST /api/v1/applications/{id}/attachments``               a file for an answer or objection
``POST /api/v1/applications/{id}/information/{request_id}``  answer a request for information
``POST /api/v1/applications/{id}/withdrawal``                withdraw, while not decided
``POST /api/v1/applications/{id}/objection``                 object to the decision
``GET  /api/v1/applications/{id}/decision-document``         the decision letter

Each needs the application's tracking token (``?token=``, as the status does): whoever holds
the link may act on it, nobody else — there is no cookie, so a foreign page cannot act with a
visitor's authority (no CSRF), and a browser may call only from the town's registered pages
(``origins``). A step sent again with the same ``Idempotency-Key`` is answered as the first
time (200); a step the case's state forbids is refused with 409 and the German reason.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import structlog
from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from runtime.http import (
    FieldError,
    JsonRoute,
    error_responses,
    problem,
    unavailable,
    validation_response,
)
from runtime.service import Runtime
from services.intake import applicant_commands, commands, queries, uploads
from services.intake.api.schemas import (
    AnswerRequest,
    ObjectionAccepted,
    ObjectionRequest,
    StepAccepted,
    UploadAccepted,
)
from services.intake.api.uploads import UPLOAD_BODY
from services.intake.applicant_commands import KeyReused
from services.intake.decision_documents import DocumentMissing, decision_document
from services.intake.domain.applicant_actions import CaseView, Refused
from services.intake.settings import IntakeSettings
from services.intake.status_view import Links, token_valid

log = structlog.get_logger(__name__)

Token = Annotated[
    str, Query(min_length=1, description="Das Token aus dem Link zum Stand des Antrags.")
]
STEP_KEY = (
    "Ein Schlüssel, den das sendende Programm für jeden neuen Schritt neu wählt und bei jeder "
    "Wiederholung unverändert mitsendet: eine Wiederholung mit demselben Inhalt wird mit 200 "
    "beantwortet wie beim ersten Mal. Pflicht, wenn Dateien dazugehören (sie wurden unter "
    "demselben Schlüssel hochgeladen)."
)
StepKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200, description=STEP_KEY)
]
NOT_SAVED = (
    "Ihre Angaben wurden nicht gespeichert. Bitte senden Sie sie in einigen Sekunden erneut."
)
STEP_ERRORS = error_responses(404, 409, 413, 415, 422, 503)
NEEDS_KEY = FieldError(
    field="attachments",
    message="Dateien gehören zu einer Antwort über ihren Idempotency-Key: bitte senden Sie "
    "ihn mit, so wie beim Hochladen der Dateien.",
    type="idempotency_key_missing",
)


def not_found() -> JSONResponse:
    """The same 404 for an unknown application and a wrong token."""
    return problem(
        404, "Antrag nicht gefunden.", "Bitte prüfen Sie den Link aus Ihrer Eingangsbestätigung."
    )


def refused(refusal: Refused) -> JSONResponse:
    """A rule's refusal: at its field (422), or the case's state forbids it (409)."""
    if refusal.status == 422:
        field = refusal.field or "(Anfrage)"
        return validation_response(
            [FieldError(field=field, message=refusal.message, type=refusal.rule)]
        )
    return problem(409, "Konflikt mit dem aktuellen Stand.", refusal.message)


def router(runtime: Runtime, settings: IntakeSettings) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1/applications", tags=["intake"], route_class=JsonRoute)

    async def tracked(
        application_id: UUID, token: str
    ) -> tuple[dict[str, Any], CaseView] | JSONResponse:
        if not token_valid(settings, application_id, token):
            return not_found()
        found = await queries.application_status(runtime.pool, application_id)
        if found is None:
            return problem(
                404,
                "Antrag noch nicht sichtbar.",
                "Ihr Antrag ist eingegangen und erscheint in wenigen Sekunden hier.",
            )
        return found, queries.case_view_of(found)

    @api.post(
        "/{application_id}/attachments",
        status_code=201,
        response_model=UploadAccepted,
        responses=error_responses(404, 409, 413, 415, 422, 503),
        openapi_extra=UPLOAD_BODY,
    )
    async def upload(
        application_id: UUID,
        token: Token,
        request: Request,
        idempotency_key: Annotated[
            str,
            Header(
                alias="Idempotency-Key",
                min_length=1,
                max_length=200,
                description="Der Idempotency-Key der Antwort oder des Widerspruchs, zu dem die "
                "Datei gehört.",
            ),
        ],
    ) -> Any:
        """Store one file (field ``file``) for an answer or objection with this key.

        The answer's ``attachment_id`` goes into that step's ``attachments``.
        """
        found = await tracked(application_id, token)
        if isinstance(found, JSONResponse):
            return found
        head, case = found
        try:
            stored = await applicant_commands.store_upload(
                runtime, head["tenant"], case, idempotency_key, request
            )
        except uploads.UploadRefused as refusal:
            title = {413: "Die Datei ist zu groß.", 415: "Dieser Dateityp ist nicht erlaubt."}
            return problem(
                refusal.status, title.get(refusal.status, "Datei abgelehnt."), refusal.message
            )
        except Refused as refusal:
            return refused(refusal)
        return UploadAccepted.model_validate(stored.model_dump())

    @api.post(
        "/{application_id}/information/{request_id}",
        status_code=201,
        response_model=StepAccepted,
        responses={
            200: {"model": StepAccepted, "description": "Schon beantwortet: dieselbe Antwort."},
            **STEP_ERRORS,
        },
    )
    async def answer(
        application_id: UUID,
        request_id: UUID,
        token: Token,
        body: AnswerRequest,
        response: Response,
        idempotency_key: StepKey = None,
    ) -> Any:
        """Answer a request for information (text, and files uploaded before)."""
        found = await tracked(application_id, token)
        if isinstance(found, JSONResponse):
            return found
        head, case = found
        if body.attachments and not idempotency_key:
            return validation_response([NEEDS_KEY])
        if not runtime.nats_connected:
            return unavailable(NOT_SAVED)
        files = await applicant_commands.uploaded(runtime, case, idempotency_key, body.attachments)
        if files and isinstance(files[0], FieldError):
            return validation_response([f for f in files if isinstance(f, FieldError)])
        try:
            done = await applicant_commands.answer(
                runtime,
                head["tenant"],
                case,
                request_id,
                body.answer,
                [f for f in files if not isinstance(f, FieldError)],
                idempotency_key,
                commands.content_hash(body.model_dump(mode="json")),
            )
        except Refused as refusal:
            return refused(refusal)
        if done.repeated:
            response.status_code = 200
        return StepAccepted(
            message="Ihre Antwort ist eingegangen. Die Sachbearbeitung wird sie prüfen.",
            status_url=Links(settings, application_id).api(),
        )

    @api.post(
        "/{application_id}/withdrawal",
        status_code=201,
        response_model=StepAccepted,
        responses={
            200: {"model": StepAccepted, "description": "Schon zurückgenommen."},
            **error_responses(404, 409, 422, 503),
        },
    )
    async def withdraw(
        application_id: UUID, token: Token, response: Response, idempotency_key: StepKey = None
    ) -> Any:
        """Withdraw the application (or the objection) while it is not decided."""
        found = await tracked(application_id, token)
        if isinstance(found, JSONResponse):
            return found
        head, case = found
        if not runtime.nats_connected:
            return unavailable(NOT_SAVED)
        try:
            done = await applicant_commands.withdraw(runtime, head["tenant"], case, idempotency_key)
        except Refused as refusal:
            return refused(refusal)
        if done.repeated:
            response.status_code = 200
        return StepAccepted(
            message=f"Ihr {case.what} ist zurückgenommen. Der Vorgang wird eingestellt.",
            status_url=Links(settings, application_id).api(),
        )

    @api.post(
        "/{application_id}/objection",
        status_code=201,
        response_model=ObjectionAccepted,
        responses={
            200: {
                "model": ObjectionAccepted,
                "description": "Schon eingelegt: derselbe Widerspruch.",
            },
            **STEP_ERRORS,
        },
    )
    async def objection(
        application_id: UUID,
        token: Token,
        body: ObjectionRequest,
        response: Response,
        idempotency_key: StepKey = None,
    ) -> Any:
        """Object to the decision (Widerspruch): a new case with its own Vorgangsnummer and
        its own tracking link."""
        found = await tracked(application_id, token)
        if isinstance(found, JSONResponse):
            return found
        head, case = found
        if body.attachments and not idempotency_key:
            return validation_response([NEEDS_KEY])
        if not runtime.nats_connected:
            return unavailable(NOT_SAVED)
        files = await applicant_commands.uploaded(runtime, case, idempotency_key, body.attachments)
        if files and isinstance(files[0], FieldError):
            return validation_response([f for f in files if isinstance(f, FieldError)])
        try:
            lodged = await applicant_commands.lodge_objection(
                runtime,
                head["tenant"],
                head["town_name"] or head["tenant"],
                case,
                body.grounds,
                [f for f in files if not isinstance(f, FieldError)],
                idempotency_key,
                commands.content_hash(body.model_dump(mode="json")),
            )
        except Refused as refusal:
            return refused(refusal)
        except KeyReused:
            return problem(
                409,
                "Konflikt mit dem aktuellen Stand.",
                "Mit diesem Idempotency-Key wurde bereits ein Widerspruch mit anderen Angaben "
                "eingelegt.",
            )
        if lodged.repeated:
            response.status_code = 200
        links = Links(settings, application_id)
        number = f" unter der Vorgangsnummer {lodged.case_number}" if lodged.case_number else ""
        return ObjectionAccepted(
            objection_id=lodged.objection_id,
            case_number=lodged.case_number,
            status_url=links.status_url(lodged.objection_id),
            status_page_url=links.status_page_url(lodged.objection_id),
            message=f"Ihr Widerspruch ist{number} eingegangen.",
        )

    @api.get(
        "/{application_id}/decision-document",
        response_class=Response,
        responses={
            200: {
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                "description": "Der Bescheid als Datei.",
            },
            **error_responses(404, 422, 503),
        },
    )
    async def document(application_id: UUID, token: Token) -> Any:
        """The decision letter (Bescheid), to download."""
        found = await tracked(application_id, token)
        if isinstance(found, JSONResponse):
            return found
        try:
            return await decision_document(runtime, application_id)
        except DocumentMissing as missing:
            return problem(404, "Bescheid nicht verfügbar.", missing.message)

    return api
