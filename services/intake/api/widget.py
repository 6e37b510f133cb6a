"""The embeddable widget's script, served by intake for the towns' own websites.

A town embeds it with one ``<script>`` and one ``<rathaus-antrag>`` element (README,
"Embedding the widget"). Two addresses name the same file:

- ``/widget/v1/rathaus-antrag.<hash>.js`` — its content's hash in the name, so it never
  changes: cached for a year (``immutable``). ``/widget/v1/manifest.json`` names the current
  one with its Subresource-Integrity value, for towns that pin the exact file.
- ``/widget/v1/rathaus-antrag.js`` — always the current one, cached for five minutes (and
  revalidated by ``ETag``), so a fix reaches every town's page within minutes.

``v1`` is the element's interface (its attributes, events and custom properties): a change
that breaks an embedding gets ``v2`` beside it. A classic script needs no CORS; the files
still allow any origin to read them, so a page may load them with ``integrity`` and
``crossorigin`` (and across ``Cross-Origin-Embedder-Policy``), and measure them
(``Timing-Allow-Origin``). The widget also reads the
manifest to tell "this page is not registered" (the API answers it unreadably, CORS) from
"the server is unreachable". Each answer carries a Content-Security-Policy that lets a file,
opened on its own, do nothing. The body is sent gzip-compressed to browsers that ask.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse, Response

from runtime.http import problem

WIDGET = Path(__file__).resolve().parent.parent / "widget"
SCRIPT = "rathaus-antrag.js"
PREFIX = "/widget/v1"

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
SHARED = {
    "Content-Security-Policy": POLICY,
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "Timing-Allow-Origin": "*",
    "X-Content-Type-Options": "nosniff",
}
"""Every widget answer: public, readable from any page, inert on its own."""

SCRIPT_TYPE = "text/javascript; charset=utf-8"
AcceptEncoding = Annotated[str | None, Header()]
IfNoneMatch = Annotated[str | None, Header()]


@dataclass(frozen=True)
class Asset:
    """A file as it is served: its bytes, compressed bytes and names derived from its content."""

    body: bytes
    gzipped: bytes
    sha256: str
    integrity: str
    """Subresource Integrity (``sha384-…``), for ``<script integrity>``."""

    @property
    def version(self) -> str:
        """The content hash in the file's immutable name (12 hex digits)."""
        return self.sha256[:12]

    @property
    def hashed_name(self) -> str:
        """``rathaus-antrag.<hash>.js``."""
        stem, suffix = SCRIPT.rsplit(".", 1)
        return f"{stem}.{self.version}.{suffix}"


def load_asset(path: Path) -> Asset:
    """Read a file once and derive what serving it needs."""
    body = path.read_bytes()
    sha384 = base64.b64encode(hashlib.sha384(body).digest()).decode()
    return Asset(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        sha256=hashlib.sha256(body).hexdigest(),
        integrity=f"sha384-{sha384}",
    )


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (not refused with ``q=0``)."""
    for part in (accept_encoding or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            quality = re.search(r"q=([0-9.]+)", params)
            return not quality or float(quality.group(1)) > 0
    return False


def script_response(
    asset: Asset, cache: str, accept_encoding: str | None, if_none_match: str | None
) -> Response:
    """The script, compressed if the browser takes it, or 304 if it has this version."""
    compressed = accepts_gzip(accept_encoding)
    etag = f'"{asset.version}{"-gz" if compressed else ""}"'
    headers = {**SHARED, "Cache-Control": cache, "ETag": etag, "Vary": "Accept-Encoding"}
    if if_none_match and etag in {tag.strip() for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    if compressed:
        headers["Content-Encoding"] = "gzip"
    body = asset.gzipped if compressed else asset.body
    return Response(body, media_type=SCRIPT_TYPE, headers=headers)


def router(folder: Path = WIDGET) -> APIRouter:
    """The widget's routes (not in the API's OpenAPI: they serve a file, not data)."""
    asset = load_asset(folder / SCRIPT)
    files = APIRouter(prefix=PREFIX, include_in_schema=False)

    @files.get(f"/{SCRIPT}")
    async def current(
        accept_encoding: AcceptEncoding = None, if_none_match: IfNoneMatch = None
    ) -> Response:
        """Always the current widget; browsers check again after five minutes."""
        return script_response(asset, SHORT, accept_encoding, if_none_match)

    @files.get("/rathaus-antrag.{version}.js")
    async def pinned(
        version: str, accept_encoding: AcceptEncoding = None, if_none_match: IfNoneMatch = None
    ) -> Response:
        """The widget of exactly this content hash, cached for a year."""
        if version != asset.version:
            return _gone(version)
        return script_response(asset, IMMUTABLE, accept_encoding, if_none_match)

    @files.get("/manifest.json")
    async def manifest() -> JSONResponse:
        """The current file's immutable address and integrity value."""
        return JSONResponse(
            {
                "script": f"{PREFIX}/{asset.hashed_name}",
                "integrity": asset.integrity,
                "bytes": len(asset.body),
                "gzip_bytes": len(asset.gzipped),
            },
            headers={**SHARED, "Cache-Control": SHORT},
        )

    return files


def _gone(version: str) -> JSONResponse:
    response = problem(
        404,
        "Diese Fassung des Widgets gibt es nicht.",
        f"Die Fassung „{version[:20]}“ wird nicht angeboten. Bitte binden Sie "
        f"{PREFIX}/{SCRIPT} ein oder die Adresse aus {PREFIX}/manifest.json.",
    )
    response.headers.update(SHARED)
    return response
