"""A case at the desk: everything about it on one page, now or as it was („Stand vom …“).

``GET /desk/vorgaenge/{id}``                       the case now, with the forms the clerk may use
``GET /desk/vorgaenge/{id}?tag=…&uhrzeit=…``       as it was then (or ``?stand=<ISO moment>``,
                                                   the history's links): no forms at all
``GET /desk/vorgaenge/{id}/dateien/{name}``        an attachment or the decision letter
                                                   (``bescheid``), shown in the page or
                                                   downloaded

What the page shows comes from ``DeskCommands.view`` (both histories, cut at the moment);
which forms it offers from who the clerk is and what the case's state allows. The forms
post to ``case_actions``, which renders this page again (``CasePage.render``) with the
refusal when a command is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request, Response

from contracts.calendar import GERMANY, today
from contracts.events.casework import TownCaseworkConfigured
from runtime.auth import Identity
from runtime.desk import INLINE_DOCUMENT_POLICY, Desk, DeskClerk, DeskRefusal, desk_router
from runtime.service import Runtime
from services.casework import towns
from services.casework.case_view import REPORTED, VERDICTS, CaseView
from services.casework.clerks import is_supervisor
from services.casework.commands import INLINE_TYPES, DeskCommands, FileGone
from services.casework.desk import CaseNotFound
from services.casework.domain.case import OPEN_STATUSES, Case
from services.casework.domain.fees import GEBOST_TRAFFIC_ORDER, REQUIRED, rate_class_row
from services.casework.domain.refusals import Refused
from services.casework.pages.form_input import InputProblem, moment
from services.casework.pages.form_view import form_schema, form_sections
from services.casework.pages.wording import (
    OUTCOMES,
    RATE_CLASS_LABELS,
    actor_label,
    deadline_state,
    euro,
)

CASE_NOT_FOUND = DeskRefusal(
    404,
    "Vorgang nicht gefunden",
    "Diesen Vorgang gibt es nicht, oder Sie sind für ihn nicht zuständig.",
)
INFORMATION_DAYS = 14
"""Calendar days the applicant gets for an answer, unless the clerk sets another date."""


def case_url(case_id: UUID | str) -> str:
    """The case page's address."""
    return f"/desk/vorgaenge/{case_id}"


def archive_file_url(archive_desk: str, case_id: UUID | str) -> str:
    """The case's file at archive's desk (``RATHAUS_DESK_ARCHIVE_URL``: its home, ``…/desk/``,
    or its base address)."""
    base = archive_desk.rstrip("/").removesuffix("/desk")
    return f"{base}/desk/akten/{case_id}"


def past_moment(asked: Mapping[str, str]) -> datetime | None:
    """The moment a past view asks for (``stand`` from a history link, or the form's date and
    time in German time); ``None`` for now. ``InputProblem`` at the form's fields."""
    if asked.get("stand"):
        try:
            found = datetime.fromisoformat(asked["stand"])
        except ValueError:
            raise InputProblem("stand", "Dieser Zeitpunkt ist ungültig.") from None
        return found if found.tzinfo else found.replace(tzinfo=UTC)
    if asked.get("tag") or asked.get("uhrzeit"):
        found = moment(asked.get("tag", ""), asked.get("uhrzeit", ""), "stand")
        now = datetime.now(UTC)
        if found - timedelta(minutes=1) > now:  # the typed minute or second is still to come
            raise InputProblem("stand", "Der Zeitpunkt liegt in der Zukunft.")
        return min(found, now)
    return None


class CasePage:
    """Renders a case's page for a clerk."""

    def __init__(self, desk: Desk, runtime: Runtime, commands: DeskCommands) -> None:
        self.desk = desk
        self.runtime = runtime
        self.commands = commands

    async def render(
        self,
        request: Request,
        clerk: Identity,
        case_id: UUID,
        *,
        as_of: datetime | None = None,
        status: int = 200,
        errors: Sequence[tuple[str, str]] = (),
        entered: Mapping[str, Any] | None = None,
    ) -> Response:
        """The page (``as_of``: as it was then); a refused form's ``errors`` and ``entered``
        values shown again."""
        try:
            view = await self.commands.view(clerk, case_id, as_of)
        except CaseNotFound:
            raise CASE_NOT_FOUND from None
        if as_of is not None and not view.state.exists:
            errors = (*errors, ("stand", "Zu diesem Zeitpunkt gab es den Vorgang noch nicht."))
            status = 422
            view = await self.commands.view(clerk, case_id)
            as_of = None
        context = await self.context(clerk, view, as_of is not None)
        context["entered"] = dict(entered or {})
        return self.desk.page(request, "vorgang.html", context, status, tuple(errors))

    async def context(self, clerk: Identity, view: CaseView, past: bool) -> dict[str, Any]:
        """What the template needs (``case_context``), with the town's settings and, for a
        supervisor, the clerks to assign to."""
        state = view.state
        config = await towns.configuration(self.runtime, state.competent_town)
        wanted = is_supervisor(clerk) and not past
        clerks = await self._clerks(state.processing_towns) if wanted else []
        names = self.desk.pages.town_names
        archive = self.desk.settings.desk_links.get("archive", "")
        return case_context(
            clerk, view, past=past, config=config, clerks=clerks, towns=names, archive_desk=archive
        )

    async def _clerks(self, processing_towns: Sequence[str]) -> list[Mapping[str, Any]]:
        """The clerks of the processing towns the desk has seen at work (to reassign to)."""
        rows = await self.runtime.pool.fetch(
            "SELECT id, name, town FROM rm_desk_cases.clerks WHERE town = ANY($1::text[])"
            " ORDER BY town, name",
            list(processing_towns),
        )
        return [dict(row) for row in rows]


