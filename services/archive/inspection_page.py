"""The applicant's inspection page (Akteneinsicht) as German HTML — pure: a view in, a page out.

Like intake's tracking page, which links here: it works without JavaScript and loads nothing
from elsewhere (one inline style, allowed by its hash), and since the address holds the
token, the page sends no referrer and is neither cached nor indexed.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from html import escape
from urllib.parse import quote
from uuid import UUID

from contracts.calendar import GERMANY
from services.archive.domain.addenda import addenda
from services.archive.domain.inspection import THE_FILE
from services.archive.inspection import Access, Document, FileView

STYLE = (
    "html{color-scheme:light}"
    "body{margin:0;background:#fff;color:#1b1b1b;font:1.0625rem/1.5 system-ui,sans-serif}"
    "header,main{max-width:44rem;margin:0 auto;padding:1rem 1.25rem}"
    "header{border-bottom:1px solid #c8c8c8;color:#3d3d3d}"
    "h1{font-size:1.75rem;line-height:1.25;margin:.5rem 0 1rem}"
    "h2{font-size:1.25rem;margin:1.5rem 0 .5rem}"
    "a{color:#0b4f9c}a:focus-visible{outline:3px solid #0b4f9c;outline-offset:3px}"
    ".skip{position:absolute;left:-9999px;top:0}"
    ".skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem 1rem}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}"
    "dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}"
    "ol,ul{padding-left:1.5rem}li{margin:0 0 .75rem}"
    "li time{display:block;color:#3d3d3d;font-size:.9375rem}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid #c8c8c8}"
    ".note{color:#3d3d3d;font-size:.9375rem}"
    ".hinweis{background:#eef4fb;border-left:4px solid #0b4f9c;padding:.75rem 1rem;margin:1rem 0}"
)
"""Dark text on white (17:1), grey 10:1, links 8:1, and a focus one can see."""

STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()

HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; base-uri 'none';"
        " form-action 'none'; frame-ancestors 'none'"
    ),
}
"""The token is in the URL: nothing may pass it on, keep it, or load anything alongside."""


def german_datetime(moment: datetime) -> str:
    """``22.11.2026, 08:58 Uhr`` in German time (a naive moment is UTC)."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(GERMANY)
    return f"{local:%d.%m.%Y, %H:%M} Uhr"


def time_element(moment: datetime) -> str:
    """``<time>`` with a machine-readable ``datetime``."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(GERMANY)
    return f'<time datetime="{local.isoformat(timespec="seconds")}">{german_datetime(local)}</time>'


def german_day(day: date) -> str:
    """``31.12.2036``."""
    return f"{day:%d.%m.%Y}"


def size_text(size: int) -> str:
    """``48 KB``, ``1,2 MB`` — as people read file sizes."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def document_url(case_id: UUID, filename: str, token: str) -> str:
    """Where a document of the file is downloaded (relative to archive), with the token."""
    name = quote(filename, safe="")
    return f"/akte/{case_id}/dokumente/{name}?token={quote(token, safe='')}"


def who(access: Access, towns: Mapping[str, str]) -> str:
    """``Sie selbst (über Ihren Link)`` or ``Erika Muster, Sachbearbeitung, Augustusburg``."""
    if access.clerk is None:
        return "Sie selbst (über Ihren Link)"
    town = towns.get(access.clerk.town, f"Gemeinde {access.clerk.town}")
    return f"{access.clerk.name}, Sachbearbeitung, {town}"


def what(access: Access) -> str:
    """``die Akte`` or ``das Dokument „bescheid.pdf“``."""
    return "die Akte" if access.what == THE_FILE else f"das Dokument „{access.what}“"


def file_page_html(view: FileView, token: str, towns: Mapping[str, str] | None = None) -> str:
    """The whole inspection page of a filed case."""
    towns = towns or {}
    town = towns.get(view.tenant, f"Gemeinde {view.tenant}")
    main = (
        "<h1>Ihre Akte</h1>"
        f"{_erased(view)}"
        f"<dl>{_facts(view, town)}</dl>"
        '<h2 id="verlauf">Was in Ihrer Akte steht</h2>'
        f"{_entries(view)}"
        '<h2 id="nachtraege">Nachträge</h2>'
        f"{_addenda(view)}"
        '<h2 id="dokumente">Dokumente</h2>'
        f"{_documents(view, token)}"
        '<h2 id="zugriffe">Wer hat Ihre Akte eingesehen</h2>'
        f"{_accesses(view, towns)}"
        '<p class="note">Jeder Zugriff auf Ihre Akte wird protokolliert – auch Ihr eigener. '
        "Dieser Link ist Ihr persönlicher Zugang; bitte geben Sie ihn nicht weiter.</p>"
    )
    return page(f"Akteneinsicht: {view.procedure_title}, {town}", main, town)


