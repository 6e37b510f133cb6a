"""The heard body's page: its answer through the secret link of its invitation e-mail.

``GET  /anhoerung/{case}/{hearing}?t=…``  what is asked, until when, and the answer form
``POST /anhoerung/{case}/{hearing}``      the answer (the token travels in the form)

The token is random and exists only inside the sealed ``HearingRequested`` (its answer link),
so the page compares against what the log holds: no secret to configure, none to rotate, and
erasing the case's data makes the link worthless. A body answers once; the page says so.
Plain HTML without JavaScript, nothing loaded from elsewhere, the token never passed on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from html import escape
from typing import Annotated
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse

from contracts.events.casework import CaseOpened, HearingRequested
from contracts.procedures import procedure_title
from runtime.eventstore import Cause
from runtime.ids import new_id
from runtime.service import Runtime
from services.casework.case_view import VERDICTS
from services.casework.desk import CaseNotFound, Desk, LoadedCase
from services.casework.domain import clerk_actions
from services.casework.domain.case import fold
from services.casework.domain.refusals import Refused

STYLE = (
    "html{color-scheme:light}"
    "body{margin:0;background:#fff;color:#1b1b1b;font:1.0625rem/1.5 system-ui,sans-serif}"
    "header,main{max-width:44rem;margin:0 auto;padding:1rem 1.25rem}"
    "header{border-bottom:1px solid #c8c8c8;color:#3d3d3d}"
    "h1{font-size:1.75rem;line-height:1.25;margin:.5rem 0 1rem}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}"
    "dt{font-weight:600}dd{margin:0}"
    "fieldset{border:1px solid #767676;margin:1rem 0;padding:.75rem 1rem}"
    "legend{font-weight:600}label{display:block;margin:.25rem 0}"
    "textarea{width:100%;min-height:6rem;font:inherit;border:1px solid #767676}"
    "button{font:inherit;padding:.5rem 1.25rem;background:#0b4f9c;color:#fff;border:0}"
    ":focus-visible{outline:3px solid #0b4f9c;outline-offset:3px}"
    ".error{color:#a4000f;font-weight:600}.status{background:#eef4fb;"
    "border-left:4px solid #0b4f9c;padding:.75rem 1rem}"
)
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; base-uri 'none';"
        " form-action 'self'; frame-ancestors 'none'"
    ),
}


def invitation(loaded: LoadedCase, hearing_id: UUID) -> HearingRequested | None:
    """The hearing's invitation, as the log holds it."""
    for envelope in loaded.events:
        event = envelope.event
        if isinstance(event, HearingRequested) and event.hearing_id == hearing_id:
            return event
    return None


def token_matches(event: HearingRequested, token: str) -> bool:
    """Whether ``token`` is the one in the invitation's answer link (constant time)."""
    if not event.answer_url:
        return False  # erased, or never sent by link
    expected = parse_qs(urlsplit(event.answer_url).query).get("t", [""])[0]
    return bool(expected) and hmac.compare_digest(expected.encode(), token.encode())


def router(runtime: Runtime) -> APIRouter:
    """The page, bound to the running service (not in the OpenAPI: it is for people)."""
    pages = APIRouter(include_in_schema=False)
    desk = Desk(runtime)

    async def found(
        case_id: UUID, hearing_id: UUID, token: str
    ) -> tuple[LoadedCase, HearingRequested] | None:
        try:
            loaded = await desk.load(case_id)
        except CaseNotFound:
            return None
        event = invitation(loaded, hearing_id)
        if event is None or not token_matches(event, token):
            return None
        return loaded, event

    @pages.get("/anhoerung/{case_id}/{hearing_id}", response_class=HTMLResponse)
    async def show(case_id: UUID, hearing_id: UUID, t: str = "") -> HTMLResponse:
        """The hearing's page, or why there is none to answer."""
        hit = await found(case_id, hearing_id, t)
        if hit is None:
            return _html(_invalid(), 404)
        return _html(_form_or_state(*hit, t), 200)

    @pages.post("/anhoerung/{case_id}/{hearing_id}", response_class=HTMLResponse)
    async def answer(
        case_id: UUID,
        hearing_id: UUID,
        t: Annotated[str, Form(max_length=200)] = "",
        verdict: Annotated[str, Form(max_length=50)] = "",
        statement: Annotated[str, Form(max_length=4000)] = "",
        conditions: Annotated[str, Form(max_length=8000)] = "",
    ) -> HTMLResponse:
        """Record the body's answer once."""
        hit = await found(case_id, hearing_id, t)
        if hit is None:
            return _html(_invalid(), 404)
        loaded, event = hit
        if verdict not in VERDICTS:
            page = _form(loaded, event, t, "Bitte wählen Sie Ihr Votum.", statement, conditions)
            return _html(page, 422)
        lines = [line for line in conditions.splitlines() if line.strip()]
        now = datetime.now(UTC)
        try:
            await runtime.store.decide_and_append(
                loaded.ref,
                lambda history: clerk_actions.answer_hearing(
                    fold(history),
                    hearing_id,
                    verdict=verdict,
                    statement=statement,
                    conditions=lines,
                    recorded_by=f"body:{event.body}",
                    now=now,
                ),
                cause=Cause(actor=f"body:{event.body}", correlation_id=new_id()),
                data_key=loaded.data_key,
            )
        except Refused as refusal:
            return _html(
                _page("Stellungnahme", f'<p class="status">{escape(refusal.message)}</p>'), 409
            )
        main = (
            '<h1>Vielen Dank</h1><p class="status" role="status">Ihre Stellungnahme ist'
            f" eingegangen ({now.astimezone():%d.%m.%Y, %H:%M} Uhr). Die Sachbearbeitung"
            " berücksichtigt sie bei der Entscheidung.</p>"
        )
        return _html(_page("Stellungnahme eingegangen", main), 200)

    return pages


