"""A case at the desk: reading it (now or as it was), its files, and every clerk's command.

``GET  /api/v1/desk/cases/{id}[?as_of=…]``          the case (time travel: ``as_of``)
``GET  /api/v1/desk/cases/{id}/files/{attachment}``  an attachment or the decision letter
``POST /api/v1/desk/cases/{id}/{command}``           claim, release, reassign, request-information,
                                                     hearings, overrule, decide, confirm,
                                                     status-report, move

Every command decides on the case's current state (its events) and names the acting clerk;
a refusal changes nothing: 409 for a conflict with the case's state (claimed by someone else,
already decided, changed since ``expected_version``), 422 at the field for unfit input.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from contracts.calendar import german_date
from contracts.events.casework import Clerk
from contracts.naming import Service
from runtime.auth import Identity
from runtime.documents import DocumentUnreadable, decrypt
from runtime.eventstore import AggregateRef
from runtime.http import JsonRoute, error_responses, problem
from runtime.ids import new_id
from runtime.service import Runtime
from services.casework import case_view, towns
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
from services.casework.clerks import clerk_of, handles, is_supervisor, may_agree_for
from services.casework.desk import Action, CaseNotFound, Desk, LoadedCase
from services.casework.domain import clerk_actions
from services.casework.domain.case import Case
from services.casework.domain.deadlines import add_working_days
from services.casework.domain.refusals import Refused

COMMAND_ERRORS = error_responses(401, 403, 404, 409, 413, 415, 422, 503)
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


def application_ref(tenant: str, application_id: UUID) -> AggregateRef:
    """Where intake keeps an application's events (read from its log, as every service may)."""
    return AggregateRef(Service.INTAKE, tenant, "application", str(application_id))


async def view_of(runtime: Runtime, loaded: LoadedCase, as_of: datetime | None) -> CaseOut:
    """The case as the clerk reads it, from both histories."""
    tenant = loaded.ref.tenant
    application = loaded.case.objection_to or loaded.case.case_id
    assert application is not None
    intake = await runtime.store.load(application_ref(tenant, application))
    view = case_view.build(loaded.case.case_id, loaded.events, intake.events, as_of)  # type: ignore[arg-type]
    return case_out(view)


def hearing_link(runtime: Runtime, request: Request, case_id: UUID, hearing_id: UUID) -> str:
    """The heard body's secret link to answer (its token lives only in the sealed event)."""
    base = runtime.settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    token = secrets.token_urlsafe(32)
    return f"{base}/anhoerung/{case_id}/{hearing_id}?t={token}"


