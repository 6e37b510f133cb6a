"""A case at the desk: reading it (now or as it was), its files, and every clerk's command.

``GET  /api/v1/desk/cases/{id}[?as_of=…]``          the case (time travel: ``as_of``)
``GET  /api/v1/desk/cases/{id}/files/{name}``        an attachment or the decision letter
``POST /api/v1/desk/cases/{id}/{command}``           claim, release, reassign, request-information,
                                                     hearings, overrule, decide, confirm,
                                                     status-report, move

The commands are ``services.casework.commands`` (the desk's pages use the same); a refusal
changes nothing: 404 for a case that is none of the caller's business, 403 for a role or town
they lack, 409 for a conflict with the case's state (claimed by someone else, already
decided, changed since ``expected_version``), 422 at the field for unfit input.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from contracts.base import DomainEvent
from contracts.events.casework import Clerk
from runtime.http import JsonRoute, error_responses, problem
from runtime.service import Runtime
from services.casework.api.common import (
    DeskClerk,
    SupervisorOrOperator,
    forbidden,
    not_found,
    refused,
)
from services.casework.api.schemas import (
    Acted,
    AnswerHearing,
    CaseOut,
    Command,
    Confirm,
    Decide,
    Move,
    Overrule,
    Reassign,
    ReportStatus,
    RequestHearing,
    RequestInformation,
    case_out,
)
from services.casework.commands import DeskCommands, FileGone, Forbidden
from services.casework.desk import CaseNotFound
from services.casework.domain.refusals import Refused

COMMAND_ERRORS = error_responses(401, 403, 404, 409, 413, 415, 422, 503)


def router(runtime: Runtime) -> APIRouter:
    """The case routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1/desk/cases", tags=["desk"], route_class=JsonRoute)
    commands = DeskCommands(runtime)

    async def acted(case_id: UUID, run: Callable[[], Awaitable[list[DomainEvent]]]) -> Any:
        try:
            events = await run()
            version = await commands.version(case_id)
        except CaseNotFound:
            return not_found()
        except Forbidden as exc:
            return forbidden(str(exc))
        except Refused as refusal:
            return refused(refusal)
        return Acted(case_id=case_id, events=[e.type_name for e in events], version=version)

    @api.get(
        "/{case_id}", response_model=CaseOut, responses=error_responses(401, 403, 404, 422, 503)
    )
    async def read(clerk: DeskClerk, case_id: UUID, as_of: datetime | None = None) -> Any:
        """The case with its data, files, history and automated reasons — or as it was at
        ``as_of`` (what the clerk saw then)."""
        try:
            return case_out(await commands.view(clerk, case_id, as_of))
        except CaseNotFound:
            return not_found()

    @api.get(
        "/{case_id}/files/{name}",
        response_class=Response,
        responses={
            200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}},
            **error_responses(401, 403, 404, 409, 503),
        },
    )
    async def file(clerk: DeskClerk, case_id: UUID, name: str) -> Any:
        """An attachment of the case (by its id) or its decision letter (``bescheid``):
        PDFs and images to be shown inline, anything else to download."""
        try:
            found = await commands.file(clerk, case_id, name)
        except CaseNotFound:
            return not_found()
        except FileGone:
            return problem(404, "Datei gelöscht.", "Die personenbezogenen Daten wurden gelöscht.")
        except Refused as refusal:
            return refused(refusal)
        if found is None:
            return problem(404, "Datei nicht gefunden.", "Diese Datei gehört nicht zum Vorgang.")
        disposition = "inline" if found.inline else "attachment"
        return Response(
            found.content,
            media_type=found.content_type,
            headers={
                "Content-Disposition": (
                    f"{disposition}; filename*=UTF-8''{quote(found.filename, safe='')}"
                ),
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )

    @api.post("/{case_id}/claim", response_model=Acted, responses=COMMAND_ERRORS)
    async def claim(clerk: DeskClerk, case_id: UUID, body: Command | None = None) -> Any:
        """Take the case from the queue (a supervisor may take over an old claim)."""
        version = body.expected_version if body else None
        return await acted(case_id, lambda: commands.claim(clerk, case_id, version))

    @api.post("/{case_id}/release", response_model=Acted, responses=COMMAND_ERRORS)
    async def release(clerk: DeskClerk, case_id: UUID, body: Command | None = None) -> Any:
        """Give the case back to the queue."""
        version = body.expected_version if body else None
        return await acted(case_id, lambda: commands.release(clerk, case_id, version))

    @api.post("/{case_id}/reassign", response_model=Acted, responses=COMMAND_ERRORS)
    async def reassign(clerk: DeskClerk, case_id: UUID, body: Reassign) -> Any:
        """A supervisor gives the case to another clerk entitled to it."""
        to = Clerk(**body.to.model_dump())
        return await acted(
            case_id,
            lambda: commands.reassign(clerk, case_id, to, body.reason, body.expected_version),
        )

    @api.post("/{case_id}/request-information", response_model=Acted, responses=COMMAND_ERRORS)
    async def request_information(clerk: DeskClerk, case_id: UUID, body: RequestInformation) -> Any:
        """Ask the applicant (answered on the tracking page or in the widget)."""
        return await acted(
            case_id,
            lambda: commands.request_information(
                clerk, case_id, body.question, body.due, body.expected_version
            ),
        )

    @api.post("/{case_id}/hearings", response_model=Acted, responses=COMMAND_ERRORS)
    async def request_hearing(
        clerk: DeskClerk, case_id: UUID, body: RequestHearing, request: Request
    ) -> Any:
        """Hear a body the competent town names (its deadline: the town's, unless given)."""
        return await acted(
            case_id,
            lambda: commands.request_hearing(
                clerk,
                case_id,
                body.body,
                body.subject,
                body.due,
                str(request.base_url),
                body.expected_version,
            ),
        )

    @api.post(
        "/{case_id}/hearings/{hearing_id}/answer", response_model=Acted, responses=COMMAND_ERRORS
    )
    async def answer_hearing(
        clerk: DeskClerk, case_id: UUID, hearing_id: UUID, body: AnswerHearing
    ) -> Any:
        """Record a body's answer that came by letter or phone."""
        return await acted(
            case_id,
            lambda: commands.answer_hearing(
                clerk,
                case_id,
                hearing_id,
                body.verdict,
                body.statement,
                body.conditions,
                body.expected_version,
            ),
        )

    @api.post("/{case_id}/overrule", response_model=Acted, responses=COMMAND_ERRORS)
    async def overrule(clerk: DeskClerk, case_id: UUID, body: Overrule) -> Any:
        """Set a failed automated rule aside, with a reason."""
        return await acted(
            case_id,
            lambda: commands.overrule(
                clerk, case_id, body.rule, body.reason, body.expected_version
            ),
        )

    @api.post("/{case_id}/decide", response_model=Acted, responses=COMMAND_ERRORS)
    async def decide(clerk: DeskClerk, case_id: UUID, body: Decide) -> Any:
        """Approve with conditions or reject with reasons, in the competent town's name."""
        return await acted(
            case_id,
            lambda: commands.decide(
                clerk,
                case_id,
                body.outcome,
                body.conditions,
                body.reasons,
                body.fee,
                body.expected_version,
            ),
        )

    @api.post("/{case_id}/confirm", response_model=Acted, responses=COMMAND_ERRORS)
    async def confirm(clerk: DeskClerk, case_id: UUID, body: Confirm | None = None) -> Any:
        """Confirm the decision the automated check prepared."""
        given = body or Confirm()
        return await acted(
            case_id, lambda: commands.confirm(clerk, case_id, given.fee, given.expected_version)
        )

    @api.post("/{case_id}/status-report", response_model=Acted, responses=COMMAND_ERRORS)
    async def status_report(clerk: DeskClerk, case_id: UUID, body: ReportStatus) -> Any:
        """Tell the applicant how things stand (a defect report)."""
        return await acted(
            case_id,
            lambda: commands.report_status(
                clerk, case_id, body.status, body.note, body.expected_version
            ),
        )

    @api.post("/{case_id}/move", response_model=Acted, responses=COMMAND_ERRORS)
    async def move(identity: SupervisorOrOperator, case_id: UUID, body: Move) -> Any:
        """Let other towns process an open case (after a new delegation): the competent
        town's supervisor, or an operator; recorded with the reason."""
        return await acted(
            case_id,
            lambda: commands.move(
                identity, case_id, body.processing_towns, body.reason, body.expected_version
            ),
        )

    return api
