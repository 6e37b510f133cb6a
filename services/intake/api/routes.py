"""intake's HTTP API: thin routes that validate, call one handler, and answer in German.

Submissions during an outage: without NATS intake answers 503 with ``Retry-After`` and keeps
nothing, rather than accepting the application into an outbox of its own and publishing it
later. Accepting means sealing: the application's personal data is encrypted with a data key
created in NATS (the key bucket), and its attachments are stored in NATS (the object store),
so without NATS there is nothing an outbox could safely hold. The citizen's program sends the
same request again; with the same ``Idempotency-Key`` that can never make a second
application.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import structlog
from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from contracts.events.intake import AttachmentRef
from contracts.procedures import procedure as procedure_definition
from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.http import (
    CONFIRM,
    MESSAGES,
    FieldError,
    JsonRoute,
    body_limit,
    error_responses,
    problem,
    unavailable,
    validation_response,
)
from runtime.ids import new_id
from runtime.service import Runtime
from services.intake import commands, queries, upload_store
from services.intake.api.common import Ags, Offers, ProcedureId, town_unknown
from services.intake.api.schemas import (
    ApplicationAccepted,
    ApplicationRequest,
    ApplicationStatus,
    ProcedureInfo,
)
from services.intake.domain.application import contact_of
from services.intake.domain.checks import Checked, Town, check_application
from services.intake.ratelimits import Refused, SubmissionLimits
from services.intake.settings import IntakeSettings
from services.intake.status_view import Untracked, tracked_status

log = structlog.get_logger(__name__)


IDEMPOTENCY_KEY = (
    "Ein Schlüssel, den das sendende Programm für jeden neuen Antrag neu wählt (z. B. eine "
    "UUID) und bei jeder Wiederholung desselben Antrags unverändert mitsendet. Dieselbe "
    "Gemeinde, dasselbe Verfahren und derselbe Schlüssel ergeben immer denselben Antrag: eine "
    "Wiederholung mit demselben Inhalt wird mit 200 und der Vorgangsnummer des ersten Versuchs "
    "beantwortet, mit anderem Inhalt mit 409. Schlüssel verfallen nicht: die Vorgangsnummer "
    "wird aus Gemeinde, Verfahren und Schlüssel abgeleitet, und der Antrag bleibt im "
    "Ereignisprotokoll, solange es besteht (also weit länger als 24 Stunden). Ohne diesen "
    "Header ist jede Einreichung ein neuer Antrag (201), auch bei gleichem Inhalt."
)

NOT_SAVED = (
    "Ihr Antrag wurde nicht gespeichert. Bitte senden Sie ihn in einigen Sekunden erneut – "
    "mit demselben Idempotency-Key entsteht dabei kein zweiter Antrag."
)
"""What a citizen's program shows when a submission meets an outage (503)."""