def _notice(view: CaseView) -> str | None:
    """What the timers announced of the current deadline: ``passed``, ``near`` or nothing."""
    state = view.state
    noted = {passed for deadline, passed in state.deadline_notices if deadline == state.deadline}
    return "passed" if True in noted else "near" if noted else None


def hearing_conditions(view: CaseView) -> list[str]:
    """The heard bodies' conditions, once each: what the approval's conditions start from."""
    found: list[str] = []
    for hearing in view.hearings:
        found += [c for c in hearing.conditions if c not in found]
    return found


def permissions(
    clerk: Identity, state: Case, past: bool, stale_after: timedelta, now: datetime
) -> dict[str, bool]:
    """What the clerk may do with the case now (nothing at all in a past view): the forms
    the page offers. The commands check again; this only leaves out what would be refused."""
    holder = state.claimed_by
    is_open = state.status in OPEN_STATUSES and not past
    mine = holder is not None and holder.id == clerk.subject
    supervisor = is_supervisor(clerk) and is_open
    stale = state.claimed_at is not None and now - state.claimed_at >= stale_after
    return {
        "is_open": is_open,
        "mine": mine,
        "can_work": is_open and mine,
        "may_claim": is_open and (holder is None or (supervisor and not mine and stale)),
        "may_release": is_open and holder is not None and (mine or supervisor),
        "supervisor": supervisor,
        "may_move": supervisor and state.competent_town in clerk.towns,
    }


def case_context(
    clerk: Identity,
    view: CaseView,
    *,
    past: bool,
    config: TownCaseworkConfigured,
    clerks: Sequence[Mapping[str, Any]],
    towns: Mapping[str, str],
    archive_desk: str = "",
) -> dict[str, Any]:
    """Everything ``vorgang.html`` shows of the case, and what the clerk may do with it (a
    closed one: where archive's desk shows its file, if the installation has one)."""
    state = view.state

    def town_name(ags: str) -> str:
        return towns.get(ags, f"Gemeinde {ags}")

    schema = form_schema(state.procedure, view.form_version)
    may = permissions(
        clerk, state, past, timedelta(hours=config.stale_claim_hours), datetime.now(UTC)
    )
    return {
        **may,
        "view": view,
        "state": state,
        "number": view.case_number or "ohne Nummer",
        "case_url": case_url(view.case_id),
        "past": past,
        "moment": view.as_of.astimezone(GERMANY) if view.as_of else datetime.now(GERMANY),
        "deadline": deadline_state(state.deadline, today(), _notice(view)),
        "sections": form_sections(schema, view.form) if view.form else [],
        "inline_types": INLINE_TYPES,
        "failed_open": [o.rule for o in state.failed_rules],
        "bodies": config.bodies,
        "body_options": [
            (key, body.name + (" (empfohlen)" if key in view.suggested_hearings else ""))
            for key, body in config.bodies.items()
        ],
        "hearing_days": config.hearing_days,
        "verdicts": VERDICTS,
        "reported": REPORTED,
        "outcomes": OUTCOMES,
        "fee_parts": REQUIRED.get(state.procedure, ()),
        "fee_range": tuple(euro(x) for x in GEBOST_TRAFFIC_ORDER),
        "rate_classes": RATE_CLASS_LABELS,
        "rate_class_text": lambda rate_class: " ".join(rate_class_row(rate_class)),
        "hearing_conditions": hearing_conditions(view),
        "information_due": today() + timedelta(days=INFORMATION_DAYS),
        "history": [(h, actor_label(h.actor, town_name)) for h in view.history],
        "clerks": clerks,
        "clerk_options": [(c["id"], f"{c['name']} ({town_name(c['town'])})") for c in clerks],
        "member_towns": sorted(towns.items(), key=lambda t: t[1]),
        "archive_file": archive_file_url(archive_desk, view.case_id)
        if archive_desk and state.closed and not past
        else None,
    }


def file_response(content: bytes, filename: str, content_type: str) -> Response:
    """A case's file: shown in the page (PDF, image) or downloaded; never run as a page."""
    disposition = "inline" if content_type in INLINE_TYPES else "attachment"
    return Response(
        content,
        media_type=content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename, safe='')}",
            "Content-Security-Policy": INLINE_DOCUMENT_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


def router(case_page: CasePage) -> APIRouter:
    """The case page and its files."""
    pages = desk_router()
    commands = case_page.commands

    @pages.get("/vorgaenge/{case_id}")
    async def case(request: Request, clerk: DeskClerk, case_id: UUID) -> Response:
        """The case now, or as it was at a past moment."""
        try:
            as_of = past_moment(request.query_params)
        except InputProblem as problem:
            errors = ((problem.field_id, problem.message),)
            return await case_page.render(request, clerk, case_id, status=422, errors=errors)
        return await case_page.render(request, clerk, case_id, as_of=as_of)

    @pages.get("/vorgaenge/{case_id}/dateien/{name}")
    async def case_file(clerk: DeskClerk, case_id: UUID, name: str) -> Response:
        """An attachment (by its id) or the decision letter (``bescheid``)."""
        try:
            found = await commands.file(clerk, case_id, name)
        except CaseNotFound:
            raise CASE_NOT_FOUND from None
        except FileGone:
            raise DeskRefusal(
                404, "Datei gelöscht", "Die personenbezogenen Daten dieses Vorgangs sind gelöscht."
            ) from None
        except Refused as refusal:
            raise DeskRefusal(409, "Datei nicht lesbar", refusal.message) from None
        if found is None:
            raise DeskRefusal(
                404, "Datei nicht gefunden", "Diese Datei gehört nicht zu diesem Vorgang."
            )
        return file_response(found.content, found.filename, found.content_type)

    return pages
