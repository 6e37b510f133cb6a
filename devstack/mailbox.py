"""The read-only web mailbox of the mail sink: what the services sent, for people and tests.

``/`` lists the mails, ``/messages/<id>`` shows one (text, attachments, the original as
``.eml``); ``/api/messages`` and ``/api/messages/<id>`` give the same as JSON, for end-to-end
tests and scripts. The pages are German, like everything a clerk or citizen would read.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import tzinfo
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from devstack.mailsink import MailStore, ReceivedMail, SmtpSink

TITLE = "Postausgang der Entwicklungsumgebung"

STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.5;
color:#1b1b1b;background:#fff}
header{background:#0b3d6e;color:#fff;padding:.75rem 1.5rem}
header p{margin:0;font-weight:600}
main{padding:1rem 1.5rem 3rem;max-width:75rem}
a{color:#0b4f9c}
a:focus-visible{outline:3px solid #b35c00;outline-offset:2px}
table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:600;padding:.5rem 0}
th,td{text-align:left;vertical-align:top;padding:.4rem .6rem;border-bottom:1px solid #767676}
th{background:#eef1f5}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:600}
dd{margin:0}
pre{white-space:pre-wrap;word-break:break-word;background:#f4f4f4;padding:1rem;font-size:1rem;
border:1px solid #767676}
""".strip()


@dataclass(frozen=True)
class Response:
    """What the mailbox answers to one request."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _german_zone() -> tzinfo | None:
    try:
        return ZoneInfo("Europe/Berlin")
    except ZoneInfoNotFoundError:
        return None  # no time zone data on this machine: the machine's local time then


def german_time(mail: ReceivedMail) -> str:
    """When the mail arrived, in German time, as Germans write it."""
    return mail.received_at.astimezone(_german_zone()).strftime("%d.%m.%Y, %H:%M:%S Uhr")


def german_size(size: int) -> str:
    """``12345`` → ``12.345 Bytes``."""
    return f"{size:,} Bytes".replace(",", ".")


def page(title: str, content: str) -> bytes:
    """A complete, accessible HTML page."""
    return (
        '<!doctype html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        "<header><p>RathausCloud · Entwicklungsumgebung</p></header>\n"
        f"<main>\n{content}\n</main>\n</body>\n</html>\n"
    ).encode()


def list_page(mails: list[ReceivedMail], smtp_address: str) -> bytes:
    """The overview: every mail, newest first."""
    intro = (
        f"<h1>{TITLE}</h1>\n"
        "<p>Alle E-Mails, die die Dienste der Entwicklungsumgebung versenden, landen hier. "
        f"Nichts wird wirklich zugestellt. SMTP-Server: <code>{escape(smtp_address)}</code>.</p>\n"
        '<p><a href="/">Liste aktualisieren</a> · <a href="/api/messages">als JSON</a></p>'
    )
    if not mails:
        return page(TITLE, intro + "\n<p>Noch keine Nachrichten eingegangen.</p>")
    rows = "\n".join(
        "<tr>"
        f"<td>{escape(german_time(m))}</td>"
        f"<td>{escape(m.sender)}</td>"
        f"<td>{escape(m.recipients)}</td>"
        f'<td><a href="/messages/{m.id}">{escape(m.subject or "(ohne Betreff)")}</a></td>'
        f"<td>{len(m.attachments())}</td>"
        "</tr>"
        for m in reversed(mails)
    )
    count = "1 Nachricht" if len(mails) == 1 else f"{len(mails)} Nachrichten"
    table = (
        f"<table>\n<caption>{count}, neueste zuerst</caption>\n"
        '<thead><tr><th scope="col">Eingegangen</th><th scope="col">Absender</th>'
        '<th scope="col">Empfänger</th><th scope="col">Betreff</th>'
        '<th scope="col">Anhänge</th></tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody>\n</table>"
    )
    return page(TITLE, f"{intro}\n{table}")


def mail_page(mail: ReceivedMail) -> bytes:
    """One mail: envelope, text, attachments, and the original."""
    subject = mail.subject or "(ohne Betreff)"
    text = mail.body("plain")
    html_note = (
        f'<p><a href="/messages/{mail.id}/html">HTML-Fassung anzeigen</a></p>'
        if mail.body("html") is not None
        else ""
    )
    files = "\n".join(
        f'<li><a href="/messages/{mail.id}/attachments/{n}">{escape(a.filename)}</a> '
        f"({escape(a.content_type)}, {german_size(len(a.content))})</li>"
        for n, a in enumerate(mail.attachments(), start=1)
    )
    content = (
        '<p><a href="/">Zurück zur Übersicht</a></p>\n'
        f"<h1>{escape(subject)}</h1>\n<dl>\n"
        f"<dt>Eingegangen</dt><dd>{escape(german_time(mail))}</dd>\n"
        f"<dt>Von</dt><dd>{escape(mail.sender)}</dd>\n"
        f"<dt>An</dt><dd>{escape(mail.recipients)}</dd>\n"
        f"<dt>SMTP-Empfänger</dt><dd>{escape(', '.join(mail.envelope_to))}</dd>\n</dl>\n"
        "<h2>Text</h2>\n"
        + (f"<pre>{escape(text)}</pre>" if text is not None else "<p>Kein Textteil.</p>")
        + f"\n{html_note}\n<h2>Anhänge</h2>\n"
        + (f"<ul>\n{files}\n</ul>" if files else "<p>Keine Anhänge.</p>")
        + f'\n<p><a href="/messages/{mail.id}.eml">Originalnachricht herunterladen (.eml)</a></p>'
    )
    return page(f"{subject} – {TITLE}", content)


def _json(data: object) -> Response:
    return Response(200, "application/json", json.dumps(data, ensure_ascii=False).encode())


def _not_found() -> Response:
    body = page("Nicht gefunden", '<h1>Nicht gefunden</h1>\n<p><a href="/">Zur Übersicht</a></p>')
    return Response(404, "text/html; charset=utf-8", body)


def _download(content: bytes, content_type: str, filename: str) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    return Response(200, content_type, content, {"Content-Disposition": disposition})


def respond(store: MailStore, path: str, smtp_address: str) -> Response:
    """The answer to ``GET path`` (pure: no sockets, so it can be tested directly)."""
    parts = [p for p in urlsplit(path).path.split("/") if p]
    html = "text/html; charset=utf-8"
    if not parts:
        return Response(200, html, list_page(store.all(), smtp_address))
    if parts == ["api", "messages"]:
        return _json([m.summary() for m in store.all()])
    kind, ident, rest = parts[0], (parts[1] if len(parts) > 1 else ""), parts[2:]
    if kind == "api" and ident == "messages" and len(rest) == 1 and rest[0].isdigit():
        mail = store.get(int(rest[0]))
        return _json(mail.summary()) if mail else _not_found()
    if kind != "messages":
        return _not_found()
    raw = ident.endswith(".eml")
    number = ident.removesuffix(".eml")
    mail = store.get(int(number)) if number.isdigit() else None
    if mail is None:
        return _not_found()
    if raw and not rest:
        return _download(mail.raw, "message/rfc822", f"nachricht-{mail.id}.eml")
    if not rest:
        return Response(200, html, mail_page(mail))
    if rest == ["html"] and (body := mail.body("html")) is not None:
        # The mail's own HTML, shown without scripts, forms or outside resources.
        sandbox = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
        return Response(200, html, body.encode(), {"Content-Security-Policy": sandbox})
    attachments = mail.attachments()
    if len(rest) == 2 and rest[0] == "attachments" and rest[1].isdigit():
        index = int(rest[1])
        if 1 <= index <= len(attachments):
            found = attachments[index - 1]
            return _download(found.content, found.content_type, found.filename)
    return _not_found()


class _Handler(BaseHTTPRequestHandler):
    server: MailboxServer

    def do_GET(self) -> None:
        answer = respond(self.server.store, self.path, self.server.smtp_address)
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the stack's console is for what matters."""


