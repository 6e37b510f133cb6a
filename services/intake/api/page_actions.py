"""The status page's steps: answer a question, withdraw, object, download the decision.

Plain HTML forms and links, each authenticated by the tracking token in its address (as the
page itself): no cookie, no session, so nothing a foreign page could borrow (no CSRF); a
browser's ``Sec-Fetch-Site`` must moreover say the form came from intake's own page. A step
that succeeds answers ``303 See Other`` to the status page (a reload does not send it
again), once the read model shows it; a step with mistakes answers with the status page
again, its mistakes at the top and at each field, the text kept. Every answer is a German
page, never a JSON error.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from urllib.parse import quote
from uuid import UUID

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.formparsers import MultiPartException

from runtime.failures import INFRASTRUCTURE_ERRORS
from runtime.ids import new_id
from runtime.service import Runtime
from services.intake import applicant_commands, commands, queries
from services.intake.api.page_bodies import Tracked, form_key, hashes, read_form, store_files
from services.intake.api.page_forms import (
    FormState,
    answer_form_id,
    withdraw_confirmation_html,
)
from services.intake.api.pages import (
    HEADERS,
    message_page,
    not_found_page,
    page_html,
    refused_page,
    status_page_html,
    unavailable_page,
)
from services.intake.applicant_commands import KeyReused
from services.intake.decision_documents import DocumentMissing, decision_document
from services.intake.domain.applicant_actions import Refused
from services.intake.settings import IntakeSettings
from services.intake.status_view import Links, Untracked, status_of, token_valid

log = structlog.get_logger(__name__)

SETTLE_SECONDS = 3.0
SAME_ORIGIN = frozenset({"same-origin", "none"})


def router(runtime: Runtime, settings: IntakeSettings) -> APIRouter:
    """The steps' routes, bound to the running service (before the page's catch-all)."""
    pages = APIRouter(include_in_schema=False)

    async def tracked(application_id: str, token: str | None) -> Tracked | Untracked:
        """The case behind a page's address (a broken address finds nothing, as a wrong token)."""
        parsed = as_uuid(application_id)
        if parsed is None or not token or not token_valid(settings, parsed, token):
            return Untracked.NOT_FOUND
        return await tracked_case(parsed, token)

    async def tracked_case(application_id: UUID, token: str) -> Tracked | Untracked:
        found = await queries.application_status(runtime.pool, application_id)
        if found is None:
            return Untracked.NOT_VISIBLE_YET
        status = await status_of(runtime.store.codec, Links(settings, application_id), found)
        return Tracked(found, status, token)

    def again(at: Tracked, state: FormState) -> HTMLResponse:
        page = status_page_html(at.status, at.token, key=state.key, state=state, here=at.here)
        return html(page, state.status)

    def done(at: Tracked, step: str) -> Response:
        return RedirectResponse(
            f"{at.here}?token={quote(at.token, safe='')}&erledigt={step}",
            status_code=303,
            headers=HEADERS,
        )

    async def step(
        request: Request,
        application_id: str,
        token: str | None,
        act: Callable[[Tracked], Awaitable[Response]],
    ) -> Response:
        """What every step shares: the browser's word, the token, the outage."""
        if request.headers.get("sec-fetch-site", "none") not in SAME_ORIGIN:
            return html(refused_page(), 403)
        at = await tracked(application_id, token)
        if not isinstance(at, Tracked):
            return html(not_found_page(), 404)
        try:
            if not runtime.nats_connected:
                return html(unavailable_page(at.here, at.token), 503)
            return await act(at)
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning("applicant step during an outage", error=f"{type(exc).__name__}: {exc}")
            return html(unavailable_page(at.here, at.token), 503)

    @pages.get("/antraege/{application_id}/bescheid")
    async def download(application_id: str, token: str | None = None) -> Response:
        """The decision letter, as a download."""
        at = await tracked(application_id, token)
        if not isinstance(at, Tracked):
            return html(not_found_page(), 404)
        try:
            return await decision_document(runtime, at.status.application_id)
        except DocumentMissing as missing:
            page = message_page("Bescheid nicht verfügbar", missing.message, at.here, at.token)
            return html(page, 404)

    @pages.get("/antraege/{application_id}/ruecknahme")
    async def confirm_withdrawal(application_id: str, token: str | None = None) -> Response:
        """Asks before a withdrawal (or says why there is none to make)."""
        at = await tracked(application_id, token)
        if not isinstance(at, Tracked):
            return html(not_found_page(), 404)
        if at.status.withdraw_url is None:
            return again(at, _withdraw_refused(at))
        main = withdraw_confirmation_html(at.status, at.token, str(new_id()))
        what = "Widerspruch" if at.status.kind == "objection" else "Antrag"
        return html(page_html(f"{what} zurücknehmen?", main, at.status.town_name), 200)

    @pages.post("/antraege/{application_id}/ruecknahme")
    async def withdraw(request: Request, application_id: str, token: str | None = None) -> Response:
        """Withdraw, confirmed."""

        async def act(at: Tracked) -> Response:
            key = form_key(await sent_key(request))
            try:
                await applicant_commands.withdraw(runtime, at.tenant, at.case, key)
            except Refused as refusal:
                state = FormState("ruecknahme", {"": refusal.message}, key=key, status=409)
                return again(at, state)
            await settle(
                runtime,
                "SELECT withdrawn_at IS NOT NULL FROM rm_tracking.cases WHERE application_id = $1",
                at.case.case_id,
            )
            return done(at, "ruecknahme")

        return await step(request, application_id, token, act)

    @pages.post("/antraege/{application_id}/rueckfragen/{request_id}")
    async def answer(
        request: Request, application_id: str, request_id: str, token: str | None = None
    ) -> Response:
        """Answer a request for information: the text, and any files chosen."""
        asked = as_uuid(request_id)
        if asked is None:
            return html(not_found_page(), 404)
        form_id = answer_form_id(asked)

        async def act(at: Tracked) -> Response:
            assert asked is not None
            body, state = await read_form(runtime, at, request, form_id, "antwort")
            if state is not None:
                return again(at, state)
            text, key = body.fields.get("antwort", ""), form_key(body.fields.get("schluessel", ""))
            content = commands.content_hash({"answer": text, "files": hashes(body)})
            commit = applicant_commands.answer_commit(at.case, asked, key, content)
            try:
                if not await applicant_commands.recorded(runtime, at.tenant, at.case, commit):
                    files = await store_files(runtime, at, key, body)
                    await applicant_commands.answer(
                        runtime, at.tenant, at.case, asked, text, files, key, content
                    )
            except Refused as refusal:
                field = f"{form_id}-text" if refusal.field else ""
                state = FormState(form_id, {field: refusal.message}, text, key, refusal.status)
                return again(at, state)
            finally:
                body.close()
            await settle(
                runtime,
                "SELECT answered_at IS NOT NULL FROM rm_tracking.information_requests"
                " WHERE request_id = $1",
                asked,
            )
            return done(at, "antwort")

        return await step(request, application_id, token, act)

    @pages.post("/antraege/{application_id}/widerspruch")
    async def objection(
        request: Request, application_id: str, token: str | None = None
    ) -> Response:
        """Object to the decision: the grounds (if any), and any files chosen."""

        async def act(at: Tracked) -> Response:
            body, state = await read_form(runtime, at, request, "widerspruch", "begruendung")
            if state is not None:
                return again(at, state)
            text, key = (
                body.fields.get("begruendung", ""),
                form_key(body.fields.get("schluessel", "")),
            )
            content = commands.content_hash({"grounds": text, "files": hashes(body)})
            objection_id = applicant_commands.objection_for(at.case, key)
            try:
                if not await applicant_commands.objection_lodged(
                    runtime, at.tenant, at.case, objection_id
                ):
                    files = await store_files(runtime, at, key, body)
                    town = at.found["town_name"] or at.tenant
                    await applicant_commands.lodge_objection(
                        runtime, at.tenant, town, at.case, text or None, files, key, content
                    )
            except Refused as refusal:
                field = "widerspruch-text" if refusal.field else ""
                state = FormState(
                    "widerspruch", {field: refusal.message}, text, key, refusal.status
                )
                return again(at, state)
            except KeyReused:
                message = "Dieser Widerspruch wurde bereits mit anderen Angaben gesendet."
                return again(at, FormState("widerspruch", {"": message}, text, status=409))
            finally:
                body.close()
            await settle(
                runtime,
                "SELECT EXISTS (SELECT 1 FROM rm_tracking.applications WHERE application_id = $1)",
                objection_id,
            )
            return done(at, "widerspruch")

        return await step(request, application_id, token, act)

    return pages


