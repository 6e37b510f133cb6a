"""The upload page for suppliers: „Rechnungseingang“, German, without an account.

A supplier who has no software that sends by API picks the file and gets the same verdict on
the page: the report the check wrote and the routing's word, and the invoice's id to quote.
The page is plain HTML: one labelled file field and a button (keyboard and screen reader
work without help), no JavaScript, nothing loaded from elsewhere, dark text on white. It needs
no CSRF token because there is no session to abuse; it is limited in size (the body is
read only up to the limit) and per client address, like the API.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.types import Message

from runtime.http import read_within
from runtime.service import Runtime
from services.billing.einvoice_limits import ClientLimits, client_of
from services.billing.einvoices.receiving import MAX_BYTES, InputRefused, Outcome, receive
from services.billing.settings import BillingSettings

PATH = "/rechnungseingang"
FORM_OVERHEAD = 64 * 1024
"""What the multipart form adds around the file (boundaries, headers) at most."""

STYLE = (
    "html{color-scheme:light}"
    "body{margin:0;background:#fff;color:#1b1b1b;font:1.0625rem/1.5 system-ui,sans-serif}"
    "header,main{max-width:48rem;margin:0 auto;padding:1rem 1.25rem}"
    "header{border-bottom:1px solid #c8c8c8;color:#3d3d3d}"
    "h1{font-size:1.75rem;line-height:1.25;margin:.5rem 0 1rem}"
    "h2{font-size:1.25rem;margin:1.5rem 0 .5rem}"
    "a{color:#0b4f9c}"
    "label{display:block;font-weight:600;margin:0 0 .25rem}"
    ".hinweis{color:#3d3d3d;font-size:.9375rem;margin:0 0 .5rem}"
    "input[type=file]{display:block;font:inherit;max-width:100%;margin:0 0 1rem}"
    "button{font:inherit;font-weight:600;color:#fff;background:#0b4f9c;"
    "border:2px solid #0b4f9c;border-radius:4px;padding:.5rem 1.1rem;cursor:pointer}"
    "a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #0b4f9c;"
    "outline-offset:3px}"
    ".ergebnis{border-left:4px solid #1e6b2e;background:#edf7ee;padding:.75rem 1rem;"
    "margin:1rem 0}"
    ".ergebnis.abgelehnt{border-color:#b3261e;background:#fdf0ef}"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;"
    "border-bottom:1px solid #c8c8c8;vertical-align:top}"
)
"""Dark text on white (17:1), links and the button's white on blue 8:1, the focus visible."""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        "<header>RathausCloud · Rechnungseingang der Mitgliedsgemeinden</header>"
        f'<main id="inhalt">{body}</main></body></html>'
    )


def report_page(report_html: str) -> str:
    """A stored report as a page of its own (the link the supplier got)."""
    return _page("Prüfbericht", f"<h1>Prüfbericht</h1>{report_html}")


def _form(error: str | None = None) -> str:
    described = "hinweis fehler" if error else "hinweis"
    problem = f'<p class="ergebnis abgelehnt" id="fehler">{escape(error)}</p>' if error else ""
    return (
        f"{problem}"
        f'<form method="post" action="{PATH}" enctype="multipart/form-data">'
        '<label for="rechnung">Rechnungsdatei</label>'
        '<p class="hinweis" id="hinweis">XRechnung als XML (UBL oder CII) oder ZUGFeRD/Factur-X'
        " als PDF, höchstens 20 MB. Die Käuferreferenz muss die Leitweg-ID der Gemeinde"
        " sein.</p>"
        f'<input type="file" id="rechnung" name="rechnung" required aria-describedby="{described}"'
        ' accept=".xml,.pdf,application/xml,text/xml,application/pdf">'
        '<button type="submit">Rechnung senden</button></form>'
    )


def upload_form(error: str | None = None) -> str:
    """The empty page, or the page again with what was wrong with the last file."""
    intro = (
        "<h1>Rechnung einreichen</h1><p>Hier reichen Lieferanten elektronische Rechnungen an"
        " die Mitgliedsgemeinden ein – ohne Konto. Die Rechnung wird sofort geprüft; das"
        " Ergebnis sehen Sie auf dieser Seite.</p>"
    )
    return _page("Rechnung einreichen", intro + _form(error))


def result_page(outcome: Outcome, report_url: str) -> str:
    """The verdict on the page: received for a town, or rejected, and the report."""
    town = outcome.town
    if outcome.accepted and town is not None:
        verdict = (
            f'<div class="ergebnis" role="status"><p><strong>Die Rechnung ist eingegangen'
            f"</strong> und der Gemeinde {escape(town.name)} zugeordnet. Kennung:"
            f" <code>{outcome.invoice_id}</code></p>"
        )
        if outcome.duplicate_of:
            verdict += (
                "<p>Diese Rechnung ist bereits eingegangen (gleicher Lieferant, gleiche"
                " Rechnungsnummer, gleicher Betrag); sie wird nicht ein zweites Mal bezahlt.</p>"
            )
        verdict += "</div>"
    else:
        verdict = (
            '<div class="ergebnis abgelehnt" role="status"><p><strong>Die Rechnung wurde'
            " nicht angenommen.</strong> Der Prüfbericht unten nennt jeden Grund. Kennung:"
            f" <code>{outcome.invoice_id}</code></p></div>"
        )
    link = f'<p><a href="{escape(report_url)}">Prüfbericht als eigene Seite</a></p>'
    body = f"<h1>Ergebnis der Prüfung</h1>{verdict}{link}{outcome.report_html}"
    again = f"<h2>Weitere Rechnung einreichen</h2>{_form()}"
    return _page("Ergebnis der Prüfung", body + again)


async def _uploaded(request: Request, raw: bytes) -> bytes | None:
    """The file of a multipart form read already (``None`` if none was chosen)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    form = await Request(request.scope, replay).form(max_files=1, max_fields=5)
    upload = form.get("rechnung")
    if not isinstance(upload, UploadFile):
        return None
    content = await upload.read()
    return content or None


def router(runtime: Runtime) -> APIRouter:
    """The page's routes, bound to the running service."""
    pages = APIRouter(include_in_schema=False)
    settings = runtime.settings
    assert isinstance(settings, BillingSettings)
    limits = ClientLimits(settings.invoice_rate_limit)

    @pages.get(PATH)
    async def form() -> HTMLResponse:
        return HTMLResponse(upload_form())

    @pages.post(PATH)
    async def upload(request: Request) -> HTMLResponse:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return HTMLResponse(upload_form("Bitte wählen Sie eine Datei aus."), 415)
        try:
            raw = await read_within(request, MAX_BYTES + FORM_OVERHEAD)
        except HTTPException:
            return HTMLResponse(upload_form("Die Datei ist größer als 20 MB."), 413)
        wait = await limits.admit(client_of(request))
        if wait is not None:
            message = f"Zu viele Rechnungen in kurzer Zeit. Bitte in {wait} Sekunden erneut."
            return HTMLResponse(upload_form(message), 429, headers={"Retry-After": str(wait)})
        content = await _uploaded(request, raw)
        if content is None:
            return HTMLResponse(upload_form("Bitte wählen Sie eine Datei aus."), 422)
        try:
            outcome = await receive(runtime, content, channel="upload")
        except InputRefused as refused:
            return HTMLResponse(upload_form(refused.message), refused.status)
        url = f"/api/v1/einvoices/{outcome.invoice_id}/report"
        return HTMLResponse(result_page(outcome, url), 200 if outcome.accepted else 422)

    return pages
