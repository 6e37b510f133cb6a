"""What browser tests and the widget benchmark share: a town's website, Chromium, axe-core.

- ``StaticSite``: a plain web server on 127.0.0.1 (``http.server`` in a thread) serving fixed
  pages — a town's website, on another origin than intake.
- ``town_page``: such a website's page embedding the widget as the README tells a town to.
- ``axe_source``: axe-core, the accessibility checker, from the npm registry: a pinned
  version whose tarball is checked against its published sha512 integrity, cached under
  ``.rathaus/cache/`` (never committed), so a fresh machine fetches it once by itself.
- ``serious_violations``: what axe finds in a page (shadow roots included) that is serious
  or critical.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import threading
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CACHE = ROOT / ".rathaus" / "cache"

AXE_VERSION = "4.10.3"
AXE_TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
AXE_INTEGRITY = (
    "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs"
    "/PbZhideTcEg=="
)
"""The registry's ``dist.integrity`` of that tarball (``npm view axe-core@4.10.3``)."""


class StaticSite:
    """A web server on 127.0.0.1 answering fixed paths with fixed bodies, in a thread."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = site.pages.get(self.path.split("?", 1)[0])
                if found is None:
                    self.send_error(404)
                    return
                content_type, body = found
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``: what a browser sends as ``Origin``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def put(self, path: str, body: str, content_type: str = "text/html; charset=utf-8") -> str:
        """Serve ``body`` at ``path``; the page's full URL."""
        self.pages[path] = (content_type, body.encode())
        return f"{self.origin}{path}"

    def start(self) -> StaticSite:
        """Start answering."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering and close the socket."""
        self._server.shutdown()
        self._server.server_close()


TOWN_CSS = """
html { font: 18px/1.4 Georgia, serif; color: #222; background: #fafaf5; }
header, main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
a { color: #7a1f2b; }
:focus-visible { outline: 3px solid #7a1f2b; }
"""
"""An ordinary town's style."""

HOSTILE_CSS = """
* { color: #ff00ff !important; letter-spacing: .3em !important;
    text-transform: uppercase !important; line-height: 3 !important;
    font-family: "Comic Sans MS", fantasy !important; }
input, label, button, fieldset, legend, select, textarea, p, form, h2, h3 {
    display: none !important; all: unset !important; }
"""
"""A town style that would break any form it reached: the widget's shadow root keeps it out."""


def town_page(
    site: StaticSite,
    intake: str,
    town: str,
    procedure: str,
    *,
    path: str = "/",
    css: str = TOWN_CSS,
    properties: str = "",
    script: str | None = None,
    api: bool = True,
) -> str:
    """A town's page embedding the widget, with a strict CSP of its own; its URL.

    ``api=False`` leaves out the element's ``api`` attribute: the widget then calls the origin
    its script came from, as in the README's snippet.

    The CSP allows scripts and API calls from intake only and styles from the page's own
    origin only: the widget must work on such a page (README, "Embedding the widget").
    """
    stylesheet = f"{path.rstrip('/')}/stadt.css" if path != "/" else "/stadt.css"
    site.put(stylesheet, css + properties, "text/css; charset=utf-8")
    policy = (
        f"default-src 'none'; script-src {intake}; connect-src {intake}; style-src 'self';"
        " img-src 'self'; base-uri 'none'; form-action 'none'"
    )
    source = script or f"{intake}/widget/v1/rathaus-antrag.js"
    where = f' api="{escape(intake)}"' if api else ""
    html = f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Online-Antrag – Stadt</title>
<link rel="stylesheet" href="{escape(stylesheet)}">
<script src="{escape(source)}" defer></script>
</head><body>
<header><a id="vorher" href="#inhalt">Zum Inhalt</a> <p id="stadt">Stadtverwaltung</p></header>
<main id="inhalt"><h1>Online-Antrag</h1>
<rathaus-antrag town="{escape(town)}" procedure="{escape(procedure)}"{where}>
</rathaus-antrag>
<p><a id="danach" href="#inhalt">Kontakt zur Stadtverwaltung</a></p>
</main></body></html>
"""
    return site.put(path, html)


def axe_source(cache: Path = CACHE) -> str:
    """axe-core's ``axe.min.js``: the pinned tarball, fetched once and checked every time."""
    tarball = cache / f"axe-core-{AXE_VERSION}.tgz"
    if not tarball.exists() or not _intact(tarball.read_bytes()):
        data = httpx.get(AXE_TARBALL, timeout=60, follow_redirects=True).raise_for_status().content
        if not _intact(data):
            raise RuntimeError(f"{AXE_TARBALL} does not match its integrity {AXE_INTEGRITY}")
        cache.mkdir(parents=True, exist_ok=True)
        partial = tarball.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(tarball)
    with tarfile.open(fileobj=io.BytesIO(tarball.read_bytes()), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        return member.read().decode()


def _intact(data: bytes) -> bool:
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
    return f"sha512-{digest}" == AXE_INTEGRITY


RUN_AXE = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => [n.target.join(" "), n.failureSummary])}));
}
"""


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now.

    axe must be in the page: ``page.add_init_script(axe_source())`` before it is opened
    (an init script is not subject to the page's CSP, as an injected one would be).
    """
    found: list[dict[str, Any]] = await page.evaluate(RUN_AXE)
    return found