def _withdraw_refused(at: Tracked) -> FormState:
    what = "Widerspruch" if at.status.kind == "objection" else "Antrag"
    if at.status.withdrawn:
        message = f"Sie haben Ihren {what} bereits zurückgenommen."
    elif at.status.decision is not None:
        message = (
            f"Über Ihren {what} ist bereits entschieden; eine Rücknahme ist nicht mehr möglich."
        )
    else:
        message = f"Der Vorgang zu Ihrem {what} ist abgeschlossen."
    return FormState("ruecknahme", {"": message}, status=409)


def as_uuid(text: str) -> UUID | None:
    """An id from an address, or ``None`` for one a mail program cut or someone mistyped."""
    try:
        return UUID(text)
    except ValueError:
        return None


async def sent_key(request: Request) -> str:
    """The form's ``schluessel`` (empty when the form is not what the page sends)."""
    try:
        form = await request.form(max_files=0, max_fields=5)
    except (MultiPartException, ValueError):
        return ""
    return str(form.get("schluessel") or "")


async def settle(runtime: Runtime, query: str, *args: object) -> bool:
    """Wait (briefly) until the read model shows the step, so the page shows it too."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        if await runtime.pool.fetchval(query, *args):
            return True
        await asyncio.sleep(0.05)
    return False


def html(body: str, status: int) -> HTMLResponse:
    """A page with the tracking page's headers."""
    return HTMLResponse(body, status_code=status, headers=HEADERS)