def router(runtime: Runtime) -> APIRouter:
    """The case routes, bound to the running service."""
    api = APIRouter(prefix="/api/v1/desk/cases", tags=["desk"], route_class=JsonRoute)
    desk = Desk(runtime)

    async def act(
        identity: Identity,
        case_id: UUID,
        command: Command,
        action: Action,
        *,
        entitled: Any = None,
    ) -> Any:
        actor = (
            clerk_actions.actor(clerk_of(identity)) if identity.towns else identity.operator_actor
        )
        try:
            events = await desk.act(
                identity,
                case_id,
                action,
                actor=actor,
                expected_version=command.expected_version,
                entitled=entitled,
            )
            version = (await desk.load(case_id)).case.version
        except CaseNotFound:
            return not_found()
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
            loaded = await desk.load_for(clerk, case_id)
        except CaseNotFound:
            return not_found()
        if as_of is not None and as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=UTC)
        return await view_of(runtime, loaded, as_of)

    @api.get(
        "/{case_id}/files/{name}",
        response_class=Response,
        responses={
            200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}},
            **error_responses(401, 403, 404, 503),
        },
    )
    async def file(clerk: DeskClerk, case_id: UUID, name: str) -> Any:
        """An attachment of the case (by its id) or its decision letter (``bescheid``), as
        stored: PDFs and images to be shown inline, anything else to download."""
        try:
            loaded = await desk.load_for(clerk, case_id)
        except CaseNotFound:
            return not_found()
        view = await view_of(runtime, loaded, None)
        found = [a for a in view.attachments if a.attachment_id == name]
        found += [a for r in view.requests for a in r.attachments if a.attachment_id == name]
        if found:
            ref = found[0]
            object_name, filename, content_type = (
                f"{loaded.data_key}/{ref.attachment_id}",
                ref.filename,
                ref.content_type,
            )
        elif name == "bescheid" and view.document is not None:
            doc = view.document
            object_name, filename, content_type = doc.object_name, doc.filename, doc.content_type
        else:
            return problem(404, "Datei nicht gefunden.", "Diese Datei gehört nicht zum Vorgang.")
        key = await runtime.keys.get(loaded.data_key)
        if key is None:
            return problem(410, "Gelöscht.", "Die personenbezogenen Daten wurden gelöscht.")
        try:
            stored = await runtime.attachments.get(object_name)
            content = decrypt(stored.data or b"", key, object_name)
        except DocumentUnreadable:
            return problem(409, "Datei unlesbar.", "Die Datei lässt sich nicht prüfen.")
        disposition = "inline" if content_type in INLINE_TYPES else "attachment"
        return Response(
            content,
            media_type=content_type,
            headers={
                "Content-Disposition": f"{disposition}; filename*=UTF-8''{_quoted(filename)}",
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )

    @api.post("/{case_id}/claim", response_model=Acted, responses=COMMAND_ERRORS)
    async def claim(clerk: DeskClerk, case_id: UUID, body: Command | None = None) -> Any:
        """Take the case from the queue (a supervisor may take over an old claim)."""
        me, now = clerk_of(clerk), datetime.now(UTC)
        config = await _config_for(desk, runtime, case_id)
        stale = timedelta(hours=config.stale_claim_hours) if config else timedelta(hours=72)
        return await act(
            clerk,
            case_id,
            body or Command(),
            lambda case: clerk_actions.claim(
                case, me, now, supervisor=is_supervisor(clerk), stale_after=stale
            ),
        )

    @api.post("/{case_id}/release", response_model=Acted, responses=COMMAND_ERRORS)
    async def release(clerk: DeskClerk, case_id: UUID, body: Command | None = None) -> Any:
        """Give the case back to the queue."""
        me, now = clerk_of(clerk), datetime.now(UTC)
        return await act(
            clerk,
            case_id,
            body or Command(),
            lambda case: clerk_actions.release(case, me, now, supervisor=is_supervisor(clerk)),
        )

    @api.post("/{case_id}/reassign", response_model=Acted, responses=COMMAND_ERRORS)
    async def reassign(clerk: DeskClerk, case_id: UUID, body: Reassign) -> Any:
        """A supervisor gives the case to another clerk entitled to it."""
        if not is_supervisor(clerk):
            return forbidden("Zuweisen dürfen nur Vorgesetzte.")
        me, now = clerk_of(clerk), datetime.now(UTC)
        to = Clerk(**body.to.model_dump())

        def action(case: Case) -> list[Any]:
            if to.town not in case.processing_towns:
                raise Refused.invalid(
                    "not_entitled", "Diese Person ist für den Vorgang nicht zuständig.", "to"
                )
            return clerk_actions.reassign(case, me, to, body.reason, now)

        return await act(clerk, case_id, body, action)

    @api.post("/{case_id}/request-information", response_model=Acted, responses=COMMAND_ERRORS)
    async def request_information(clerk: DeskClerk, case_id: UUID, body: RequestInformation) -> Any:
        """Ask the applicant (answered on the tracking page or in the widget)."""
        me, now, request_id = clerk_of(clerk), datetime.now(UTC), new_id()
        return await act(
            clerk,
            case_id,
            body,
            lambda case: clerk_actions.request_information(
                case, me, request_id, body.question, body.due, now
            ),
        )

    @api.post("/{case_id}/hearings", response_model=Acted, responses=COMMAND_ERRORS)
    async def request_hearing(
        clerk: DeskClerk, case_id: UUID, body: RequestHearing, request: Request
    ) -> Any:
        """Hear a body the competent town names (its deadline: the town's, unless given)."""
        config = await _config_for(desk, runtime, case_id)
        if config is None:
            return not_found()
        heard = config.bodies.get(body.body)
        if heard is None:
            return refused(
                Refused.invalid("unknown_body", "Diese Stelle ist nicht eingerichtet.", "body")
            )
        me, now, hearing_id = clerk_of(clerk), datetime.now(UTC), new_id()
        due = body.due or add_working_days(german_date(now), config.hearing_days)
        link = hearing_link(runtime, request, case_id, hearing_id)
        subject = body.subject.strip() or "Bitte um Stellungnahme zum beigefügten Antrag."
        return await act(
            clerk,
            case_id,
            body,
            lambda case: clerk_actions.request_hearing(
                case,
                me,
                hearing_id=hearing_id,
                body_id=body.body,
                body=heard,
                subject=subject,
                due=due,
                now=now,
                answer_url=link,
            ),
        )

    @api.post(
        "/{case_id}/hearings/{hearing_id}/answer", response_model=Acted, responses=COMMAND_ERRORS
    )
    async def answer_hearing(
        clerk: DeskClerk, case_id: UUID, hearing_id: UUID, body: AnswerHearing
    ) -> Any:
        """Record a body's answer that came by letter or phone."""
        actor, now = clerk_actions.actor(clerk_of(clerk)), datetime.now(UTC)
        return await act(
            clerk,
            case_id,
            body,
            lambda case: clerk_actions.answer_hearing(
                case,
                hearing_id,
                verdict=body.verdict,
                statement=body.statement,
                conditions=body.conditions,
                recorded_by=actor,
                now=now,
            ),
        )

    @api.post("/{case_id}/overrule", response_model=Acted, responses=COMMAND_ERRORS)
    async def overrule(clerk: DeskClerk, case_id: UUID, body: Overrule) -> Any:
        """Set a failed automated rule aside, with a reason."""
        me, now = clerk_of(clerk), datetime.now(UTC)
        return await act(
            clerk,
            case_id,
            body,
            lambda case: clerk_actions.overrule(case, me, body.rule, body.reason, now),
        )

    @api.post("/{case_id}/decide", response_model=Acted, responses=COMMAND_ERRORS)
    async def decide(clerk: DeskClerk, case_id: UUID, body: Decide) -> Any:
        """Approve with conditions or reject with reasons, in the competent town's name."""
        me, now = clerk_of(clerk), datetime.now(UTC)
        return await act(
            clerk,
            case_id,
            body,
            lambda case: clerk_actions.decide(
                case,
                me,
                outcome=body.outcome,
                conditions=body.conditions,
                reasons=body.reasons,
                fee=body.fee,
                now=now,
            ),
        )

    @api.post("/{case_id}/confirm", response_model=Acted, responses=COMMAND_ERRORS)
    async def confirm(clerk: DeskClerk, case_id: UUID, body: Confirm | None = None) -> Any:
        """Confirm the decision the automated check prepared."""
        me, now = clerk_of(clerk), datetime.now(UTC)
        fee = body.fee if body else None
        return await act(
            clerk,
            case_id,
            body or Confirm(),
            lambda case: clerk_actions.confirm_prepared(case, me, now, fee),
        )

    @api.post("/{case_id}/status-report", response_model=Acted, responses=COMMAND_ERRORS)
    async def status_report(clerk: DeskClerk, case_id: UUID, body: ReportStatus) -> Any:
        """Tell the applicant how things stand (a defect report)."""
        me, now = clerk_of(clerk), datetime.now(UTC)
        return await act(
            clerk,
            case_id,
            body,
            lambda case: clerk_actions.report_status(case, me, body.status, body.note, now),
        )

    @api.post("/{case_id}/move", response_model=Acted, responses=COMMAND_ERRORS)
    async def move(identity: SupervisorOrOperator, case_id: UUID, body: Move) -> Any:
        """Let other towns process an open case (after a new delegation): the competent
        town's supervisor, or an operator; recorded with the reason."""
        now = datetime.now(UTC)
        actor = (
            clerk_actions.actor(clerk_of(identity)) if identity.towns else identity.operator_actor
        )

        def entitled(case: Case) -> bool:
            return may_agree_for(identity, case.competent_town) and (
                not identity.towns or handles(identity, case.procedure) or is_supervisor(identity)
            )

        return await act(
            identity,
            case_id,
            body,
            lambda case: clerk_actions.move(case, body.processing_towns, actor, body.reason, now),
            entitled=entitled,
        )

    return api


async def _config_for(desk: Desk, runtime: Runtime, case_id: UUID) -> Any:
    """The competent town's casework settings for a case (``None``: no such case)."""
    try:
        loaded = await desk.load(case_id)
    except CaseNotFound:
        return None
    return await towns.configuration(runtime, loaded.case.competent_town)


def _quoted(filename: str) -> str:
    return quote(filename, safe="")