def _erased(view: FileView) -> str:
    if not view.erased:
        return ""
    return (
        '<p class="hinweis" role="status">Ihre persönlichen Daten in diesem Vorgang sind '
        "gelöscht. Die Akte zeigt nur noch, was ohne sie festgehalten bleibt; ihre Dokumente "
        "können nicht mehr geladen werden.</p>"
    )


def _facts(view: FileView, town: str) -> str:
    intact = (
        "geprüft: unverändert seit der Ablage"
        if view.intact
        else "Die Prüfung ist fehlgeschlagen. Bitte wenden Sie sich an die Gemeinde."
    )
    facts = [
        ("Aktenzeichen", escape(view.file_reference)),
        ("Gemeinde", escape(town)),
        ("Verfahren", escape(view.procedure_title)),
        ("Zur Akte genommen am", time_element(view.filed_at)),
        ("Aufbewahrt bis", german_day(view.retain_until)),
        ("Unversehrtheit", escape(intact)),
    ]
    return "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts)


def _entries(view: FileView) -> str:
    if not view.entries:
        return "<p>Keine Einträge.</p>"
    lines = "".join(
        f"<li><span>{escape(entry.text)}</span> {time_element(entry.at)}</li>"
        for entry in view.entries
    )
    return f'<ol aria-labelledby="verlauf">{lines}</ol>'


def _addenda(view: FileView) -> str:
    """What came after the filing (a delivery status, a payment), each sealed and linked."""
    listed = addenda(view.verification)
    if not listed:
        return "<p>Seit der Ablage ist nichts hinzugekommen.</p>"
    lines = "".join(
        f"<li><span>Nachtrag {item.number}: {escape(item.text)}</span>"
        f" {time_element(item.filed_at)}</li>"
        for item in listed
    )
    return f'<ol aria-labelledby="nachtraege">{lines}</ol>'


def _documents(view: FileView, token: str) -> str:
    if not view.documents:
        return "<p>Zu diesem Vorgang liegen keine Dokumente vor.</p>"
    items = "".join(_document(view.case_id, d, token) for d in view.documents)
    return f'<ul aria-labelledby="dokumente">{items}</ul>'


def _document(case_id: UUID, document: Document, token: str) -> str:
    url = escape(document_url(case_id, document.filename, token))
    return (
        f'<li><a href="{url}" download>{escape(document.kind)}: {escape(document.filename)}</a>'
        f" ({escape(size_text(document.size))}) {time_element(document.issued_at)}</li>"
    )


def _accesses(view: FileView, towns: Mapping[str, str]) -> str:
    rows = "".join(
        f"<tr><td>{time_element(a.at)}</td><td>{escape(who(a, towns))}</td>"
        f"<td>{escape(what(a))}</td></tr>"
        for a in sorted(view.accesses, key=lambda a: a.at, reverse=True)
    )
    return (
        '<table aria-labelledby="zugriffe"><thead><tr><th scope="col">Wann</th>'
        '<th scope="col">Wer</th><th scope="col">Was</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def not_found_page() -> str:
    """The same page for an unknown or unfiled case, a wrong token and a broken link."""
    main = (
        "<h1>Akte nicht gefunden</h1>"
        "<p>Unter diesem Link können wir keine Akte anzeigen. Eine Akte entsteht, wenn Ihr "
        "Vorgang abgeschlossen ist; vielleicht ist es noch nicht so weit, oder der Link ist "
        "unvollständig.</p>"
        "<p>Bitte öffnen Sie die Seite zum Stand Ihres Antrags über den Link aus Ihrer "
        "Eingangsbestätigung und folgen Sie dort „Akte einsehen“.</p>"
    )
    return page("Akte nicht gefunden", main)


def document_missing_page(case_id: UUID, token: str) -> str:
    """A document that cannot be given (none of that name, erased, or unreadable)."""
    back = f"/akte/{case_id}?token={quote(token, safe='')}"
    main = (
        "<h1>Dokument nicht verfügbar</h1>"
        "<p>Dieses Dokument kann nicht geladen werden. Bitte wenden Sie sich an die Gemeinde.</p>"
        f'<p><a href="{escape(back)}">Zurück zur Akte</a></p>'
    )
    return page("Dokument nicht verfügbar", main)


def page(title: str, main: str, header: str | None = None) -> str:
    """A whole page around ``main``."""
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