class MailboxServer(ThreadingHTTPServer):
    """The mailbox web server; ``serve()`` runs it in a daemon thread."""

    daemon_threads = True

    def __init__(self, store: MailStore, port: int, smtp_address: str, host: str = "127.0.0.1"):
        super().__init__((host, port), _Handler)
        self.store = store
        self.smtp_address = smtp_address
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Where to open the mailbox."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def serve(self) -> MailboxServer:
        """Start answering requests in the background."""
        self._thread = threading.Thread(target=self.serve_forever, name="mailbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering and close the socket."""
        self.shutdown()
        self.server_close()


@dataclass
class MailSink:
    """SMTP sink and web mailbox together, as the development stack runs them."""

    store: MailStore
    smtp: SmtpSink
    web: MailboxServer
    stopped: bool = False

    @classmethod
    def start(cls, folder: Path | None, smtp_port: int, web_port: int) -> MailSink:
        """Start both servers on the given ports (127.0.0.1)."""
        store = MailStore(folder)
        smtp = SmtpSink(store, smtp_port).start()
        try:
            web = MailboxServer(store, web_port, f"127.0.0.1:{smtp_port}").serve()
        except OSError:
            smtp.stop()
            raise
        return cls(store, smtp, web)

    @property
    def smtp_url(self) -> str:
        """The SMTP server's address as a URL."""
        return f"smtp://{self.smtp.host}:{self.smtp.port}"

    def stop(self) -> None:
        """Stop both servers (once; stopping again does nothing)."""
        if not self.stopped:
            self.stopped = True
            self.web.stop()
            self.smtp.stop()