def router(runtime: Runtime, settings: IntakeSettings) -> APIRouter:
    """The routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1", tags=["intake"], route_class=JsonRoute)
    catalogue = queries.CatalogueCache(lambda: runtime.pool)
    limits = SubmissionLimits(settings.rate_limit_per_client, settings.rate_limit_per_recipient)

    offered = Offers(catalogue)

    @api.get("/towns", responses=error_responses(503))
    async def towns() -> list[dict[str, Any]]:
        """The member towns and the procedures each offers."""
        return await queries.list_towns(runtime.pool)

    @api.get(
        "/towns/{ags}/procedures",
        response_model=list[ProcedureInfo],
        responses=error_responses(404, 422, 503),
    )
    async def procedures(ags: Ags) -> Any:
        """The procedures a town offers online."""
        if await catalogue.town(ags) is None:
            return town_unknown(ags)
        rows = await runtime.pool.fetch(
            "SELECT p.*, f.amount FROM rm_catalogue.procedures p LEFT JOIN rm_catalogue.fees f"
            " USING (ags, procedure) WHERE p.ags = $1 ORDER BY p.procedure",
            ags,
        )
        return [_procedure_info(ags, dict(row.items())) for row in rows]

    @api.get("/towns/{ags}/procedures/{procedure}/form", responses=error_responses(404, 422, 503))
    async def form(ags: Ags, procedure: ProcedureId) -> Any:
        """Everything the widget renders the form from: one definition, also the server's.

        The JSON Schema carries titles, help texts, order, groups (nested objects) and the
        ``x-`` annotations (``contracts.procedures.base``); ``messages`` are the German texts
        of the checks a browser can make itself — the rest it asks ``…/form/check``.
        """
        found = await offered(ags, procedure)
        if isinstance(found, JSONResponse):
            return found
        definition = procedure_definition(procedure)
        rule = definition.attachments
        town = await catalogue.town(ags) or {}
        return {
            "procedure": procedure,
            "form_version": found["form_version"],
            "title": definition.title,
            "description": definition.short_description,
            "have_at_hand": list(definition.have_at_hand),
            "legal_basis": definition.legal_basis,
            "town": {
                "ags": ags,
                "name": town.get("name"),
                "official_name": town.get("official_name"),
            },
            "competent_office": found["competent_office"],
            "fee_hint": found["fee_hint"] or fee_in_words(found["amount"]),
            "contact": found["contact"],
            "opening_hours": found["opening_hours"],
            "schema": definition.form(found["form_version"]).model_json_schema(),
            "attachments": {
                "max_count": rule.max_count,
                "max_bytes": rule.max_bytes,
                "content_types": sorted(rule.content_types),
                "hint": rule.hint,
            },
            "messages": CLIENT_MESSAGES,
        }

    @api.post(
        "/towns/{ags}/procedures/{procedure}/form/check",
        responses=error_responses(404, 413, 415, 422, 503),
    )
    @body_limit(settings.max_application_bytes)
    async def check(ags: Ags, procedure: ProcedureId, body: ApplicationRequest) -> Any:
        """Check a form as a submission would, storing nothing (the widget asks before it sends).

        200 with ``{"valid": true}``, or 422 with a German message per field.
        """
        found = await offered(ags, procedure)
        if isinstance(found, JSONResponse):
            return found
        checked = await checked_application(ags, procedure, found["form_version"], body)
        if isinstance(checked, list):
            return validation_response(checked)
        return {"valid": True}

    async def checked_application(
        ags: str, procedure: str, version: int, body: ApplicationRequest
    ) -> Checked | list[FieldError]:
        members = await catalogue.towns()
        town = members.get(ags) or Town(ags, ags, None)
        return check_application(
            procedure_definition(procedure), version, body.form, body.attachments, town, members
        )

    @api.post(
        "/towns/{ags}/procedures/{procedure}/applications",
        status_code=201,
        response_model=ApplicationAccepted,
        responses={
            200: {
                "model": ApplicationAccepted,
                "description": "Mit diesem Idempotency-Key schon eingereicht: derselbe Antrag.",
            },
            201: {"description": "Der Antrag ist eingegangen."},
            **error_responses(404, 409, 413, 415, 422, 429, 503),
        },
    )
    @body_limit(settings.max_application_bytes)
    async def submit(
        ags: Ags,
        procedure: ProcedureId,
        body: ApplicationRequest,
        request: Request,
        response: Response,
        idempotency_key: Annotated[
            str | None,
            Header(
                alias="Idempotency-Key",
                min_length=1,
                max_length=200,
                description=IDEMPOTENCY_KEY,
            ),
        ] = None,
    ) -> Any:
        """Submit an application. Send an ``Idempotency-Key`` so a retry never makes two.

        Without NATS nothing can be sealed: a 503 at once while the connection is known to
        be down, and a 503 when NATS or PostgreSQL fails underway (see the module's note).
        """
        try:
            return await accept(ags, procedure, body, request, response, idempotency_key)
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning("submission during an outage", error=f"{type(exc).__name__}: {exc}")
            return unavailable(NOT_SAVED)

    async def accept(
        ags: str,
        procedure: str,
        body: ApplicationRequest,
        request: Request,
        response: Response,
        idempotency_key: str | None,
    ) -> Any:
        found = await offered(ags, procedure)
        if isinstance(found, JSONResponse):
            return found
        version = found["form_version"]
        checked = await checked_application(ags, procedure, version, body)
        if isinstance(checked, list):
            return validation_response(checked)
        form = checked.form
        if body.attachments and not idempotency_key:
            return validation_response([NEEDS_KEY])
        contact = contact_of(procedure, form)
        refused = await limits.admit(
            request.client.host if request.client else "unknown",
            contact.email if contact else "",
        )
        if refused is not None:
            return too_many(refused)
        if not runtime.nats_connected:
            return unavailable(NOT_SAVED)
        raw = body.model_dump(mode="json")
        base = settings.public_base_url
        correlation_id = new_id()
        structlog.contextvars.bind_contextvars(tenant=ags, correlation_id=str(correlation_id))
        # Without a key, every submission is a new application: a citizen who applies twice
        # on purpose must not be told the second one was the first.
        key = idempotency_key or str(new_id())
        application_id = commands.application_id_for(ags, procedure, key)
        files = await upload_store.lookup(runtime.pool, application_id, body.attachments)
        if files and isinstance(files[0], FieldError):
            return validation_response([f for f in files if isinstance(f, FieldError)])
        try:
            result = await commands.submit(
                runtime,
                settings,
                tenant=ags,
                town_name=(await catalogue.town(ags) or {}).get("name", ags),
                procedure=procedure,
                form_version=version,
                form=form,
                attachments=[f for f in files if isinstance(f, AttachmentRef)],
                idempotency_key=key,
                body_hash=commands.content_hash(raw),
                correlation_id=correlation_id,
                base_url=base,
            )
        except commands.ApplicationErased:
            return problem(
                409,
                "Konflikt mit dem aktuellen Stand.",
                "Ein Antrag mit diesem Idempotency-Key wurde bereits eingereicht, und seine "
                "Daten sind inzwischen gelöscht. Bitte reichen Sie den Antrag mit einem neuen "
                "Idempotency-Key ein.",
            )
        except commands.SubmittedDifferently:
            return problem(
                409,
                "Konflikt mit dem aktuellen Stand.",
                "Mit diesem Idempotency-Key wurde bereits ein Antrag mit anderen "
                "Angaben eingereicht.",
            )
        if body.attachments:
            await upload_store.mark_submitted(runtime.pool, result.application_id)
        if result.repeated:
            response.status_code = 200
        return ApplicationAccepted(
            application_id=result.application_id,
            case_number=result.case_number,
            status_url=commands.status_url(base, settings.tracking_key, result.application_id),
            status_page_url=commands.status_page_url(
                base, settings.tracking_key, result.application_id
            ),
            message=accepted_message(result.case_number, contact is not None),
        )

    @api.get(
        "/applications/{application_id}",
        response_model=ApplicationStatus,
        responses=error_responses(404, 422, 503),
    )
    async def status(application_id: UUID, token: Annotated[str, Query(min_length=1)]) -> Any:
        """An application's status and timeline, for whoever holds the tracking link."""
        found = await tracked_status(runtime, settings, application_id, token)
        if found is Untracked.NOT_FOUND:
            return problem(
                404,
                "Antrag nicht gefunden.",
                "Bitte prüfen Sie den Link aus Ihrer Eingangsbestätigung.",
            )
        if found is Untracked.NOT_VISIBLE_YET:
            return problem(
                404,
                "Antrag noch nicht sichtbar.",
                "Ihr Antrag ist eingegangen und erscheint in wenigen Sekunden hier.",
            )
        return found

    return api


TOO_MANY = {
    "client": "Von Ihrem Anschluss wurden in kurzer Zeit sehr viele Anträge gesendet.",
    "recipient": "An diese E-Mail-Adresse wurden in kurzer Zeit sehr viele Anträge gerichtet.",
}


def too_many(refused: Refused) -> JSONResponse:
    """The German 429, with when to try again."""
    response = problem(
        429,
        "Zu viele Anträge in kurzer Zeit.",
        f"{TOO_MANY[refused.reason]} Bitte versuchen Sie es in {refused.retry_after} Sekunden"
        " erneut. Ihr Antrag wurde nicht gespeichert.",
    )
    response.headers["Retry-After"] = str(refused.retry_after)
    return response


CLIENT_MESSAGES = {
    "confirm": CONFIRM,
    **{
        kind: MESSAGES[kind]
        for kind in (
            "missing",
            "string_too_short",
            "string_too_long",
            "string_pattern_mismatch",
            "greater_than_equal",
            "less_than_equal",
            "greater_than",
            "less_than",
            "date_parsing",
            "float_parsing",
            "int_parsing",
            "literal_error",
        )
    },
}
"""The German messages of the checks the widget makes in the browser (the server's own;
``confirm`` is what the server says of a declaration left unticked)."""


def accepted_message(case_number: str | None, mailed: bool) -> str:
    """What a citizen reads once the application is in — promising only what will come."""
    number = f" unter der Vorgangsnummer {case_number}" if case_number else ""
    mail = " Eine Eingangsbestätigung erhalten Sie per E-Mail." if mailed else ""
    return f"Ihr Antrag ist{number} eingegangen.{mail}"


NEEDS_KEY = FieldError(
    field="attachments",
    message="Dateien gehören zu einem Antrag über seinen Idempotency-Key: bitte senden Sie "
    "ihn mit, so wie beim Hochladen der Dateien.",
    type="idempotency_key_missing",
)


def _procedure_info(ags: str, row: dict[str, Any]) -> ProcedureInfo:
    definition = procedure_definition(row["procedure"])
    return ProcedureInfo(
        procedure=row["procedure"],
        title=definition.title,
        description=definition.short_description,
        have_at_hand=list(definition.have_at_hand),
        fee_hint=row["fee_hint"] or fee_in_words(row["amount"]),
        competent_office=row["competent_office"],
        contact=row["contact"],
        opening_hours=row["opening_hours"],
        form_version=row["form_version"],
        form_url=f"/api/v1/towns/{ags}/procedures/{row['procedure']}/form",
    )


def fee_in_words(amount: Decimal | None) -> str | None:
    """``Gebühr: 26,00 €`` — a schedule's fee as the catalogue shows it."""
    if amount is None:
        return None
    return f"Gebühr: {amount:.2f} €".replace(".", ",")
