"""The tracking link's page: the application's status as German HTML, for the citizen.

The e-mail's link must open something a person can read, on any device, without
JavaScript and without loading anything from elsewhere (the URL holds the token, so the
page sends no referrer, is not cached or indexed, and its only style is inline). The data
and the token check are the JSON API's own (``tracked_status``), so the two never differ.
What the applicant can do there — answer a question, withdraw, object, download the
decision — are plain forms and links to intake itself (``page_forms``, ``page_actions``).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from html import escape
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from contracts.calendar import GERMANY
from runtime.ids import new_id
from runtime.service import Runtime
from services.intake.api.page_forms import (
    DONE,
    FormState,
    decision_html,
    error_summary,
    requests_html,
    token_query,
    withdraw_html,
)
from services.intake.api.schemas import ApplicationStatus
from services.intake.domain.tracking import german_day
from services.intake.settings import IntakeSettings
from services.intake.status_view import Untracked, tracked_status

STYLE = (
    "html{color-scheme:light}"
    "body{margin:0;background:#fff;color:#1b1b1b;font:1.0625rem/1.5 system-ui,sans-serif}"
    "header,main{max-width:40rem;margin:0 auto;padding:1rem 1.25rem}"
    "header{border-bottom:1px solid #c8c8c8;color:#3d3d3d}"
    "h1{font-size:1.75rem;line-height:1.25;margin:.5rem 0 1rem}"
    "h2{font-size:1.25rem;margin:1.5rem 0 .5rem}"
    "a{color:#0b4f9c}"
    "a:focus-visible{outline:3px solid #0b4f9c;outline-offset:3px}"
    ".skip{position:absolute;left:-9999px;top:0}"
    ".skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem 1rem}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}"
    "dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}"
    ".status{background:#eef4fb;border-left:4px solid #0b4f9c;padding:.75rem 1rem;"
    "margin:1rem 0}"
    "ol{padding-left:1.5rem}li{margin:0 0 .75rem}"
    "li time{display:block;color:#3d3d3d;font-size:.9375rem}"
    ".note{color:#3d3d3d;font-size:.9375rem}"
    "section{border-top:1px solid #c8c8c8;margin:1.5rem 0;padding-top:.25rem}"
    "h3{font-size:1.125rem;margin:1.25rem 0 .5rem}"
    ".frage{margin:.5rem 0 1rem;padding:.5rem 1rem;border-left:4px solid #3d3d3d;"
    "background:#f5f5f5;white-space:pre-line}"
    ".feld{margin:0 0 1rem}label{display:block;font-weight:600;margin:0 0 .25rem}"
    ".hinweis{color:#3d3d3d;font-size:.9375rem;margin:0 0 .25rem}"
    "textarea{display:block;box-sizing:border-box;width:100%;font:inherit;color:#1b1b1b;"
    "background:#fff;border:2px solid #5f5f5f;border-radius:4px;padding:.4rem .5rem}"
    "input[type=file]{display:block;font:inherit;max-width:100%}"
    "button{font:inherit;font-weight:600;color:#fff;background:#0b4f9c;"
    "border:2px solid #0b4f9c;border-radius:4px;padding:.5rem 1.1rem;cursor:pointer}"
    "button:focus-visible,textarea:focus-visible,input:focus-visible,"
    ".fehlerliste:focus-visible{outline:3px solid #0b4f9c;outline-offset:3px}"
    ".fehler{color:#b3261e;font-weight:600;margin:0 0 .25rem}"
    "[aria-invalid=true]{border-color:#b3261e}"
    ".fehlerliste{border:3px solid #b3261e;padding:0 1rem;margin:1rem 0}"
    ".fehlerliste a{color:#b3261e;font-weight:600}"
    ".erledigt{background:#edf7ee;border-left:4px solid #1e6b2e;padding:.75rem 1rem;margin:1rem 0}"
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
)
"""Dark text on white (contrast 17:1, in the status box 15:1; the grey 10:1, the links and
the buttons' white on blue 8:1, the errors' red 6:1), and a focus one can see."""

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
"""The token is in the URL: nothing may pass it on, keep it, or load anything alongside;
its forms post to intake only."""


def router(runtime: Runtime, settings: IntakeSettings) -> APIRouter:
    """The page, bound to the running service (not in the API's OpenAPI: it is for people)."""
    pages = APIRouter(include_in_schema=False)

    @pages.get("/antraege/{application_id:path}", response_class=HTMLResponse)
    async def status_page(
        application_id: str, token: str | None = None, erledigt: str | None = None
    ) -> HTMLResponse:
        """Any path below ``/antraege/`` and any token: a page, never a JSON error.

        A mail program may have cut the link anywhere; the citizen still gets German.
        """
        try:
            parsed = UUID(application_id)
        except ValueError:
            return _html(not_found_page(), 404)
        found = await tracked_status(runtime, settings, parsed, token)
        if found is Untracked.NOT_FOUND or token is None:
            return _html(not_found_page(), 404)
        if found is Untracked.NOT_VISIBLE_YET:
            return _html(not_visible_yet_page(token), 404)
        page = status_page_html(
            found,
            token,
            key=str(new_id()),
            notice=DONE.get(erledigt or ""),
            file_url=file_inspection_url(settings, found, token),
        )
        return _html(page, 200)

    return pages


def file_inspection_url(settings: IntakeSettings, status: ApplicationStatus, token: str) -> str:
    """archive's inspection page of the filed case (Akteneinsicht), with the same token.

    Empty before the case is filed, or where archive's address is not configured
    (``INTAKE_ARCHIVE_PUBLIC_URL``): archive checks the token against its digest, which
    intake recorded in the submission.
    """
    base = settings.archive_public_url.rstrip("/")
    if status.status != "filed" or not base:
        return ""
    return f"{base}/akte/{status.application_id}?token={quote(token, safe='')}"


def _html(body: str, status: int) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def german_datetime(moment: datetime) -> str:
    """``2026-11-22 07:58 UTC`` → ``22.11.2026, 08:58 Uhr`` (German time; naive is UTC)."""
    local = _aware(moment).astimezone(GERMANY)
    return f"{local:%d.%m.%Y, %H:%M} Uhr"


def time_element(moment: datetime) -> str:
    """``<time>`` with a machine-readable ``datetime`` (HTML allows at most milliseconds)."""
    local = _aware(moment).astimezone(GERMANY)
    machine = local.isoformat(timespec="seconds")
    return f'<time datetime="{machine}">{german_datetime(local)}</time>'


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def status_page_html(
    status: ApplicationStatus,
    token: str,
    *,
    key: str = "",
    state: FormState | None = None,
    notice: str | None = None,
    here: str = "",
    file_url: str = "",
) -> str:
    """The status, what the applicant can do now, and the timeline, oldest step first.

    ``key``: the Idempotency-Key the forms carry; ``state``: a form sent back with its
    mistakes; ``notice``: what was just done; ``here``: the page's path, for a page answered
    at another address (a form's, with its mistakes); ``file_url``: the filed case's
    inspection page at archive.
    """
    town = status.town_name or f"Gemeinde {status.town}"
    what = "Widerspruchs" if status.kind == "objection" else "Antrags"
    main = (
        f"<h1>Stand Ihres {what}</h1>"
        f"{error_summary(state)}"
        f"{_notice(notice)}"
        f"<dl>{_facts(status, town)}</dl>"
        f'<p class="status" id="stand">Aktueller Stand: <strong>'
        f"{escape(status.status_label)}</strong></p>"
        f"<p>{_reload_link(token, 'Stand aktualisieren', here)}</p>"
        f"{_file_link(file_url)}"
        f"{requests_html(status, token, state, key)}"
        f"{decision_html(status, token, state, key)}"
        f"{withdraw_html(status, token)}"
        "<h2>Verlauf</h2>"
        f"<ol>{_steps(status)}</ol>"
        '<p class="note">Dieser Link ist Ihr persönlicher Zugang zum Stand Ihres '
        f"{what}. Bitte geben Sie ihn nicht weiter.</p>"
    )
    title = f"Stand Ihres {what}: {status.procedure_title}, {town}"
    return _page(title, main, header=town)


def _facts(status: ApplicationStatus, town: str) -> str:
    facts = [
        ("Gemeinde", escape(town)),
        ("Verfahren", escape(status.procedure_title)),
        ("Eingegangen am", time_element(status.submitted_at)),
        ("Vorgangsnummer", escape(status.case_number or str(status.application_id))),
    ]
    if status.objection_to_case_number:
        facts.append(("Widerspruch gegen", escape(status.objection_to_case_number)))
    if status.expected_decision:
        facts.append(("Entscheidung voraussichtlich bis", german_day(status.expected_decision)))
    return "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)


def _steps(status: ApplicationStatus) -> str:
    return "".join(
        f"<li><span>{escape(line.label)}</span> {time_element(line.occurred_at)}</li>"
        for line in status.timeline
    )


def _file_link(url: str) -> str:
    if not url:
        return ""
    return (
        '<section aria-labelledby="akte"><h2 id="akte">Ihre Akte</h2>'
        "<p>Ihr Vorgang ist zur E-Akte genommen. Dort sehen Sie, was in Ihrer Akte steht, "
        "können ihre Dokumente laden und sehen, wer Ihre Akte eingesehen hat.</p>"
        f'<p><a href="{escape(url)}">Akte einsehen</a></p></section>'
    )


def _notice(notice: str | None) -> str:
    if not notice:
        return ""
    return f'<p class="erledigt" role="status">{escape(notice)}</p>'


def page_html(title: str, main: str, header: str | None = None) -> str:
    """A whole page around ``main`` (for the steps' own pages)."""
    return _page(title, main, header)


def not_found_page() -> str:
    """The same page for an unknown application, a wrong token and a broken link."""
    main = (
        "<h1>Antrag nicht gefunden</h1>"
        "<p>Unter diesem Link können wir keinen Antrag anzeigen. Vielleicht ist der Link "
        "unvollständig: Manche E-Mail-Programme trennen lange Links am Zeilenende.</p>"
        "<p>Bitte öffnen Sie den Link aus Ihrer Eingangsbestätigung noch einmal oder kopieren "
        "Sie ihn vollständig in die Adresszeile Ihres Browsers.</p>"
    )
    return _page("Antrag nicht gefunden", main)


def not_visible_yet_page(token: str) -> str:
    """The link is right, but the submission is a moment old and not shown yet."""
    main = (
        "<h1>Antrag noch nicht sichtbar</h1>"
        "<p>Ihr Antrag ist eingegangen und erscheint in wenigen Sekunden hier.</p>"
        f"<p>{_reload_link(token, 'Seite neu laden')}</p>"
    )
    return _page("Antrag noch nicht sichtbar", main)


def _reload_link(token: str, text: str, here: str = "") -> str:
    return f'<a href="{here}?token={escape(quote(token, safe=""))}">{escape(text)}</a>'


def _page(title: str, main: str, header: str | None = None) -> str:
    heading = f"RathausCloud · {escape(header)}" if header else "RathausCloud"
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex"><meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)} – RathausCloud</title><style>{STYLE}</style></head>"
        '<body><a class="skip" href="#inhalt">Zum Inhalt springen</a>'
        f"<header><p>{heading}</p></header>"
        f'<main id="inhalt" tabindex="-1">{main}</main></body></html>'
    )


def message_page(title: str, text: str, here: str, token: str) -> str:
    """A short page saying something, with the way back to the status at ``here``."""
    main = (
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p>"
        f'<p><a href="{here}{token_query(token)}">Zurück zum Stand</a></p>'
    )
    return page_html(title, main)


def refused_page() -> str:
    """A form that did not come from intake's own page."""
    main = (
        "<h1>Nicht ausgeführt</h1><p>Diese Anfrage kam nicht von der Seite zum Stand Ihres "
        "Antrags. Bitte öffnen Sie den Link aus Ihrer Eingangsbestätigung und versuchen Sie "
        "es dort.</p>"
    )
    return page_html("Nicht ausgeführt", main)


def unavailable_page(here: str, token: str) -> str:
    """An outage: nothing was done; the same form may be sent again."""
    main = (
        "<h1>Vorübergehend nicht erreichbar</h1><p>Ihre Angaben wurden nicht gespeichert. "
        "Bitte gehen Sie zurück und senden Sie das Formular in einigen Sekunden erneut.</p>"
        f'<p><a href="{here}{token_query(token)}">Zurück zum Stand</a></p>'
    )
    return page_html("Vorübergehend nicht erreichbar", main)