def _form_or_state(loaded: LoadedCase, event: HearingRequested, token: str) -> str:
    hearing = next(h for h in loaded.case.hearings if h.hearing_id == event.hearing_id)
    if hearing.verdict is not None:
        return _page(
            "Stellungnahme eingegangen",
            '<h1>Stellungnahme eingegangen</h1><p class="status">Ihre Stellungnahme'
            f" („{escape(VERDICTS[hearing.verdict])}“) liegt uns bereits vor.</p>",
        )
    if loaded.case.decided or loaded.case.closed:
        return _page(
            "Verfahren abgeschlossen",
            '<h1>Verfahren abgeschlossen</h1><p class="status">Über den Antrag ist bereits'
            " entschieden; eine Stellungnahme ist nicht mehr nötig.</p>",
        )
    return _form(loaded, event, token)


def _form(
    loaded: LoadedCase,
    event: HearingRequested,
    token: str,
    problem: str = "",
    statement: str = "",
    conditions: str = "",
) -> str:
    case = loaded.case
    number = next(
        (e.event.case_number for e in loaded.events if isinstance(e.event, CaseOpened)), None
    )
    facts = [
        ("Vorgangsnummer", number or str(case.case_id)),
        ("Verfahren", procedure_title(case.procedure)),
        ("Angehörte Stelle", event.body_name),
        ("Gegenstand", event.subject),
        ("Frist", f"{event.due:%d.%m.%Y}"),
    ]
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    radios = "".join(
        f'<label><input type="radio" name="verdict" value="{key}" required> {escape(label)}</label>'
        for key, label in VERDICTS.items()
    )
    error = f'<p class="error" id="fehler" role="alert">{escape(problem)}</p>' if problem else ""
    described = ' aria-describedby="fehler"' if problem else ""
    main = (
        "<h1>Anhörung: Ihre Stellungnahme</h1>"
        f"<dl>{rows}</dl>{error}"
        f'<form method="post"><input type="hidden" name="t" value="{escape(token)}">'
        f"<fieldset{described}><legend>Ihr Votum</legend>{radios}</fieldset>"
        '<label for="statement">Stellungnahme (freiwillig)</label>'
        f'<textarea id="statement" name="statement" maxlength="4000">{escape(statement)}</textarea>'
        '<label for="conditions">Auflagen, eine je Zeile (freiwillig)</label>'
        '<textarea id="conditions" name="conditions" maxlength="8000">'
        f"{escape(conditions)}</textarea>"
        '<p><button type="submit">Stellungnahme absenden</button></p></form>'
        "<p>Dieser Link ist nur für Ihre Stelle bestimmt. Bitte geben Sie ihn nicht weiter.</p>"
    )
    return _page("Anhörung", main)


def _invalid() -> str:
    main = (
        "<h1>Link ungültig</h1><p>Unter diesem Link ist keine Anhörung zu finden. Bitte öffnen"
        " Sie den Link aus der Einladung noch einmal vollständig, oder wenden Sie sich an die"
        " Stelle, die Sie angeschrieben hat.</p>"
    )
    return _page("Link ungültig", main)


def _page(title: str, main: str) -> str:
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)} – RathausCloud</title><style>{STYLE}</style></head>"
        "<body><header><p>RathausCloud · Anhörung</p></header>"
        f'<main id="inhalt">{main}</main></body></html>'
    )


def _html(body: str, status: int) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=HEADERS)
